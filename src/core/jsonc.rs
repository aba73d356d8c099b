//! Editing JSON with comments (VS Code's `settings.json`) without disturbing it:
//! a tokenizer that knows strings, `//` and `/* */` comments and trailing commas
//! finds the byte spans of members and array elements along a path ([`Key`]),
//! and only those spans change: members set at any depth, a member removed with
//! its comma, an element appended.
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
    let newline = newline_of(text);
    let root = match parse(text)? {
        None => {
            let Some(value) = nested(path, members) else {
                return Ok(None);
            };
            let prefix = text.trim_end();
            let separator = if prefix.is_empty() { "" } else { newline };
            let rendered = render_value(&value, "", "    ", newline);
            return Ok(Some(format!("{prefix}{separator}{rendered}{newline}")));
        }
        Some(Node::Object(root)) => root,
        Some(_) => return Err(top_level_error()),
    };
    let unit = indent_unit(text, &root);
    set_in_object(text, &root, path, members, &unit, newline)
}

/// [`set_members_at`] from `object`, one step of `path` at a time.
fn set_in_object(
    text: &str,
    object: &Object,
    path: &[Key<'_>],
    members: &[(&str, Value, Set)],
    unit: &str,
    newline: &str,
) -> Result<Option<String>, ParseError> {
    let Some((key, rest)) = path.split_first() else {
        return Ok(plan(text, object, members, unit, newline).map(|edit| apply(text, edit)));
    };
    let Key::Member(name) = key else {
        return Ok(None);
    };
    let Some(member) = object.member(name) else {
        let Some(value) = nested(rest, members) else {
            return Ok(None);
        };
        let indent = member_indent(text, object, unit);
        let rendered = render_value(&value, &indent, unit, newline);
        return Ok(Some(apply(
            text,
            insertion(text, object, &[(name, rendered)], unit, newline),
        )));
    };
    match (&member.value, rest.split_first()) {
        (Node::Object(inner), _) => set_in_object(text, inner, rest, members, unit, newline),
        (Node::Array(array), Some((Key::Index(index), rest))) => match array.elements.get(*index) {
            Some(Node::Object(element)) => {
                set_in_object(text, element, rest, members, unit, newline)
            }
            _ => Ok(None),
        },
        (other, _) => Ok(Some(replace_node(
            text, other, rest, members, unit, newline,
        ))),
    }
}

/// The text with `node` replaced by the objects of `path` holding `members`.
fn replace_node(
    text: &str,
    node: &Node,
    path: &[Key<'_>],
    members: &[(&str, Value, Set)],
    unit: &str,
    newline: &str,
) -> String {
    let value = nested(path, members).unwrap_or_else(|| members_value(members));
    let (start, end) = node.span();
    let indent = line_indent(text, start);
    apply(
        text,
        (start, end, render_value(&value, &indent, unit, newline)),
    )
}

/// Removes the member `name` of the object at `path` (every one of that name),
/// with its comma and, when it had the line to itself, its line. `None` when
/// there is no such member.
pub fn remove_member(
    text: &str,
    path: &[Key<'_>],
    name: &str,
) -> Result<Option<String>, ParseError> {
    let mut text = text.to_owned();
    let mut changed = false;
    loop {
        let root = parse(&text)?;
        let Some(Node::Object(object)) = root.as_ref().and_then(|root| find(root, path)) else {
            break;
        };
        let Some(index) = object.members.iter().rposition(|member| member.key == name) else {
            break;
        };
        let edits = removal(&text, object, index);
        let Some(edit) = combine(&text, edits) else {
            break;
        };
        text = apply(&text, edit);
        changed = true;
    }
    Ok(changed.then_some(text))
}

/// Appends `value` to the array at `path`, after its last element. `None` when
/// there is no array there.
pub fn push_element(
    text: &str,
    path: &[Key<'_>],
    value: &Value,
) -> Result<Option<String>, ParseError> {
    let newline = newline_of(text);
    let Some(root) = parse(text)? else {
        return Ok(None);
    };
    let unit = match &root {
        Node::Object(object) => indent_unit(text, object),
        _ => "    ".to_owned(),
    };
    let Some(Node::Array(array)) = find(&root, path) else {
        return Ok(None);
    };
    let indent = match array.elements.first() {
        Some(first) if text[array.open..first.span().0].contains('\n') => {
            line_indent(text, first.span().0)
        }
        _ => format!("{}{unit}", line_indent(text, array.open)),
    };
    let rendered = format!("{indent}{}", render_value(value, &indent, &unit, newline));
    let last_end = array.elements.last().map(|last| last.span().1);
    let closing = line_indent(text, array.open);
    Ok(Some(apply(
        text,
        insert_after(
            text,
            last_end,
            (array.open, array.close),
            &[rendered],
            &closing,
            newline,
        ),
    )))
}

/// The value at `path` as plain JSON (comments and trailing commas dropped);
/// `None` when the path leads nowhere.
pub fn value_at(text: &str, path: &[Key<'_>]) -> Result<Option<Value>, ParseError> {
    let Some(root) = parse(text)? else {
        return Ok(None);
    };
    Ok(find(&root, path).and_then(|node| {
        let (start, end) = node.span();
        plain_json(&text[start..end])
    }))
}

/// The byte span of the value at `path` (an object or array with its
/// brackets); `None` when the path leads nowhere. What an edit at `path` may
/// change lies inside it, which the fuzz target `jsonc` checks.
pub fn span_at(text: &str, path: &[Key<'_>]) -> Result<Option<(usize, usize)>, ParseError> {
    Ok(parse(text)?.and_then(|root| find(&root, path).map(Node::span)))
}

fn newline_of(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

fn top_level_error() -> ParseError {
    ParseError {
        line: 1,
        message: "the top level is not an object".to_owned(),
    }
}

fn apply(text: &str, (start, end, replacement): (usize, usize, String)) -> String {
    format!("{}{replacement}{}", &text[..start], &text[end..])
}

/// The node `path` leads to from `root`.
fn find<'n>(root: &'n Node, path: &[Key<'_>]) -> Option<&'n Node> {
    let mut node = root;
    for key in path {
        node = match (node, key) {
            (Node::Object(object), Key::Member(name)) => &object.member(name)?.value,
            (Node::Array(array), Key::Index(index)) => array.elements.get(*index)?,
            _ => return None,
        };
    }
    Some(node)
}

fn members_value(members: &[(&str, Value, Set)]) -> Value {
    Value::Object(
        members
            .iter()
            .map(|(name, value, _)| ((*name).to_owned(), value.clone()))
            .collect(),
    )
}

/// The objects of `path` (members only) around `members`; `None` when the path
/// names an element, which is never created.
fn nested(path: &[Key<'_>], members: &[(&str, Value, Set)]) -> Option<Value> {
    let mut value = members_value(members);
    for key in path.iter().rev() {
        let Key::Member(name) = key else {
            return None;
        };
        value = Value::Object([((*name).to_owned(), value)].into_iter().collect());
    }
    Some(value)
}

/// JSON with comments as plain JSON: its tokens without the commas that end a
/// list.
fn plain_json(text: &str) -> Option<Value> {
    let tokens = tokenize(text).ok()?;
    let mut plain = String::new();
    for (index, (token, start, end)) in tokens.iter().enumerate() {
        let next = tokens.get(index + 1).map(|next| next.0);
        if *token == Token::Comma && matches!(next, Some(Token::Close | Token::CloseArray) | None) {
            continue;
        }
        plain.push_str(&text[*start..*end]);
    }
    serde_json::from_str(&plain).ok()
}

/// One replacement `(start, end, text)` that sets `members` in `object`, or
/// `None` when nothing differs.
fn plan(
    text: &str,
    object: &Object,
    members: &[(&str, Value, Set)],
    unit: &str,
    newline: &str,
) -> Option<(usize, usize, String)> {
    let mut edits = Vec::new();
    let mut missing = Vec::new();
    let indent = member_indent(text, object, unit);
    for (name, value, set) in members {
        match object.member(name) {
            Some(existing) => {
                let (start, end) = existing.value.span();
                let current = plain_json(&text[start..end]);
                if *set == Set::Always && current.as_ref() != Some(value) {
                    let indent = line_indent(text, existing.key_start);
                    edits.push((start, end, render_value(value, &indent, unit, newline)));
                }
            }
            None => missing.push((*name, render_value(value, &indent, unit, newline))),
        }
    }
    if !missing.is_empty() {
        edits.push(insertion(text, object, &missing, unit, newline));
    }
    combine(text, edits)
}

/// The deletions that remove `object`'s member `index`: with its own comma, or
/// (the last member) the comma before it; its line too when it had the line to
/// itself.
fn removal(text: &str, object: &Object, index: usize) -> Vec<(usize, usize, String)> {
    let member = &object.members[index];
    let value_end = member.value.span().1;
    let line_start = text[..member.key_start].rfind('\n').map_or(0, |i| i + 1);
    let alone_before = text[line_start..member.key_start].trim().is_empty();
    match member.comma {
        Some(comma) => {
            let mut end = comma + 1;
            let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
            let mut start = member.key_start;
            // The member's own `//` comment goes with it.
            let rest = text[end..line_end].trim();
            if alone_before && (rest.is_empty() || rest.starts_with("//")) {
                start = line_start;
                end = line_end;
            } else {
                end += text[end..].len() - text[end..].trim_start_matches([' ', '\t']).len();
            }
            vec![(start, end, String::new())]
        }
        None => {
            let mut start = member.key_start;
            if alone_before && line_start > 0 {
                start = line_start - 1;
                if text[..start].ends_with('\r') {
                    start -= 1;
                }
            }
            let comma = index
                .checked_sub(1)
                .and_then(|previous| object.members[previous].comma);
            match comma {
                // On the previous member's line: from its comma on.
                Some(comma) if !alone_before => vec![(comma, value_end, String::new())],
                // A comment after the previous member's comma stays there.
                Some(comma) => vec![
                    (comma, comma + 1, String::new()),
                    (start, value_end, String::new()),
                ],
                None => vec![(start, value_end, String::new())],
            }
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
/// stays after the new ones), or inside an empty object. Each value is
/// rendered for the members' indentation.
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
    let last_end = object.members.last().map(|last| last.value.span().1);
    let closing = line_indent(text, object.open);
    insert_after(
        text,
        last_end,
        (object.open, object.close),
        &lines,
        &closing,
        newline,
    )
}

/// Inserts whole `lines` (members or elements) after the one that ends at
/// `last_end`, or between the brackets `open` and `close` of an empty list.
fn insert_after(
    text: &str,
    last_end: Option<usize>,
    (open, close): (usize, usize),
    lines: &[String],
    closing: &str,
    newline: &str,
) -> (usize, usize, String) {
    match last_end {
        Some(at) => {
            // A `//` comment after the last one stays on its line.
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
            for line in lines {
                replacement.push(',');
                replacement.push_str(newline);
                replacement.push_str(line);
            }
            (at, at, replacement)
        }
        None => {
            let replacement = format!(
                "{newline}{}{newline}{closing}",
                lines.join(&format!(",{newline}"))
            );
            (open + 1, close, replacement)
        }
    }
}

/// `value` as JSON that starts where a member's value does, on a line indented
/// by `indent`: objects and arrays one member or element a line, one `unit`
/// deeper.
fn render_value(value: &Value, indent: &str, unit: &str, newline: &str) -> String {
    let inner = format!("{indent}{unit}");
    let (open, close, lines): (&str, &str, Vec<String>) = match value {
        Value::Object(object) if !object.is_empty() => (
            "{",
            "}",
            object
                .iter()
                .map(|(name, value)| {
                    format!(
                        "{inner}{}: {}",
                        quote(name),
                        render_value(value, &inner, unit, newline)
                    )
                })
                .collect(),
        ),
        Value::Array(array) if !array.is_empty() => (
            "[",
            "]",
            array
                .iter()
                .map(|value| format!("{inner}{}", render_value(value, &inner, unit, newline)))
                .collect(),
        ),
        other => return other.to_string(),
    };
    format!(
        "{open}{newline}{}{newline}{indent}{close}",
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
    Array(Array),
    /// Scalars, by their byte span.
    Other(usize, usize),
}

impl Node {
    fn span(&self) -> (usize, usize) {
        match self {
            Self::Object(object) => (object.open, object.close + 1),
            Self::Array(array) => (array.open, array.close + 1),
            Self::Other(start, end) => (*start, *end),
        }
    }
}

#[derive(Debug)]
struct Array {
    /// Byte offsets of `[` and `]`.
    open: usize,
    close: usize,
    elements: Vec<Node>,
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
    /// The byte offset of the comma after the value, if one follows.
    comma: Option<usize>,
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
                let mut elements = Vec::new();
                loop {
                    if self.peek() == Some(Token::CloseArray) {
                        break;
                    }
                    elements.push(self.value()?);
                    if self.peek() == Some(Token::Comma) {
                        self.at += 1;
                    } else {
                        break;
                    }
                }
                let (token, close, _) = self.next("`]`")?;
                if token != Token::CloseArray {
                    return Err(self.error(close, "expected `,` or `]`"));
                }
                Ok(Node::Array(Array {
                    open: start,
                    close,
                    elements,
                }))
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
            let comma = (self.peek() == Some(Token::Comma)).then(|| self.tokens[self.at].1);
            members.push(Member {
                key,
                key_start,
                value,
                comma,
            });
            if comma.is_some() {
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
            "{\n  \"list\": [\n    {\"name\": \"a\", \"port\": 1}, // first\n    {\"name\": \"b\",\n      \"port\": 2}\n  ]\n}"
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
                "{\n  \"k\": {\n  }\n}",
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
            "{\n  \"list\": [\n    {\"name\": \"a\"}, // a\n    {\n      \"name\": \"c\",\n      \"port\": 3\n    }\n  ],\n}"
        );
        assert_eq!(
            value_at(&new, &path).unwrap().unwrap(),
            json!([{"name": "a"}, value])
        );
        let empty = "{\n  \"list\": []\n}";
        let new = push_element(empty, &path, &json!(1)).unwrap().unwrap();
        assert_eq!(new, "{\n  \"list\": [\n    1\n  ]\n}");
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
