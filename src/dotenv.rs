//! A project's `.env` file as compose reads it: `NAME=value` lines, `export`
//! prefixes, `#` comments, single quotes (literal) and double quotes (with `\n`,
//! `\"` and `\\` escapes).
//!
//! Pure: text in, pairs out. iris-dev reads only the variables that choose the
//! stack (`COMPOSE_FILE`, `COMPOSE_PROFILES`, `COMPOSE_PROJECT_NAME`,
//! `COMPOSE_PATH_SEPARATOR`); compose interpolates the rest itself.

/// The variables `text` sets, in order; a later line wins when looked up with
/// [`get`].
pub fn parse(text: &str) -> Vec<(String, String)> {
    text.lines().filter_map(parse_line).collect()
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
}
