//! What `iris-dev vscode` writes into `.vscode/settings.json`: the InterSystems
//! ObjectScript extension's `objectscript.conn`, whether its `docker-compose`
//! block stays, an InterSystems Server Manager entry (`intersystems.servers`),
//! SQLTools connections (`sqltools.connections`), and how a change is shown.
//!
//! Pure: the command reads and writes the file; [`crate::core::jsonc`] edits the text.

use serde_json::{Value, json};

use crate::core::connection::Login;
use crate::core::jsonc::Set;

/// The settings file, relative to the project root.
pub const SETTINGS_FILE: &str = ".vscode/settings.json";
/// The extension's connection setting.
pub const CONNECTION_KEY: &str = "objectscript.conn";
/// The namespace the extension gets when the compose config names none and the
/// file has none yet; IRIS's own default.
pub use crate::core::connection::DEFAULT_NAMESPACE;

/// InterSystems Server Manager's servers (`intersystems.servers` in
/// intersystems-community/intersystems-servermanager's `package.json`: a name
/// matching `^[a-z0-9-_~]+$`, `webServer` `{scheme, host, port}`, `superServer`
/// `{port}`, `username`, `description`).
pub const SERVERS_KEY: &str = "intersystems.servers";
/// SQLTools' connections, an array.
pub const SQLTOOLS_KEY: &str = "sqltools.connections";
/// The `driver` of sqltools-intersystems-driver's connections (its
/// `src/constants.ts`). It talks to IRIS's web port (`connection.schema.json`:
/// "Webserver port"), as the ObjectScript extension does.
pub const SQLTOOLS_DRIVER: &str = "InterSystems IRIS";
/// The ObjectScript extension's defaults for a `docker-compose` block
/// (`portFromDockerCompose` in vscode-objectscript's `src/utils/index.ts`).
const COMPOSE_DEFAULT_FILE: &str = "docker-compose.yml";
const COMPOSE_DEFAULT_WEB_PORT: u64 = 52773;
const COMPOSE_DEFAULT_SUPERSERVER_PORT: u64 = 1972;

/// The Server Manager entry's name: iris-dev's, after the compose project. Not
/// the folder's bare name, since the ObjectScript extension connects through a
/// server named like the workspace folder instead of `objectscript.conn`
/// (`setConnection` in vscode-objectscript's `src/api/index.ts`, lines 242-244, at
/// commit 5c72e3c).
pub fn server_name(compose_project: &str) -> String {
    format!("iris-dev-{compose_project}")
}

/// What the ObjectScript extension's compose lookup is measured against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeFacts<'a> {
    /// The stack's IRIS service, when the compose config names one.
    pub service: Option<&'a str>,
    /// The base files in the project root, by name.
    pub files: Vec<String>,
    /// Env files that leave the compose project name as it is: `.env` and
    /// `--env-file`'s, relative to the root.
    pub env_files: Vec<String>,
    /// The stack's compose project name, and the one plain compose in the root
    /// gives (see [`crate::core::stack::Stack::plain_name`]).
    pub stack_name: &'a str,
    pub plain_name: &'a str,
    /// The stack is the built-in template, which plain compose does not see.
    pub template: bool,
}

/// Whether `objectscript.conn`'s `docker-compose` block finds this stack: `None`
/// when it does, else why not.
///
/// With such a block, the extension (running on the desktop, not in a remote
/// window) asks compose instead of using `host` and `port`: `checkConnection` in
/// vscode-objectscript's `src/extension.ts` (lines 416-445, at commit 5c72e3c)
/// calls `portFromDockerCompose` (`src/utils/index.ts`, from line 476), which runs
/// `<compose> -f FILE [--env-file F] ps --services --filter status=running` and
/// `port --protocol=tcp SERVICE INTERNALPORT` in the workspace folder (no `-p`,
/// no override files), and when that port differs from `port` connects to
/// `localhost` on it. A service it does not find running is an error, not a
/// fallback to `host` and `port`; and a named `server` is ignored while the block
/// is there (`src/api/index.ts`, lines 245-252).
pub fn compose_lookup_misses(block: &Value, facts: &ComposeFacts<'_>) -> Option<String> {
    let text = |name: &str| block.get(name).and_then(Value::as_str);
    let number = |name: &str, default: u64| {
        block
            .get(name)
            .map_or(Some(default), Value::as_u64)
            .unwrap_or_default()
    };
    let Some(service) = text("service").filter(|service| !service.is_empty()) else {
        return Some("it names no `service`, so the extension ignores it".to_owned());
    };
    if facts.template {
        return Some(
            "the project runs the built-in template, which plain compose does not see".to_owned(),
        );
    }
    if facts.service != Some(service) {
        return Some(match facts.service {
            Some(iris) => format!("it names service `{service}`, IRIS is `{iris}`"),
            None => format!("iris-dev cannot tell whether `{service}` is IRIS"),
        });
    }
    let file = text("file").unwrap_or(COMPOSE_DEFAULT_FILE);
    let file = file.strip_prefix("./").unwrap_or(file);
    if !facts.files.iter().any(|known| known == file) {
        return Some(format!(
            "its file `{file}` is not the stack's ({})",
            facts
                .files
                .iter()
                .map(|known| format!("`{known}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let web = number("internalPort", COMPOSE_DEFAULT_WEB_PORT);
    let superserver = number("internalSuperserverPort", COMPOSE_DEFAULT_SUPERSERVER_PORT);
    if (web, superserver) != (COMPOSE_DEFAULT_WEB_PORT, COMPOSE_DEFAULT_SUPERSERVER_PORT) {
        return Some(format!(
            "it asks for container ports {web} and {superserver}, iris-dev publishes {COMPOSE_DEFAULT_WEB_PORT} and {COMPOSE_DEFAULT_SUPERSERVER_PORT}"
        ));
    }
    if let Some(env_file) = text("envFile") {
        let env_file = env_file.strip_prefix("./").unwrap_or(env_file);
        if !facts.env_files.iter().any(|known| known == env_file) {
            return Some(format!(
                "its `envFile` `{env_file}` may name another compose project"
            ));
        }
    }
    if facts.plain_name != facts.stack_name {
        return Some(format!(
            "plain compose in the project acts on compose project `{}`, not on this stack's `{}`",
            facts.plain_name, facts.stack_name
        ));
    }
    None
}

/// The Server Manager entry's members: the same host and ports as
/// `objectscript.conn`; the user only when the IRIS service sets one.
pub fn server_members(
    host: &str,
    port: u16,
    web_port: u16,
    login: &Login,
    project: &str,
) -> Vec<(&'static str, Value, Set)> {
    // The schema's host is a bare name or address, not `[::1]`.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let mut members = vec![
        (
            "webServer",
            json!({"scheme": "http", "host": host, "port": web_port}),
            Set::Always,
        ),
        ("superServer", json!({"port": port}), Set::Always),
    ];
    if let Some(username) = &login.username {
        members.push(("username", json!(username), Set::Always));
    }
    members.push((
        "description",
        json!(format!("IRIS of {project} (iris-dev)")),
        Set::IfMissing,
    ));
    members
}

/// The SQLTools connections that are this project's: the InterSystems IRIS
/// driver's that carry iris-dev's name, or connect by server and port to this
/// machine (a template's `localhost` entry with a port from another run).
pub fn sqltools_targets(connections: &Value, host: &str, name: &str) -> Vec<usize> {
    let local = ["localhost", "127.0.0.1", "::1", "[::1]", host];
    connections
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .filter(|(_, connection)| {
            let text = |key: &str| connection.get(key).and_then(Value::as_str);
            text("driver") == Some(SQLTOOLS_DRIVER)
                && text("connectionMethod") != Some("Server Definition")
                && (text("name") == Some(name)
                    || text("server").is_some_and(|server| local.contains(&server)))
        })
        .map(|(index, _)| index)
        .collect()
}

/// The members iris-dev sets in a project's SQLTools connection: the web port,
/// as the driver uses it.
pub fn sqltools_members(
    host: &str,
    web_port: u16,
    login: &Login,
) -> Vec<(&'static str, Value, Set)> {
    let mut members = vec![
        ("server", json!(host), Set::Always),
        ("port", json!(web_port), Set::Always),
    ];
    members.push(match &login.namespace {
        Some(namespace) => ("namespace", json!(namespace), Set::Always),
        None => ("namespace", json!(DEFAULT_NAMESPACE), Set::IfMissing),
    });
    if let Some(username) = &login.username {
        members.push(("username", json!(username), Set::Always));
    }
    members
}

/// A new SQLTools connection for the project; the password is asked for.
pub fn sqltools_connection(name: &str, host: &str, web_port: u16, login: &Login) -> Value {
    let mut connection = json!({
        "name": name,
        "driver": SQLTOOLS_DRIVER,
        "connectionMethod": "Server and Port",
    });
    for (key, value, _) in sqltools_members(host, web_port, login) {
        connection[key] = value;
    }
    connection["askForPassword"] = json!(true);
    connection
}

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

/// A unified diff: the lines of a longest common subsequence stay, the rest are
/// removed or added, in hunks with up to three lines of context (edits further
/// apart are hunks of their own). Settings files are small, so the quadratic
/// table is fine.
pub fn diff(name: &str, old: &str, new: &str) -> String {
    const CONTEXT: usize = 3;
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let (n, m) = (old_lines.len(), new_lines.len());
    let mut common = vec![vec![0_usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            common[i][j] = if old_lines[i] == new_lines[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    // Each line of the diff: its mark, its text, and where it stands in the old
    // and the new text.
    let mut lines: Vec<(char, &str, usize, usize)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && old_lines[i] == new_lines[j] {
            lines.push((' ', old_lines[i], i, j));
            i += 1;
            j += 1;
        } else if i < n && (j == m || common[i + 1][j] >= common[i][j + 1]) {
            lines.push(('-', old_lines[i], i, j));
            i += 1;
        } else {
            lines.push(('+', new_lines[j], i, j));
            j += 1;
        }
    }
    let changes: Vec<usize> = (0..lines.len()).filter(|k| lines[*k].0 != ' ').collect();
    let mut hunks: Vec<(usize, usize)> = Vec::new();
    for &change in &changes {
        let start = change.saturating_sub(CONTEXT);
        let end = (change + CONTEXT + 1).min(lines.len());
        match hunks.last_mut() {
            Some(last) if start <= last.1 => last.1 = end,
            _ => hunks.push((start, end)),
        }
    }
    let from = if old.is_empty() {
        "/dev/null".to_owned()
    } else {
        format!("a/{name}")
    };
    let mut text = format!("--- {from}\n+++ b/{name}\n");
    for (start, end) in hunks {
        let hunk = &lines[start..end];
        let old_count = hunk.iter().filter(|line| line.0 != '+').count();
        let new_count = hunk.iter().filter(|line| line.0 != '-').count();
        let (old_at, new_at) = (hunk[0].2, hunk[0].3);
        text.push_str(&format!(
            "@@ -{},{old_count} +{},{new_count} @@\n",
            if old_count == 0 { old_at } else { old_at + 1 },
            if new_count == 0 { new_at } else { new_at + 1 },
        ));
        for (mark, line, _, _) in hunk {
            text.push_str(&format!("{mark}{line}\n"));
        }
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

    fn facts() -> ComposeFacts<'static> {
        ComposeFacts {
            service: Some("iris"),
            files: vec!["docker-compose.yml".into()],
            env_files: vec![".env".into()],
            stack_name: "shop",
            plain_name: "shop",
            template: false,
        }
    }

    #[test]
    fn the_compose_block_stays_only_when_it_finds_the_stack() {
        let template = json!({"service": "iris", "internalPort": 52773});
        assert_eq!(compose_lookup_misses(&template, &facts()), None);
        let full = json!({"service": "iris", "file": "./docker-compose.yml", "internalPort": 52773, "internalSuperserverPort": 1972, "envFile": ".env"});
        assert_eq!(compose_lookup_misses(&full, &facts()), None);
        let cases = [
            (
                json!({"internalPort": 52773}),
                facts(),
                "names no `service`",
            ),
            (
                json!({"service": "web"}),
                facts(),
                "service `web`, IRIS is `iris`",
            ),
            (
                template.clone(),
                ComposeFacts {
                    files: vec!["compose.yaml".into()],
                    ..facts()
                },
                "file `docker-compose.yml` is not the stack's (`compose.yaml`)",
            ),
            (
                json!({"service": "iris", "internalPort": 80}),
                facts(),
                "container ports 80 and 1972",
            ),
            (
                json!({"service": "iris", "envFile": "other.env"}),
                facts(),
                "`envFile` `other.env`",
            ),
            (
                template.clone(),
                ComposeFacts {
                    plain_name: "app",
                    stack_name: "app-6ad09d59",
                    ..facts()
                },
                "compose project `app`, not on this stack's `app-6ad09d59`",
            ),
            (
                template.clone(),
                ComposeFacts {
                    template: true,
                    ..facts()
                },
                "built-in template",
            ),
            (
                template.clone(),
                ComposeFacts {
                    service: None,
                    ..facts()
                },
                "cannot tell whether `iris` is IRIS",
            ),
        ];
        for (block, facts, reason) in cases {
            let missed = compose_lookup_misses(&block, &facts).unwrap_or_default();
            assert!(missed.contains(reason), "{block}: {missed}");
        }
    }

    #[test]
    fn sqltools_targets_are_the_projects_iris_connections() {
        let connections = json!([
            {"driver": "InterSystems IRIS", "name": "template", "server": "localhost", "port": 32770},
            {"driver": "PostgreSQL", "server": "localhost", "port": 5432},
            {"driver": "InterSystems IRIS", "name": "prod", "server": "prod.example", "port": 443},
            {"driver": "InterSystems IRIS", "name": "iris-dev-shop", "server": "old", "port": 1},
            {"driver": "InterSystems IRIS", "connectionMethod": "Server Definition", "serverName": "x", "server": "localhost"},
        ]);
        assert_eq!(
            sqltools_targets(&connections, "127.0.0.1", "iris-dev-shop"),
            [0, 3]
        );
        assert_eq!(
            sqltools_targets(&json!({}), "127.0.0.1", "x"),
            Vec::<usize>::new()
        );
        let login = Login {
            namespace: None,
            username: Some("dev".into()),
            password: Some("never written".into()),
        };
        assert_eq!(
            sqltools_connection("iris-dev-shop", "127.0.0.1", 52_774, &login),
            json!({"name": "iris-dev-shop", "driver": "InterSystems IRIS", "connectionMethod": "Server and Port", "server": "127.0.0.1", "port": 52774, "namespace": "USER", "username": "dev", "askForPassword": true})
        );
        let members = server_members("[::1]", 1973, 52_774, &login, "/p");
        assert_eq!(
            members[0].1,
            json!({"scheme": "http", "host": "::1", "port": 52774})
        );
        assert_eq!(members[1].1, json!({"port": 1973}));
        assert!(!format!("{members:?}").contains("never written"));
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

    #[test]
    fn diff_keeps_unchanged_lines_between_edits_far_apart() {
        let old: String = (1..=12).map(|n| format!("line {n}\n")).collect();
        let new = old
            .replace("line 2\n", "line two\n")
            .replace("line 11\n", "line 11\nline 11.5\n");
        insta::assert_snapshot!(diff("f", &old, &new), @r"
        --- a/f
        +++ b/f
        @@ -1,5 +1,5 @@
         line 1
        -line 2
        +line two
         line 3
         line 4
         line 5
        @@ -9,4 +9,5 @@
         line 9
         line 10
         line 11
        +line 11.5
         line 12
        ");
    }
}
