//! A project's `.env`: iris-dev's one managed `COMPOSE_PROJECT_NAME` line is set
//! or removed and no other variable changes (compose reads the same pairs), and
//! the name set is the name read back.
#![no_main]

use arbitrary::Arbitrary;
use iris_dev::core::dotenv;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    text: &'a str,
    /// Made into a compose project name: lowercase letters, digits, `-`, `_`.
    name: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let text = input.text;
    let pairs = dotenv::parse(text);
    let _ = dotenv::compose_project_name(text);
    let _ = dotenv::managed_name(text);
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789-_";
    let name: String = std::iter::once('p')
        .chain(
            input
                .name
                .iter()
                .map(|byte| char::from(alphabet[usize::from(*byte) % alphabet.len()])),
        )
        .collect();

    let set = dotenv::with_managed_name(text, Some(&name));
    assert_eq!(
        dotenv::managed_name(&set).as_deref(),
        Some(name.as_str()),
        "{set:?}"
    );
    if dotenv::managed_name(text).is_none() {
        // Appended at the end, so it is the line compose reads.
        assert_eq!(
            dotenv::compose_project_name(&set).as_deref(),
            Some(name.as_str()),
            "{set:?}"
        );
    }
    assert_eq!(
        dotenv::parse(&set),
        pairs,
        "other variables changed: {set:?}"
    );
    assert_eq!(
        dotenv::with_managed_name(&set, Some(&name)),
        set,
        "setting twice"
    );

    let removed = dotenv::with_managed_name(&set, None);
    assert_eq!(dotenv::managed_name(&removed), None, "{removed:?}");
    assert_eq!(
        dotenv::parse(&removed),
        pairs,
        "other variables changed: {removed:?}"
    );
});
