//! Editing JSON with comments (VS Code's `settings.json`) without disturbing it:
//! a tokenizer that knows strings, `//` and `/* */` comments and trailing commas
//! finds the byte span of a member's value, and only that span changes.
//!
//! Pure text in, text out: reading and writing the file is the caller's job. It
//! never reformats: comments, blank lines, key order and indentation stay as they
//! were; inserted members copy the indentation of their neighbours.

use serde_json::Value;

/// Where and why the text is not JSON with comments.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// 1-based.
    pub line: usize,
    pub message: String,
}

/// How a member is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Set {
    /// Always to the given value.
    Always,
    /// Only when the object does not have the member yet.
    IfMissing,
}

/// Sets `members` in the object that is the value of the root object's member
/// `key`, creating the member (and the root object) when missing. Returns `None`
/// when nothing differs.
pub fn set_members(
    text: &str,
    key: &str,
    members: &[(&str, Value, Set)],
) -> Result<Option<String>, ParseError> {
    let root = parse(text)?;
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let edit = match &root {
        None => {
            let wanted = members
                .iter()
                .map(|(name, value, _)| (*name, value))
                .collect::<Vec<_>>();
            let object = render_object(&wanted, "    ", "    ", newline);
            let prefix = text.trim_end();
            let separator = if prefix.is_empty() { "" } else { newline };
            let new_text = format!(
                "{prefix}{separator}{{{newline}    {}: {object}{newline}}}{newline}",
                quote(key)
            );
            return Ok(Some(new_text));
        }
        Some(Node::Object(root)) => plan(text, root, key, members, newline),
        Some(_) => {
            return Err(ParseError {
                line: 1,
                message: "the top level is not an object".to_owned(),
            });
        }
    };
    Ok(edit.map(|(start, end, replacement)| {
        format!("{}{replacement}{}", &text[..start], &text[end..])
    }))
}

/// One replacement `(start, end, text)`, or `None` when nothing differs.
fn plan(
    text: &str,
    root: &Object,
    key: &str,
    members: &[(&str, Value, Set)],
    newline: &str,
) -> Option<(usize, usize, String)> {
    let unit = indent_unit(text, root);
    match root.member(key) {
        Some(Member {
            value: Node::Object(object),
            ..
        }) => {
            let mut edits = Vec::new();
            let mut missing = Vec::new();
            for (name, value, set) in members {
                match object.member(name) {
                    Some(existing) => {
                        let current: Option<Value> = serde_json::from_str(
                            &text[existing.value.span().0..existing.value.span().1],
                        )
                        .ok();
                        if *set == Set::Always && current.as_ref() != Some(value) {
                            let (start, end) = existing.value.span();
                            edits.push((start, end, value.to_string()));
                        }
                    }
                    None => missing.push((*name, value.to_string())),
                }
            }
            if !missing.is_empty() {
                edits.push(insertion(text, object, &missing, &unit, newline));
            }
            combine(text, edits)
        }
        Some(existing) => {
            let wanted: Vec<_> = members
                .iter()
                .map(|(name, value, _)| (*name, value))
                .collect();
            let indent = line_indent(text, existing.key_start);
            let (start, end) = existing.value.span();
            Some((start, end, render_object(&wanted, &indent, &unit, newline)))
        }
        None => {
            let wanted: Vec<_> = members
                .iter()
                .map(|(name, value, _)| (*name, value))
                .collect();
            let indent = member_indent(text, root, &unit);
            let object = render_object(&wanted, &indent, &unit, newline);
            Some(insertion(text, root, &[(key, object)], &unit, newline))
        }
    }
}

/// Several edits of disjoint spans as one replacement of the span they cover.
fn combine(text: &str, mut edits: Vec<(usize, usize, String)>) -> Option<(usize, usize, String)> {
    edits.sort_by_key(|edit| edit.0);
    let start = edits.first()?.0;
    let end = edits.iter().map(|edit| edit.1).max()?;
    let mut replacement = String::new();
    let mut at = start;
    for (edit_start, edit_end, text_of_edit) in &edits {
        replacement.push_str(&text[at..*edit_start]);
        replacement.push_str(text_of_edit);
        at = *edit_end;
    }
    replacement.push_str(&text[at..end]);
    Some((start, end, replacement))
}

/// Inserts members after the object's last member (its trailing comma, if any,
/// stays after the new ones), or inside an empty object.
fn insertion(
    text: &str,
    object: &Object,
    members: &[(&str, String)],
    unit: &str,
    newline: &str,
) -> (usize, usize, String) {
    let indent = member_indent(text, object, unit);
    let lines: Vec<String> = members
        .iter()
        .map(|(name, value)| format!("{indent}{}: {value}", quote(name)))
        .collect();
    match object.members.last() {
        Some(last) => {
            let at = last.value.span().1;
            // A `//` comment after the last member stays on its line.
            let mut line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
            if text[..line_end].ends_with('\r') {
                line_end -= 1;
            }
            let rest = &text[at..line_end];
            let trimmed = rest.trim_start();
            let has_comma = trimmed.starts_with(',');
            if trimmed
                .strip_prefix(',')
                .unwrap_or(trimmed)
                .trim_start()
                .starts_with("//")
            {
                let comma = if has_comma { "" } else { "," };
                let replacement = format!(
                    "{comma}{rest}{newline}{}",
                    lines.join(&format!(",{newline}"))
                );
                return (at, line_end, replacement);
            }
            let mut replacement = String::new();
            for line in &lines {
                replacement.push(',');
                replacement.push_str(newline);
                replacement.push_str(line);
            }
            (at, at, replacement)
        }
        None => {
            let closing = line_indent(text, object.open);
            let replacement = format!(
                "{newline}{}{newline}{closing}",
                lines.join(&format!(",{newline}"))
            );
            (object.open + 1, object.close, replacement)
        }
    }
}

fn render_object(members: &[(&str, &Value)], indent: &str, unit: &str, newline: &str) -> String {
    let inner = format!("{indent}{unit}");
    let lines: Vec<String> = members
        .iter()
        .map(|(name, value)| format!("{inner}{}: {value}", quote(name)))
        .collect();
    format!(
        "{{{newline}{}{newline}{indent}}}",
        lines.join(&format!(",{newline}"))
    )
}

fn quote(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

/// The whitespace that starts the line `at` is on.
fn line_indent(text: &str, at: usize) -> String {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// The indentation of the object's members: the first member's when it starts
/// a line, else one unit more than the line the object opens on.
fn member_indent(text: &str, object: &Object, unit: &str) -> String {
    match object.members.first() {
        Some(first) if text[object.open..first.key_start].contains('\n') => {
            line_indent(text, first.key_start)
        }
        _ => format!("{}{unit}", line_indent(text, object.open)),
    }
}

/// One level of indentation as the root's members have it; four spaces (VS
/// Code's own) when the root has none.
fn indent_unit(text: &str, root: &Object) -> String {
    root.members
        .first()
        .map(|first| line_indent(text, first.key_start))
        .filter(|indent| !indent.is_empty())
        .unwrap_or_else(|| "    ".to_owned())
}

#[derive(Debug)]
enum Node {
    Object(Object),
    /// Arrays and scalars, by their byte span.
    Other(usize, usize),
}

impl Node {
    fn span(&self) -> (usize, usize) {
        match self {
            Self::Object(object) => (object.open, object.close + 1),
            Self::Other(start, end) => (*start, *end),
        }
    }
}

#[derive(Debug)]
struct Object {
    /// Byte offsets of `{` and `}`.
    open: usize,
    close: usize,
    members: Vec<Member>,
}

impl Object {
    /// The last member of that name, as VS Code reads duplicates.
    fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().rev().find(|member| member.key == name)
    }
}

#[derive(Debug)]
struct Member {
    key: String,
    key_start: usize,
    value: Node,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Token {
    Open,
    Close,
    OpenArray,
    CloseArray,
    Colon,
    Comma,
    String,
    Literal,
}

/// The whole text as a value; `None` for a text with only whitespace and
/// comments.
fn parse(text: &str) -> Result<Option<Node>, ParseError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        text,
        tokens: &tokens,
        at: 0,
    };
    if tokens.is_empty() {
        return Ok(None);
    }
    let node = parser.value()?;
    if let Some((_, start, _)) = parser.tokens.get(parser.at) {
        return Err(parser.error(*start, "unexpected text after the end"));
    }
    Ok(Some(node))
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

fn tokenize(text: &str) -> Result<Vec<(Token, usize, usize)>, ParseError> {
    let bytes = text.as_bytes();
    let error = |at: usize, message: &str| ParseError {
        line: line_of(text, at),
        message: message.to_owned(),
    };
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let start = at;
        let token = match bytes[at] {
            b' ' | b'\t' | b'\r' | b'\n' => {
                at += 1;
                continue;
            }
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                at = text[at..].find('\n').map_or(bytes.len(), |i| at + i);
                continue;
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                let end = text[at + 2..]
                    .find("*/")
                    .ok_or_else(|| error(at, "unterminated `/*` comment"))?;
                at += 2 + end + 2;
                continue;
            }
            b'{' => Token::Open,
            b'}' => Token::Close,
            b'[' => Token::OpenArray,
            b']' => Token::CloseArray,
            b':' => Token::Colon,
            b',' => Token::Comma,
            b'"' => {
                at += 1;
                loop {
                    match bytes.get(at) {
                        None | Some(b'\n') => return Err(error(start, "unterminated string")),
                        Some(b'\\') => at += 2,
                        Some(b'"') => break,
                        Some(_) => at += 1,
                    }
                }
                Token::String
            }
            b'-' | b'0'..=b'9' | b'a'..=b'z' => {
                while at < bytes.len()
                    && (bytes[at].is_ascii_alphanumeric() || b"+-.".contains(&bytes[at]))
                {
                    at += 1;
                }
                let word = &text[start..at];
                if serde_json::from_str::<Value>(word).is_err() {
                    return Err(error(start, &format!("`{word}` is not a JSON value")));
                }
                tokens.push((Token::Literal, start, at));
                continue;
            }
            _ => {
                let c = text[at..].chars().next().unwrap_or_default();
                return Err(error(at, &format!("unexpected `{c}`")));
            }
        };
        at += 1;
        tokens.push((token, start, at));
    }
    Ok(tokens)
}

struct Parser<'a> {
    text: &'a str,
    tokens: &'a [(Token, usize, usize)],
    at: usize,
}

impl Parser<'_> {
    fn error(&self, at: usize, message: &str) -> ParseError {
        ParseError {
            line: line_of(self.text, at),
            message: message.to_owned(),
        }
    }

    fn next(&mut self, expected: &str) -> Result<(Token, usize, usize), ParseError> {
        let token = self.tokens.get(self.at).copied().ok_or_else(|| {
            self.error(
                self.text.len(),
                &format!("the text ends where {expected} should be"),
            )
        })?;
        self.at += 1;
        Ok(token)
    }

    fn peek(&self) -> Option<Token> {
        self.tokens.get(self.at).map(|token| token.0)
    }

    fn value(&mut self) -> Result<Node, ParseError> {
        let (token, start, end) = self.next("a value")?;
        match token {
            Token::String | Token::Literal => Ok(Node::Other(start, end)),
            Token::Open => self.object(start),
            Token::OpenArray => {
                loop {
                    if self.peek() == Some(Token::CloseArray) {
                        break;
                    }
                    self.value()?;
                    if self.peek() == Some(Token::Comma) {
                        self.at += 1;
                    } else {
                        break;
                    }
                }
                let (token, close, close_end) = self.next("`]`")?;
                if token != Token::CloseArray {
                    return Err(self.error(close, "expected `,` or `]`"));
                }
                Ok(Node::Other(start, close_end))
            }
            _ => Err(self.error(start, "expected a value")),
        }
    }

    fn object(&mut self, open: usize) -> Result<Node, ParseError> {
        let mut members = Vec::new();
        loop {
            if self.peek() == Some(Token::Close) {
                break;
            }
            let (token, key_start, key_end) = self.next("a key")?;
            if token != Token::String {
                return Err(self.error(key_start, "expected a key in double quotes or `}`"));
            }
            let key: String = serde_json::from_str(&self.text[key_start..key_end])
                .map_err(|_| self.error(key_start, "the key is not a valid string"))?;
            let (token, colon, _) = self.next("`:`")?;
            if token != Token::Colon {
                return Err(self.error(colon, "expected `:` after the key"));
            }
            let value = self.value()?;
            members.push(Member {
                key,
                key_start,
                value,
            });
            if self.peek() == Some(Token::Comma) {
                self.at += 1;
            } else {
                break;
            }
        }
        let (token, close, _) = self.next("`}`")?;
        if token != Token::Close {
            return Err(self.error(close, "expected `,` or `}`"));
        }
        Ok(Node::Object(Object {
            open,
            close,
            members,
        }))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn conn(port: u16) -> Vec<(&'static str, Value, Set)> {
        vec![
            ("active", json!(true), Set::Always),
            ("host", json!("127.0.0.1"), Set::Always),
            ("port", json!(port), Set::Always),
            ("ns", json!("USER"), Set::IfMissing),
        ]
    }

    const SETTINGS: &str = r#"{
  // Format on save, please.
  "editor.formatOnSave": true,
  /* the server
     we use */
  "objectscript.conn": {
    "active": false, // off for now
    "host": "127.0.0.1",
    "port": 52773,
    "ns": "APP",
    "links": ["a, b", "c // not a comment"],
  },
  "files.exclude": { "**/.git": true },
}
"#;

    #[test]
    fn changes_only_the_values_that_differ() {
        let new = set_members(SETTINGS, "objectscript.conn", &conn(52_774))
            .unwrap()
            .unwrap();
        insta::assert_snapshot!(new, @r#"
        {
          // Format on save, please.
          "editor.formatOnSave": true,
          /* the server
             we use */
          "objectscript.conn": {
            "active": true, // off for now
            "host": "127.0.0.1",
            "port": 52774,
            "ns": "APP",
            "links": ["a, b", "c // not a comment"],
          },
          "files.exclude": { "**/.git": true },
        }
        "#);
        assert_eq!(
            set_members(&new, "objectscript.conn", &conn(52_774)).unwrap(),
            None
        );
    }

    #[test]
    fn inserts_the_member_after_the_last_one() {
        let text = "{\n\t// tabs\n\t\"a\": [1, 2] /* end */\n}\n";
        let new = set_members(text, "objectscript.conn", &conn(1))
            .unwrap()
            .unwrap();
        assert_eq!(
            new,
            "{\n\t// tabs\n\t\"a\": [1, 2],\n\t\"objectscript.conn\": {\n\t\t\"active\": true,\n\t\t\"host\": \"127.0.0.1\",\n\t\t\"port\": 1,\n\t\t\"ns\": \"USER\"\n\t} /* end */\n}\n"
        );
        assert_eq!(
            set_members(&new, "objectscript.conn", &conn(1)).unwrap(),
            None
        );
    }

    #[test]
    fn a_line_comment_stays_with_its_member() {
        let text = "{\n  \"a\": 1 // one\n}";
        let members = [("b", json!(2), Set::Always), ("c", json!(3), Set::Always)];
        let new = set_members(text, "k", &members).unwrap().unwrap();
        assert_eq!(
            new,
            "{\n  \"a\": 1, // one\n  \"k\": {\n    \"b\": 2,\n    \"c\": 3\n  }\n}"
        );
        let text = "{\n  \"k\": {\n    \"b\": 2, // two\n  },\n}";
        let new = set_members(text, "k", &members).unwrap().unwrap();
        assert_eq!(
            new,
            "{\n  \"k\": {\n    \"b\": 2, // two\n    \"c\": 3\n  },\n}"
        );
    }

    #[test]
    fn adds_missing_members_to_the_existing_object() {
        let text = "{\r\n    \"objectscript.conn\": {\"active\": true},\r\n}";
        let new = set_members(text, "objectscript.conn", &conn(2))
            .unwrap()
            .unwrap();
        assert_eq!(
            new,
            "{\r\n    \"objectscript.conn\": {\"active\": true,\r\n        \"host\": \"127.0.0.1\",\r\n        \"port\": 2,\r\n        \"ns\": \"USER\"},\r\n}"
        );
        let empty = "{\n  \"objectscript.conn\": {}\n}";
        let new = set_members(empty, "objectscript.conn", &conn(2))
            .unwrap()
            .unwrap();
        assert!(new.contains("{\n    \"active\": true,"), "{new}");
        assert!(new.ends_with("\"ns\": \"USER\"\n  }\n}"), "{new}");
    }

    #[test]
    fn replaces_a_value_that_is_not_an_object() {
        let text = "{ \"objectscript.conn\": null }";
        let new = set_members(text, "objectscript.conn", &conn(3))
            .unwrap()
            .unwrap();
        let value: Value = serde_json::from_str(&new).unwrap();
        assert_eq!(value["objectscript.conn"]["port"], 3);
    }

    #[test]
    fn creates_the_object_in_an_empty_file() {
        for text in ["", "  \n", "// nothing yet\n", "{}", "{\n}\n"] {
            let new = set_members(text, "objectscript.conn", &conn(4))
                .unwrap()
                .unwrap();
            let without_comments = new.trim_start_matches("// nothing yet\n");
            let value: Value = serde_json::from_str(without_comments).unwrap_or_else(|err| {
                panic!("{err}: {new}");
            });
            assert_eq!(value["objectscript.conn"]["host"], "127.0.0.1", "{new}");
            assert_eq!(
                set_members(&new, "objectscript.conn", &conn(4)).unwrap(),
                None
            );
        }
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            ("{\n  \"a\": 1\n  \"b\": 2\n}", 3, "expected `,` or `}`"),
            ("{\n  \"a\": tru\n}", 2, "`tru` is not a JSON value"),
            ("{\n\n  \"a\": \"open\n}", 3, "unterminated string"),
            ("{\n  /* open\n}", 2, "unterminated `/*` comment"),
            ("{\n  \"a\": 1,\n", 3, "the text ends where a key should be"),
            ("[1]", 1, "the top level is not an object"),
            ("{} {}", 1, "unexpected text after the end"),
            ("{\n  'a': 1\n}", 2, "unexpected `'`"),
        ];
        for (text, line, message) in cases {
            let error = set_members(text, "k", &conn(1)).unwrap_err();
            assert_eq!(
                (error.line, error.message.as_str()),
                (line, message),
                "{text}"
            );
        }
    }
}
