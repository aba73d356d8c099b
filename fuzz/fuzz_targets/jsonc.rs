//! `.vscode/settings.json` (JSON with comments), edited the way `iris-dev
//! vscode` edits it. Setting a member changes only that member: the bytes
//! outside the object that holds it are unchanged, the result parses, reads
//! back the value set, and as plain JSON is the old document with that one
//! member set. Removing a member and appending an element likewise.
#![no_main]

use arbitrary::Arbitrary;
use iris_dev::core::jsonc::{self, Key, Set};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    text: &'a str,
    /// Member names along the path, from a small alphabet so that they meet
    /// the document's own.
    path: Vec<u8>,
    member: u8,
    value: u8,
    action: u8,
}

const NAMES: [&str; 6] = ["a", "b", "objectscript.conn", "servers", "x y", "\u{e9}"];

fn name(byte: u8) -> &'static str {
    NAMES[usize::from(byte) % NAMES.len()]
}

fn value(byte: u8) -> Value {
    match byte % 6 {
        0 => json!(1972),
        1 => json!("iris-dev"),
        2 => json!({"port": 52773, "host": "127.0.0.1"}),
        3 => json!([1, "two", {"three": null}]),
        4 => json!(true),
        _ => json!({}),
    }
}

/// `document` with `value` set at `path` + `member`, creating objects on the way
/// and replacing what is not one, as [`jsonc::set_members_at`] documents.
fn expected_set(document: &mut Value, path: &[&str], member: &str, value: &Value) {
    let mut at = document;
    for key in path {
        if !at.is_object() {
            *at = json!({});
        }
        at = at
            .as_object_mut()
            .unwrap()
            .entry(key.to_string())
            .or_insert_with(|| json!({}));
    }
    if !at.is_object() {
        *at = json!({});
    }
    at.as_object_mut()
        .unwrap()
        .insert(member.to_owned(), value.clone());
}

/// The span the edit may touch: the deepest object along `path` that exists
/// (by its bytes: a root that is not plain JSON still has one).
fn editable_span(text: &str, path: &[Key<'_>]) -> Option<(usize, usize)> {
    (0..=path.len()).rev().find_map(|depth| {
        let (start, end) = jsonc::span_at(text, &path[..depth]).ok()??;
        text[start..].starts_with('{').then_some((start, end))
    })
}

/// The bytes before and after which `old` and `new` agree.
fn changed_window(old: &str, new: &str) -> (usize, usize) {
    let prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take_while(|(a, b)| a == b)
        .count()
        .min(old.len() - prefix)
        .min(new.len() - prefix);
    (prefix, old.len() - suffix)
}

fuzz_target!(|input: Input<'_>| {
    let text = input.text;
    let names: Vec<&str> = input.path.iter().take(3).map(|byte| name(*byte)).collect();
    let path: Vec<Key<'_>> = names.iter().map(|name| Key::Member(name)).collect();
    let member = name(input.member);
    let value = value(input.value);
    let Ok(document) = jsonc::value_at(text, &[]) else {
        return;
    };
    // A root that is there but not plain JSON (a control character in a
    // string, which the editor tolerates as VS Code does) has no expected
    // document to compare with: only the read-back and the bytes are checked.
    let has_root = jsonc::span_at(text, &[]).unwrap().is_some();
    let comparable = document.is_some() || !has_root;
    match input.action % 3 {
        0 => {
            let Ok(edited) =
                jsonc::set_members_at(text, &path, &[(member, value.clone(), Set::Always)])
            else {
                // Only a root that is not an object is refused.
                assert!(
                    has_root && !matches!(document, Some(Value::Object(_))),
                    "{text:?}"
                );
                return;
            };
            let Some(edited) = edited else {
                let mut full: Vec<Key<'_>> = path.clone();
                full.push(Key::Member(member));
                assert_eq!(
                    jsonc::value_at(text, &full).unwrap(),
                    Some(value),
                    "no change, so it was set already"
                );
                return;
            };
            let mut full = path.clone();
            full.push(Key::Member(member));
            assert_eq!(
                jsonc::value_at(&edited, &full).unwrap(),
                Some(value.clone()),
                "reads back the value: {edited:?}"
            );
            if comparable {
                let mut expected = document.clone().unwrap_or_else(|| json!({}));
                expected_set(&mut expected, &names, member, &value);
                // Duplicate keys: JSON keeps the last, the editor edits the last.
                assert_eq!(
                    jsonc::value_at(&edited, &[]).unwrap(),
                    Some(expected),
                    "only the member changed: {edited:?}"
                );
            }
            match editable_span(text, &path) {
                Some((start, end)) => {
                    let (from, to) = changed_window(text, &edited);
                    assert!(
                        start <= from && to <= end,
                        "bytes outside {start}..{end} changed ({from}..{to}): {edited:?}"
                    );
                }
                None => assert!(edited.starts_with(text.trim_end()), "{edited:?}"),
            }
        }
        1 => {
            let Ok(Some(edited)) = jsonc::remove_member(text, &path, member) else {
                return;
            };
            if document.is_none() {
                return;
            }
            let mut full = path.clone();
            full.push(Key::Member(member));
            assert_eq!(jsonc::value_at(&edited, &full).unwrap(), None, "{edited:?}");
            let mut expected = document.clone().unwrap();
            let mut at = &mut expected;
            for name in &names {
                at = at.get_mut(*name).unwrap();
            }
            at.as_object_mut().unwrap().shift_remove(member);
            assert_eq!(
                jsonc::value_at(&edited, &[]).unwrap(),
                Some(expected),
                "{edited:?}"
            );
        }
        _ => {
            let Ok(Some(edited)) = jsonc::push_element(text, &path, &value) else {
                return;
            };
            if document.is_none() {
                return;
            }
            let mut expected = document.clone().unwrap();
            let mut at = &mut expected;
            for name in &names {
                at = at.get_mut(*name).unwrap();
            }
            at.as_array_mut().unwrap().push(value);
            assert_eq!(
                jsonc::value_at(&edited, &[]).unwrap(),
                Some(expected),
                "{edited:?}"
            );
            let (start, end) = jsonc::span_at(text, &path).unwrap().unwrap();
            let (from, to) = changed_window(text, &edited);
            assert!(start <= from && to <= end, "outside the array: {edited:?}");
        }
    }
});
