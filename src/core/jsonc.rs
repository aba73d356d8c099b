//! Editing JSON with comments (VS Code's `settings.json`) without disturbing it,
//! on dprint's `jsonc-parser` concrete syntax tree: members set at any depth
//! along a path ([`Key`]), a member removed with its comma, an element appended.
//! Comments, blank lines, key order and indentation stay as they were; what is
//! inserted follows the file's own indentation, line endings and trailing-comma
//! style.
//!
//! Pure text in, text out: reading and writing the file is the caller's job.
//! Duplicate keys are read and edited as VS Code reads them: the last one wins.

use jsonc_parser::ParseOptions;
use jsonc_parser::cst::{CstInputValue, CstNode, CstObject, CstObjectProp, CstRootNode};
use jsonc_parser::errors::ParseErrorKind;
use serde_json::Value;

/// Where and why the text is not JSON with comments.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct ParseError {
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
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

/// One step of a path from the root: an object's member, or an array's element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key<'a> {
    Member(&'a str),
    Index(usize),
}

/// Sets `members` in the object that is the value of the root object's member
/// `key`, creating the member (and the root object) when missing. Returns `None`
/// when nothing differs.
pub fn set_members(
    text: &str,
    key: &str,
    members: &[(&str, Value, Set)],
) -> Result<Option<String>, ParseError> {
    set_members_at(text, &[Key::Member(key)], members)
}

/// Sets `members` in the object at `path`, creating the objects on the way (and
/// the root) when missing, and replacing a value on the way that is not an
/// object. An element that is not there is not created: nothing changes.
/// Returns `None` when nothing differs.
pub fn set_members_at(
    text: &str,
    path: &[Key<'_>],
    members: &[(&str, Value, Set)],
) -> Result<Option<String>, ParseError> {
    let root = parse(text)?;
    let Some(object) = object_along(&root, path) else {
        return Ok(None);
    };
    for (name, value, set) in members {
        match last_member(&object, name) {
            Some(member) => {
                let current = member.value().and_then(|value| value.to_serde_value());
                if *set == Set::Always && current.as_ref() != Some(value) {
                    member.set_value(input(value));
                }
            }
            None => {
                object.append(name, input(value));
            }
        }
    }
    Ok(changed(text, &root))
}

/// Removes the member `name` of the object at `path` (every one of that name),
/// with its comma. `None` when there is no such member.
pub fn remove_member(
    text: &str,
    path: &[Key<'_>],
    name: &str,
) -> Result<Option<String>, ParseError> {
    let root = parse(text)?;
    let Some(object) = find(&root, path).and_then(|node| node.as_object()) else {
        return Ok(None);
    };
    let spaced = starts_with_space(&object);
    for member in object.properties() {
        if member.decoded_name().as_deref() == Some(name) {
            member.remove();
        }
    }
    // `{"gone": 1, "a": 1}` loses `"gone": 1,` but keeps the space after it.
    if !spaced
        && let Some(space) = first_after_brace(&object).and_then(|first| first.as_whitespace())
    {
        space.remove();
    }
    Ok(changed(text, &root))
}

/// Appends `value` to the array at `path`, after its last element. `None` when
/// there is no array there.
pub fn push_element(
    text: &str,
    path: &[Key<'_>],
    value: &Value,
) -> Result<Option<String>, ParseError> {
    let root = parse(text)?;
    let Some(array) = find(&root, path).and_then(|node| node.as_array()) else {
        return Ok(None);
    };
    array.append(input(value));
    Ok(changed(text, &root))
}

/// The value at `path` as plain JSON (comments and trailing commas dropped);
/// `None` when the path leads nowhere.
pub fn value_at(text: &str, path: &[Key<'_>]) -> Result<Option<Value>, ParseError> {
    let root = parse(text)?;
    Ok(find(&root, path).and_then(|node| node.to_serde_value()))
}

/// The byte span of the value at `path`; `None` when the path leads nowhere.
/// What an edit at `path` may change lies inside it, which the fuzz target
/// `jsonc` checks.
pub fn span_at(text: &str, path: &[Key<'_>]) -> Result<Option<(usize, usize)>, ParseError> {
    let root = parse(text)?;
    Ok(find(&root, path).map(|node| {
        let start = offset_of(&node);
        (start, start + node.to_string().len())
    }))
}

/// The syntax options of VS Code's settings files: comments and trailing
/// commas, and nothing else beyond JSON. Every field is named, so a leniency a
/// newer crate adds fails to compile here instead of being accepted.
fn options() -> ParseOptions {
    ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// The tree of `text`, whose top level is an object or nothing at all.
fn parse(text: &str) -> Result<CstRootNode, ParseError> {
    let root = CstRootNode::parse(text, &options()).map_err(|error| {
        let (line, column) = position(text, error.range().start);
        ParseError {
            line,
            column,
            message: describe(error.kind()),
        }
    })?;
    match root.value() {
        Some(value) if value.as_object().is_none() => {
            let (line, column) = position(text, offset_of(&value));
            Err(ParseError {
                line,
                column,
                message: "the top level is not an object".to_owned(),
            })
        }
        _ => Ok(root),
    }
}

/// The text of `root` when it differs from `text`.
fn changed(text: &str, root: &CstRootNode) -> Option<String> {
    let new = root.to_string();
    (new != text).then_some(new)
}

/// The object at `path`, with the objects on the way created (or put in place
/// of what is not an object); `None` when the path names an element that is not
/// an object, which is never created.
fn object_along(root: &CstRootNode, path: &[Key<'_>]) -> Option<CstObject> {
    let mut object = root.object_value_or_set();
    let mut keys = path.iter().peekable();
    while let Some(key) = keys.next() {
        let Key::Member(name) = key else {
            return None;
        };
        object = match keys.next_if(|next| matches!(next, Key::Index(_))) {
            Some(Key::Index(index)) => last_member(&object, name)?
                .array_value()?
                .elements()
                .get(*index)?
                .as_object()?,
            _ => match last_member(&object, name) {
                Some(member) => member.object_value_or_set(),
                None => object
                    .append(name, CstInputValue::Object(Vec::new()))
                    .object_value()?,
            },
        };
    }
    Some(object)
}

/// Whether `object`'s first child, after its `{`, is a space on the brace's line.
fn starts_with_space(object: &CstObject) -> bool {
    first_after_brace(object).is_some_and(|first| first.is_whitespace())
}

/// What follows `object`'s `{`.
fn first_after_brace(object: &CstObject) -> Option<CstNode> {
    object
        .children()
        .into_iter()
        .skip_while(|child| child.token_char() != Some('{'))
        .nth(1)
}

/// The node `path` leads to from the root's value.
fn find(root: &CstRootNode, path: &[Key<'_>]) -> Option<CstNode> {
    let mut node = root.value()?;
    for key in path {
        node = match key {
            Key::Member(name) => last_member(&node.as_object()?, name)?.value()?,
            Key::Index(index) => node.as_array()?.elements().get(*index)?.clone(),
        };
    }
    Some(node)
}

/// The last member of that name, as VS Code reads duplicates.
fn last_member(object: &CstObject, name: &str) -> Option<CstObjectProp> {
    object
        .properties()
        .into_iter()
        .rev()
        .find(|member| member.decoded_name().as_deref() == Some(name))
}

/// The byte offset where `node` starts: the text of everything before it, at
/// every level up to the root.
fn offset_of(node: &CstNode) -> usize {
    let mut offset = 0;
    let mut current = node.clone();
    loop {
        offset += current
            .previous_siblings()
            .map(|sibling| sibling.to_string().len())
            .sum::<usize>();
        match current.parent() {
            Some(parent) => current = CstNode::Container(parent),
            None => return offset,
        }
    }
}

/// The 1-based line and column (in characters) of byte `at`.
fn position(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// What went wrong, in the words of the rest of iris-dev's errors.
fn describe(kind: &ParseErrorKind) -> String {
    use jsonc_parser::ParseStringErrorKind as StringKind;
    use jsonc_parser::errors::ParseErrorKind as Kind;
    match kind {
        Kind::ExpectedComma => "expected `,` after this value".to_owned(),
        Kind::ExpectedColonAfterObjectKey => "expected `:` after the key".to_owned(),
        Kind::ExpectedObjectValue => "expected a value after `:`".to_owned(),
        Kind::ExpectedStringObjectProperty => "a key must be a string in double quotes".to_owned(),
        Kind::SingleQuotedStringsNotAllowed => {
            "strings take double quotes, not single ones".to_owned()
        }
        Kind::UnexpectedWord | Kind::UnexpectedToken => "this is not a JSON value".to_owned(),
        Kind::MultipleRootJsonValues => "unexpected text after the end".to_owned(),
        Kind::UnterminatedObject => "this `{` is never closed".to_owned(),
        Kind::UnterminatedArray => "this `[` is never closed".to_owned(),
        Kind::UnterminatedCommentBlock => "unterminated `/*` comment".to_owned(),
        Kind::String(StringKind::UnterminatedStringLiteral) => "unterminated string".to_owned(),
        Kind::String(error) => format!("invalid string: {error}"),
        Kind::UnexpectedComma => "unexpected `,`".to_owned(),
        Kind::UnexpectedTokenInObject => "expected a key or `}`".to_owned(),
        Kind::UnexpectedCloseBrace => "unexpected `}`".to_owned(),
        Kind::UnexpectedCloseBracket => "unexpected `]`".to_owned(),
        Kind::UnexpectedColon => "unexpected `:`".to_owned(),
        Kind::NestingDepthExceeded => "nested too deeply".to_owned(),
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            chars.next().map_or(text.clone(), |first| {
                first.to_lowercase().chain(chars).collect()
            })
        }
    }
}

/// `value` as the tree's input.
fn input(value: &Value) -> CstInputValue {
    match value {
        Value::Null => CstInputValue::Null,
        Value::Bool(value) => CstInputValue::Bool(*value),
        Value::Number(number) => CstInputValue::Number(number.to_string()),
        Value::String(text) => CstInputValue::String(text.clone()),
        Value::Array(elements) => CstInputValue::Array(elements.iter().map(input).collect()),
        Value::Object(members) => CstInputValue::Object(
            members
                .iter()
                .map(|(name, value)| (name.clone(), input(value)))
                .collect(),
        ),
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
    fn inserts_the_member_after_the_last_one_with_the_files_indentation() {
        let text = "{\n\t// tabs\n\t\"a\": [1, 2] /* end */\n}\n";
        let new = set_members(text, "objectscript.conn", &conn(1))
            .unwrap()
            .unwrap();
        assert_eq!(
            new,
            "{\n\t// tabs\n\t\"a\": [1, 2], /* end */\n\t\"objectscript.conn\": {\n\t\t\"active\": true,\n\t\t\"host\": \"127.0.0.1\",\n\t\t\"port\": 1,\n\t\t\"ns\": \"USER\"\n\t}\n}\n"
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
            "{\n  \"k\": {\n    \"b\": 2, // two\n    \"c\": 3,\n  },\n}"
        );
    }

    #[test]
    fn adds_missing_members_to_the_existing_object_one_per_line() {
        let text = "{\r\n    \"objectscript.conn\": {\"active\": true},\r\n}";
        let new = set_members(text, "objectscript.conn", &conn(2))
            .unwrap()
            .unwrap();
        assert_eq!(
            new,
            "{\r\n    \"objectscript.conn\": {\r\n        \"active\": true,\r\n        \"host\": \"127.0.0.1\",\r\n        \"port\": 2,\r\n        \"ns\": \"USER\"\r\n    },\r\n}"
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
    fn sets_members_deep_down_and_keeps_the_neighbours() {
        let text = "{\n  \"intersystems.servers\": {\n    // the team's server\n    \"prod\": { \"webServer\": { \"host\": \"prod\", \"port\": 443 } },\n  },\n}\n";
        let path = [
            Key::Member("intersystems.servers"),
            Key::Member("iris-dev-shop"),
        ];
        let members = [
            (
                "webServer",
                json!({"scheme": "http", "host": "127.0.0.1", "port": 1}),
                Set::Always,
            ),
            ("description", json!("mine"), Set::IfMissing),
        ];
        let new = set_members_at(text, &path, &members).unwrap().unwrap();
        assert_eq!(
            new,
            "{\n  \"intersystems.servers\": {\n    // the team's server\n    \"prod\": { \"webServer\": { \"host\": \"prod\", \"port\": 443 } },\n    \"iris-dev-shop\": {\n      \"webServer\": {\n        \"scheme\": \"http\",\n        \"host\": \"127.0.0.1\",\n        \"port\": 1\n      },\n      \"description\": \"mine\"\n    },\n  },\n}\n"
        );
        assert_eq!(set_members_at(&new, &path, &members).unwrap(), None);
        let servers = value_at(&new, &path[..1]).unwrap().unwrap();
        assert_eq!(servers["prod"]["webServer"]["port"], 443);
        assert_eq!(servers["iris-dev-shop"]["webServer"]["port"], 1);
        // A changed port changes that object, not the description.
        let moved = [(
            "webServer",
            json!({"scheme": "http", "host": "127.0.0.1", "port": 2}),
            Set::Always,
        )];
        let edited = new.replace("\"mine\"", "\"mine\" // kept");
        let newer = set_members_at(&edited, &path, &moved).unwrap().unwrap();
        assert!(newer.contains("\"port\": 2\n"), "{newer}");
        assert!(newer.contains("\"mine\" // kept"), "{newer}");
        // Missing parents are created, in an empty file too.
        let created = set_members_at("", &path, &moved).unwrap().unwrap();
        let value: Value = serde_json::from_str(&created).unwrap();
        assert_eq!(
            value["intersystems.servers"]["iris-dev-shop"]["webServer"]["port"],
            2
        );
    }

    #[test]
    fn sets_members_of_an_array_element() {
        let text = "{\n  \"list\": [\n    {\"name\": \"a\", \"port\": 1}, // first\n    {\"name\": \"b\"}\n  ]\n}";
        let path = [Key::Member("list"), Key::Index(1)];
        let new = set_members_at(text, &path, &[("port", json!(2), Set::Always)])
            .unwrap()
            .unwrap();
        assert_eq!(
            new,
            "{\n  \"list\": [\n    {\"name\": \"a\", \"port\": 1}, // first\n    {\n      \"name\": \"b\",\n      \"port\": 2\n    }\n  ]\n}"
        );
        let list = value_at(&new, &path[..1]).unwrap().unwrap();
        assert_eq!(
            list,
            json!([{"name": "a", "port": 1}, {"name": "b", "port": 2}])
        );
        let missing = [Key::Member("list"), Key::Index(2)];
        assert_eq!(
            set_members_at(text, &missing, &[("port", json!(2), Set::Always)]).unwrap(),
            None
        );
    }

    #[test]
    fn removes_a_member_with_its_comma_and_line() {
        let path = [Key::Member("k")];
        let cases = [
            // Its own line, a comma after it.
            (
                "{\n  \"k\": {\n    \"a\": 1,\n    \"gone\": {\"x\": [1]}, // old\n    \"b\": 2\n  }\n}",
                "{\n  \"k\": {\n    \"a\": 1,\n    \"b\": 2\n  }\n}",
            ),
            // The last member: the comma before it goes, the comment stays.
            (
                "{\n  \"k\": {\n    \"a\": 1, // one\n    \"gone\": 2\n  }\n}",
                "{\n  \"k\": {\n    \"a\": 1 // one\n  }\n}",
            ),
            // A trailing comma after the last one.
            (
                "{\n  \"k\": {\n    \"a\": 1,\n    \"gone\": 2,\n  }\n}",
                "{\n  \"k\": {\n    \"a\": 1,\n  }\n}",
            ),
            // On one line, twice.
            (
                "{\"k\": {\"gone\": 1, \"a\": 1, \"gone\": 3}}",
                "{\"k\": {\"a\": 1}}",
            ),
            // The only member.
            (
                "{\n  \"k\": {\n    \"gone\": 2\n  }\n}",
                "{\n  \"k\": {}\n}",
            ),
        ];
        for (text, expected) in cases {
            let new = remove_member(text, &path, "gone").unwrap();
            assert_eq!(new.as_deref(), Some(expected), "{text}");
            assert_eq!(remove_member(expected, &path, "gone").unwrap(), None);
        }
        assert_eq!(remove_member("{}", &path, "gone").unwrap(), None);
    }

    #[test]
    fn appends_an_element() {
        let path = [Key::Member("list")];
        let value = json!({"name": "c", "port": 3});
        let text = "{\n  \"list\": [\n    {\"name\": \"a\"}, // a\n  ],\n}";
        let new = push_element(text, &path, &value).unwrap().unwrap();
        assert_eq!(
            new,
            "{\n  \"list\": [\n    {\"name\": \"a\"}, // a\n    {\n      \"name\": \"c\",\n      \"port\": 3,\n    },\n  ],\n}"
        );
        assert_eq!(
            value_at(&new, &path).unwrap().unwrap(),
            json!([{"name": "a"}, value])
        );
        let empty = "{\n  \"list\": []\n}";
        let new = push_element(empty, &path, &json!(1)).unwrap().unwrap();
        assert_eq!(new, "{\n  \"list\": [1]\n}");
        assert_eq!(
            push_element("{\"list\": 1}", &path, &json!(1)).unwrap(),
            None
        );
    }

    #[test]
    fn keeps_crlf_line_endings_in_nested_edits() {
        let text = "{\r\n  \"k\": {\r\n    \"gone\": 1,\r\n    \"a\": 2\r\n  }\r\n}\r\n";
        let path = [Key::Member("k"), Key::Member("deep")];
        let new = set_members_at(text, &path, &[("x", json!({"y": 1}), Set::Always)])
            .unwrap()
            .unwrap();
        let new = remove_member(&new, &path[..1], "gone").unwrap().unwrap();
        assert_eq!(
            new,
            "{\r\n  \"k\": {\r\n    \"a\": 2,\r\n    \"deep\": {\r\n      \"x\": {\r\n        \"y\": 1\r\n      }\r\n    }\r\n  }\r\n}\r\n"
        );
        assert!(!new.replace("\r\n", "").contains('\n'), "{new:?}");
    }

    #[test]
    fn errors_name_the_line_and_column() {
        let cases = [
            (
                "{\n  \"a\": 1\n  \"b\": 2\n}",
                2,
                9,
                "expected `,` after this value",
            ),
            ("{\n  \"a\": tru\n}", 2, 8, "this is not a JSON value"),
            ("{\n\n  \"a\": \"open\n}", 3, 8, "unterminated string"),
            ("{\n  /* open\n}", 2, 3, "unterminated `/*` comment"),
            ("{\n  \"a\": 1,\n", 1, 1, "this `{` is never closed"),
            ("[1]", 1, 1, "the top level is not an object"),
            ("// a list\n[1]", 2, 1, "the top level is not an object"),
            ("{} {}", 1, 4, "unexpected text after the end"),
            (
                "{\n  'a': 1\n}",
                2,
                3,
                "strings take double quotes, not single ones",
            ),
            (
                "{\"\u{e9}\": 0x1}",
                1,
                7,
                "hexadecimal numbers are not allowed",
            ),
            ("{a: 1}", 1, 2, "a key must be a string in double quotes"),
        ];
        for (text, line, column, message) in cases {
            let error = set_members(text, "k", &conn(1)).unwrap_err();
            assert_eq!(
                (error.line, error.column, error.message.as_str()),
                (line, column, message),
                "{text}"
            );
        }
    }

    #[test]
    fn duplicate_keys_read_and_edit_the_last_as_vs_code_does() {
        let text = "{\n  \"k\": {\"port\": 1},\n  \"k\": {\"port\": 2}\n}";
        let port = [Key::Member("k"), Key::Member("port")];
        assert_eq!(value_at(text, &port).unwrap(), Some(json!(2)));
        let new = set_members(text, "k", &[("port", json!(3), Set::Always)])
            .unwrap()
            .unwrap();
        assert_eq!(new, "{\n  \"k\": {\"port\": 1},\n  \"k\": {\"port\": 3}\n}");
        let (start, end) = span_at(&new, &port).unwrap().unwrap();
        assert_eq!(&new[start..end], "3");
        assert_eq!(
            set_members(&new, "k", &[("port", json!(3), Set::Always)]).unwrap(),
            None
        );
    }

    #[test]
    fn a_string_with_a_control_character_is_tolerated_as_vs_code_does() {
        let text = "{\"a\": \"x\u{1}y\"}";
        let new = set_members(text, "k", &[("b", json!(1), Set::Always)])
            .unwrap()
            .unwrap();
        assert!(new.contains("\"a\": \"x\u{1}y\",\n"), "{new:?}");
        assert_eq!(
            value_at(&new, &[Key::Member("k")]).unwrap(),
            Some(json!({"b": 1}))
        );
    }

    #[test]
    fn values_with_quotes_backslashes_and_control_characters_read_back_as_set() {
        // A password or a Windows path as `iris-dev vscode` may write it.
        let tricky = json!({"say \"hi\"": "C:\\iris\\mgr \"x\"\n\t\u{1} \u{e9} \u{1F600}"});
        let new = set_members("{}", "k", &[("v", tricky.clone(), Set::Always)])
            .unwrap()
            .unwrap();
        assert_eq!(
            value_at(&new, &[Key::Member("k"), Key::Member("v")]).unwrap(),
            Some(tricky.clone())
        );
        let parsed: Value = serde_json::from_str(&new).expect("plain JSON");
        assert_eq!(parsed["k"]["v"], tricky);

        let name = "a \"quoted\" \\ name";
        let new = set_members(&new, name, &[("b", json!(1), Set::Always)])
            .unwrap()
            .unwrap();
        assert_eq!(
            value_at(&new, &[Key::Member(name), Key::Member("b")]).unwrap(),
            Some(json!(1))
        );
    }
}
