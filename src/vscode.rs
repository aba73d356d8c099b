//! What `iris-dev vscode` writes into `.vscode/settings.json` for the InterSystems
//! ObjectScript extension (`objectscript.conn`), and how a change is shown.
//!
//! Pure: the command reads and writes the file; [`crate::jsonc`] edits the text.

use serde_json::{Value, json};

use crate::connection::Login;
use crate::jsonc::Set;

/// The settings file, relative to the project root.
pub const SETTINGS_FILE: &str = ".vscode/settings.json";
/// The extension's connection setting.
pub const CONNECTION_KEY: &str = "objectscript.conn";
/// The namespace the extension gets when the compose config names none and the
/// file has none yet; IRIS's own default.
pub use crate::connection::DEFAULT_NAMESPACE;

/// The members of `objectscript.conn`: the address is always the project's; the
/// namespace and user are the IRIS service's when its environment sets them,
/// else a namespace already in the file is kept and the user left alone.
pub fn connection_members(
    host: &str,
    web_port: u16,
    login: &Login,
) -> Vec<(&'static str, Value, Set)> {
    let mut members = vec![
        ("active", json!(true), Set::Always),
        ("host", json!(host), Set::Always),
        ("port", json!(web_port), Set::Always),
    ];
    members.push(match &login.namespace {
        Some(namespace) => ("ns", json!(namespace), Set::Always),
        None => ("ns", json!(DEFAULT_NAMESPACE), Set::IfMissing),
    });
    if let Some(username) = &login.username {
        members.push(("username", json!(username), Set::Always));
    }
    members
}

/// A unified diff of one hunk, from the first to the last line that differs,
/// with up to three lines of context around it.
pub fn diff(name: &str, old: &str, new: &str) -> String {
    const CONTEXT: usize = 3;
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let prefix = old_lines
        .iter()
        .zip(&new_lines)
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = old_lines[prefix..]
        .iter()
        .rev()
        .zip(new_lines[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let start = prefix.saturating_sub(CONTEXT);
    let after = suffix.min(CONTEXT);
    let old_end = old_lines.len() - suffix;
    let new_end = new_lines.len() - suffix;
    let old_count = old_end + after - start;
    let new_count = new_end + after - start;
    let from = if old.is_empty() {
        "/dev/null".to_owned()
    } else {
        format!("a/{name}")
    };
    let mut text = format!(
        "--- {from}\n+++ b/{name}\n@@ -{},{old_count} +{},{new_count} @@\n",
        if old_count == 0 { start } else { start + 1 },
        start + 1
    );
    for line in &old_lines[start..prefix] {
        text.push_str(&format!(" {line}\n"));
    }
    for line in &old_lines[prefix..old_end] {
        text.push_str(&format!("-{line}\n"));
    }
    for line in &new_lines[prefix..new_end] {
        text.push_str(&format!("+{line}\n"));
    }
    for line in &old_lines[old_end..old_end + after] {
        text.push_str(&format!(" {line}\n"));
    }
    text.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_and_user_come_from_the_service() {
        let members = connection_members("127.0.0.1", 52_774, &Login::default());
        assert_eq!(
            members.iter().map(|m| m.0).collect::<Vec<_>>(),
            ["active", "host", "port", "ns"]
        );
        assert_eq!(members[3], ("ns", json!("USER"), Set::IfMissing));
        let login = Login {
            namespace: Some("APP".into()),
            username: Some("dev".into()),
            password: Some("never written".into()),
        };
        let members = connection_members("127.0.0.1", 52_774, &login);
        assert_eq!(members[3], ("ns", json!("APP"), Set::Always));
        assert_eq!(members[4], ("username", json!("dev"), Set::Always));
        assert_eq!(members.len(), 5);
    }

    #[test]
    fn diff_shows_the_changed_lines_with_context() {
        let old = "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3,\n  \"d\": 4,\n  \"e\": 5\n}\n";
        let new = old.replace("\"c\": 3", "\"c\": 30");
        insta::assert_snapshot!(diff(".vscode/settings.json", old, &new), @r#"
        --- a/.vscode/settings.json
        +++ b/.vscode/settings.json
        @@ -1,7 +1,7 @@
         {
           "a": 1,
           "b": 2,
        -  "c": 3,
        +  "c": 30,
           "d": 4,
           "e": 5
         }
        "#);
        assert_eq!(
            diff("s.json", "", "{}\n"),
            "--- /dev/null\n+++ b/s.json\n@@ -0,0 +1,1 @@\n+{}"
        );
    }
}
