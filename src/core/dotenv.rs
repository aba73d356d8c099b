//! A project's `.env` file as compose reads it: `NAME=value` lines, `export`
//! prefixes, `#` comments, single quotes (literal) and double quotes (with `\n`,
//! `\"` and `\\` escapes).
//!
//! Pure: text in, pairs out. iris-dev reads only the variables that choose the
//! stack (`COMPOSE_FILE`, `COMPOSE_PROFILES`, `COMPOSE_PROJECT_NAME`,
//! `COMPOSE_PATH_SEPARATOR`); compose interpolates the rest itself.
//!
//! One line may be iris-dev's own: a `COMPOSE_PROJECT_NAME` right below a
//! [`MANAGED_MARKER`] comment, which `up` keeps in step with the stack's name so
//! that plain `docker compose` finds this checkout's stack (issue 16 §2).
//! [`with_managed_name`] edits only those two lines; every other line is the
//! user's and stays as it is.

use crate::core::env_vars::COMPOSE_PROJECT_NAME;

/// The comment above the line iris-dev manages: the whole line, so that a
/// comment of the user's that merely starts alike never gives iris-dev their
/// `COMPOSE_PROJECT_NAME`.
pub const MANAGED_MARKER: &str = "# iris-dev: this checkout's compose project, kept by `iris-dev up` so plain `docker compose` finds its stack";

/// The variables `text` sets, in order, without the line iris-dev manages; a
/// later line wins when looked up with [`get`].
pub fn parse(text: &str) -> Vec<(String, String)> {
    lines(text)
        .filter(|line| !line.managed)
        .filter_map(|line| line.pair)
        .collect()
}

/// `COMPOSE_PROJECT_NAME` as compose itself reads `text`: the last line that
/// sets it, iris-dev's own included.
pub fn compose_project_name(text: &str) -> Option<String> {
    lines(text)
        .filter_map(|line| line.pair)
        .filter(|(name, _)| name == COMPOSE_PROJECT_NAME)
        .map(|(_, value)| value)
        .next_back()
}

/// The name on the line iris-dev manages, when `text` has one.
pub fn managed_name(text: &str) -> Option<String> {
    lines(text)
        .filter(|line| line.managed)
        .find_map(|line| line.pair)
        .map(|(_, value)| value)
}

/// `text` with iris-dev's line set to `name` (in place when there is one,
/// appended below [`MANAGED_MARKER`] when not) or, for `None`, removed with its
/// marker. No other line changes.
pub fn with_managed_name(text: &str, name: Option<&str>) -> String {
    // Lines iris-dev writes end like most of the file's; every other line
    // keeps its own ending, in a file that mixes them too (found by the fuzz
    // target `dotenv`). Most, not any: a last line ending in `\r` before the
    // one iris-dev adds would otherwise turn the next call to `\r\n`.
    let crlf = text.matches("\r\n").count();
    let newline = if crlf > text.matches('\n').count() - crlf {
        "\r\n"
    } else {
        "\n"
    };
    let managed =
        |name: &str| format!("{MANAGED_MARKER}{newline}{COMPOSE_PROJECT_NAME}={name}{newline}");
    let raw: Vec<&str> = text.split_inclusive('\n').collect();
    let all: Vec<Line> = lines(text).collect();
    let mut out = String::with_capacity(text.len());
    let mut replaced = false;
    for (index, line) in all.iter().enumerate() {
        let marks_next = all.get(index + 1).is_some_and(|next| next.managed);
        if marks_next {
            continue;
        }
        if line.managed {
            if let Some(name) = name.filter(|_| !replaced) {
                out.push_str(&managed(name));
                replaced = true;
            }
            continue;
        }
        out.push_str(raw[index]);
    }
    if let Some(name) = name.filter(|_| !replaced) {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(newline);
        }
        out.push_str(&managed(name));
    }
    out
}

/// One line of a `.env` file: the pair it sets, and whether it is
/// the `COMPOSE_PROJECT_NAME` line below iris-dev's marker.
struct Line {
    pair: Option<(String, String)>,
    managed: bool,
}

fn lines(text: &str) -> impl DoubleEndedIterator<Item = Line> {
    let all: Vec<&str> = text.lines().collect();
    (0..all.len())
        .map(move |index| {
            let pair = parse_line(all[index]);
            let marked = index > 0 && all[index - 1].trim() == MANAGED_MARKER;
            let managed = marked
                && pair
                    .as_ref()
                    .is_some_and(|(name, _)| name == COMPOSE_PROJECT_NAME);
            Line { pair, managed }
        })
        .collect::<Vec<_>>()
        .into_iter()
}

/// The last value `pairs` give `name`.
pub fn get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

fn parse_line(line: &str) -> Option<(String, String)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
    let (name, value) = line.split_once('=')?;
    let name = name.trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    let value = value.trim();
    let value = if let Some(rest) = value.strip_prefix('\'') {
        rest.split_once('\'')
            .map_or(rest, |(inside, _)| inside)
            .to_owned()
    } else if let Some(rest) = value.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some(other) => out.push(other),
                    None => {}
                },
                other => out.push(other),
            }
        }
        out
    } else {
        // An unquoted value ends at ` #`, where an inline comment starts.
        value
            .split_once(" #")
            .map_or(value, |(value, _)| value)
            .trim_end()
            .to_owned()
    };
    Some((name.to_owned(), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the fuzz target `dotenv`: every other line kept its text but
    /// took the file's first line ending, so a file that mixed them changed.
    #[test]
    fn other_lines_keep_their_own_endings() {
        let text = "A=1\r\nB=2\nC=3\r\nD=4";
        let set = with_managed_name(text, Some("shop"));
        assert_eq!(
            set,
            format!("A=1\r\nB=2\nC=3\r\nD=4\r\n{MANAGED_MARKER}\r\nCOMPOSE_PROJECT_NAME=shop\r\n")
        );
        assert_eq!(with_managed_name(&set, Some("shop")), set);
        assert_eq!(with_managed_name(&set, None), "A=1\r\nB=2\nC=3\r\nD=4\r\n");
        // A last line that ends in `\r`: the file is still a `\n` file.
        let set = with_managed_name("#\r", Some("shop"));
        assert_eq!(with_managed_name(&set, Some("shop")), set);
    }

    #[test]
    fn reads_what_compose_reads() {
        let pairs = parse(
            "# comment\n\nCOMPOSE_FILE=a.yaml:b.yaml\nexport COMPOSE_PROFILES='x,y'\n\
             NAME=\"say \\\"hi\\\"\" \nPLAIN=v # note\nbroken line\nPLAIN=w\n",
        );
        assert_eq!(get(&pairs, "COMPOSE_FILE"), Some("a.yaml:b.yaml"));
        assert_eq!(get(&pairs, "COMPOSE_PROFILES"), Some("x,y"));
        assert_eq!(get(&pairs, "NAME"), Some("say \"hi\""));
        assert_eq!(get(&pairs, "PLAIN"), Some("w"));
        assert_eq!(get(&pairs, "broken"), None);
        assert_eq!(pairs.len(), 5);
    }

    #[test]
    fn the_managed_line_is_iris_devs_alone() {
        let user = "# team settings\nIRIS_PASSWORD=secret\n";
        let written = with_managed_name(user, Some("app-6ad09d59"));
        assert_eq!(
            written,
            format!("{user}{MANAGED_MARKER}\nCOMPOSE_PROJECT_NAME=app-6ad09d59\n")
        );
        assert_eq!(get(&parse(&written), COMPOSE_PROJECT_NAME), None);
        assert_eq!(managed_name(&written).as_deref(), Some("app-6ad09d59"));
        assert_eq!(
            compose_project_name(&written).as_deref(),
            Some("app-6ad09d59")
        );

        // Rewritten in place, never twice; removed with its marker.
        let moved = format!("{written}LATER=1\n");
        let again = with_managed_name(&moved, Some("app-0000aaaa"));
        assert_eq!(
            again,
            format!("{user}{MANAGED_MARKER}\nCOMPOSE_PROJECT_NAME=app-0000aaaa\nLATER=1\n")
        );
        assert_eq!(with_managed_name(&moved, None), format!("{user}LATER=1\n"));
        assert_eq!(with_managed_name("", None), "");
        assert_eq!(
            with_managed_name("A=1", Some("x")),
            format!("A=1\n{MANAGED_MARKER}\nCOMPOSE_PROJECT_NAME=x\n"),
            "a last line without a newline is kept"
        );

        // Windows line endings stay.
        assert_eq!(
            with_managed_name("A=1\r\nB=2\r\n", Some("x")),
            format!("A=1\r\nB=2\r\n{MANAGED_MARKER}\r\nCOMPOSE_PROJECT_NAME=x\r\n")
        );
        let crlf = with_managed_name("A=1\r\n", Some("x"));
        assert_eq!(managed_name(&crlf).as_deref(), Some("x"));

        // The user's own line is theirs, with or without a comment above it,
        // even one that starts as iris-dev's does.
        for own in [
            "COMPOSE_PROJECT_NAME=mine\n",
            "# my name\nCOMPOSE_PROJECT_NAME=mine\n",
            "# iris-dev: pinned for CI\nCOMPOSE_PROJECT_NAME=mine\n",
        ] {
            assert_eq!(
                get(&parse(own), COMPOSE_PROJECT_NAME),
                Some("mine"),
                "{own}"
            );
            assert_eq!(managed_name(own), None, "{own}");
            assert_eq!(with_managed_name(own, None), own);
        }
    }
}
