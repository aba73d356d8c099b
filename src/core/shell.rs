//! Command lines as a POSIX shell takes them: the one quoting function behind
//! every command iris-dev shows (hints, `--dry-run`, errors), so each can be
//! pasted as printed even when a path holds spaces or quotes.

/// Quotes for POSIX shells, leaving plain words alone.
pub fn quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c));
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// Words quoted and joined with spaces: a command line to paste.
pub fn join<S: AsRef<str>>(words: impl IntoIterator<Item = S>) -> String {
    words
        .into_iter()
        .map(|word| quote(word.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("$(rm)"), "'$(rm)'");
        assert_eq!(quote("/plain/path-1.2"), "/plain/path-1.2");
        assert_eq!(
            join(["iris-dev", "ports", "clear", "/home/dev/my app"]),
            "iris-dev ports clear '/home/dev/my app'"
        );
    }
}
