//! Registry timestamps: iris-dev's own `+00:00` stamps and Python's naive
//! ones. Any text that parses keeps its exact text; a clock reading formatted
//! parses back to the same microsecond; a naive stamp is the same time as the
//! same text with `+00:00`.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use arbitrary::Arbitrary;
use iris_dev::core::timestamp::Timestamp;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    text: &'a str,
    /// Microseconds from the epoch, folded into years 1970-9999.
    micros: u64,
}

/// 9999-12-31T23:59:59.999999Z in microseconds.
const LAST: u64 = 253_402_300_799_999_999;

fuzz_target!(|input: Input<'_>| {
    if let Some(stamp) = Timestamp::parse(input.text) {
        assert_eq!(stamp.as_str(), input.text, "the text is kept");
        let _ = stamp.file_suffix();
        if input.text.len() >= 19
            && !input.text.ends_with('Z')
            && !input.text[19..].contains(['+', '-'])
        {
            let offset = format!("{}+00:00", input.text);
            if let Some(utc) = Timestamp::parse(&offset) {
                assert_eq!(utc.micros(), stamp.micros(), "naive is UTC: {offset}");
            }
        }
    }
    let micros = input.micros % (LAST + 1);
    let stamp = Timestamp::from_system_time(UNIX_EPOCH + Duration::from_micros(micros));
    let parsed = Timestamp::parse(stamp.as_str())
        .unwrap_or_else(|| panic!("`{}` does not parse", stamp.as_str()));
    assert_eq!(parsed.micros(), stamp.micros(), "{}", stamp.as_str());
    assert_eq!(
        u64::try_from(parsed.micros()).ok(),
        Some(micros),
        "{}",
        stamp.as_str()
    );
    let naive = stamp.as_str().trim_end_matches("+00:00");
    assert_eq!(
        Timestamp::parse(naive).map(|t| t.micros()),
        Some(stamp.micros()),
        "{naive}"
    );
});
