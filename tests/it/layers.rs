//! The import-layer check (issue 17 §2): every module of `src/` has a layer,
//! and imports point down. The core imports only the core; an edge imports the
//! core and edges, never a workflow, a command, `cli` or `settings`; a command
//! never imports another command. A module missing from [`LAYERS`] fails the
//! check, so a new file must say where it belongs.
//!
//! Reads the source as text (`use crate::...`, `crate::x::y` paths and a
//! command's `super::x`), leaving out `#[cfg(test)]` modules, whose tests may
//! build their inputs from anywhere.

use std::collections::BTreeMap;
use std::path::Path;

use fs_err as fs;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Layer {
    /// Pure decisions and data: no files, processes, environment, sockets or
    /// clock.
    Core,
    /// The only code that touches the world.
    Edge,
    /// What several commands share, with its effects behind traits.
    Workflow,
    /// The clap definition, the environment read once, and the top-level error
    /// and reporter, beside the commands.
    Interface,
    /// One thin file per subcommand.
    Command,
}

use Layer::{Command, Core, Edge, Interface, Workflow};

/// Every module and its layer. docs/ARCHITECTURE.md says what each owns.
const LAYERS: &[(&str, Layer)] = &[
    ("allocate", Core),
    ("compose", Core),
    ("compose::cache", Core),
    ("compose::config", Core),
    ("compose::override_file", Core),
    ("compose::port_advice", Core),
    ("connection", Core),
    ("doctor", Core),
    ("dotenv", Core),
    ("engine", Core),
    ("engine::dial", Core),
    ("env_vars", Core),
    ("iris_log", Core),
    ("jsonc", Core),
    ("owner", Core),
    ("port", Core),
    ("registry", Core),
    ("registry::model", Core),
    ("registry::transition", Core),
    ("shell", Core),
    ("stack", Core),
    ("stale", Core),
    ("status_report", Core),
    ("table", Core),
    ("timestamp", Core),
    ("vscode", Core),
    ("compose::detect", Edge),
    ("engine::bridge", Edge),
    ("engine::docker", Edge),
    ("interrupt", Edge),
    ("platform", Edge),
    ("printer", Edge),
    ("probe", Edge),
    ("process", Edge),
    ("project", Edge),
    ("registry::store", Edge),
    ("state_dir", Edge),
    ("ready", Workflow),
    ("commands::assign", Workflow),
    ("commands::project_stack", Workflow),
    ("commands::who", Workflow),
    ("cli", Interface),
    ("cli::generate", Interface),
    ("error", Interface),
    ("settings", Interface),
    ("lib", Interface),
    // `commands/mod.rs`: `dispatch` and the `Context` every command gets.
    ("commands", Interface),
];

/// Imports that break the layers today, each to be mended by moving the piece
/// it needs (issue 17): plain data out of `cli`/`settings` into the core
/// (`Isolate`, `EnvFormat`, `NameOrigin`, `Selection`, `DockerSettings`,
/// `ComposeSettings`), `Project`'s pure half and the name hashing out of the
/// discovery edge, `Invocation` and the error `Report` into the core,
/// `.iris-dev/`'s paths out of `StateDir`. The check fails on any import not
/// listed here, and on a listed one that is gone (so the list only shrinks).
const KNOWN: &[&str] = &[
    "`compose::cache` (Core) imports `project::fnv1a` (Edge)",
    "`compose::detect` (Edge) imports `settings` (Interface)",
    "`compose` (Core) imports `process::Invocation` (Edge)",
    "`connection` (Core) imports `cli::EnvFormat` (Interface)",
    "`engine::docker` (Edge) imports `settings::DockerSettings` (Interface)",
    "`engine` (Core) imports `settings::DockerSettings` (Interface)",
    "`printer` (Edge) imports `error` (Interface)",
    "`project` (Edge) imports `settings` (Interface)",
    "`stack` (Core) imports `cli::Isolate` (Interface)",
    "`stack` (Core) imports `project::Project` (Edge)",
    "`stack` (Core) imports `project::normalize_project_name` (Edge)",
    "`stack` (Core) imports `settings::NameOrigin` (Interface)",
    "`stack` (Core) imports `state_dir::StateDir` (Edge)",
    "`stale` (Core) imports `project::normalize_project_name` (Edge)",
];

/// Layers a module of `from` may import.
fn allowed(from: Layer, to: Layer) -> bool {
    match from {
        Core => to == Core,
        Edge => matches!(to, Core | Edge),
        // Workflows take settings as plain data.
        Workflow => to != Command,
        Interface => true,
        Command => true,
    }
}

/// The module a file under `src/` is: `registry/model.rs` is
/// `registry::model`, `engine/mod.rs` is `engine`.
fn module_of(relative: &Path) -> String {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    parts.join("::")
}

/// The longest module of `known` that `path` (`registry::model::Assignment`)
/// names.
fn resolve<'k>(path: &str, known: &'k BTreeMap<&str, Layer>) -> Option<(&'k str, Layer)> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len()).rev().find_map(|len| {
        let candidate = parts[..len].join("::");
        known
            .get_key_value(candidate.as_str())
            .map(|(name, layer)| (*name, *layer))
    })
}

/// Every module path `text` imports: `crate::a::b` anywhere (a `use` with
/// braces counts each inner path), and `super::x` for a file in `parent`.
fn imports(text: &str, parent: Option<&str>) -> Vec<String> {
    let code = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    let mut found = Vec::new();
    for line in code.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        for (prefix, base) in [("crate::", None), ("super::", parent)] {
            if prefix == "super::" && base.is_none() {
                continue;
            }
            let mut rest = line;
            while let Some(at) = rest.find(prefix) {
                let before = rest[..at].chars().next_back();
                rest = &rest[at + prefix.len()..];
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let base = base.map(|base| format!("{base}::")).unwrap_or_default();
                if let Some(inner) = rest.strip_prefix('{') {
                    // `use crate::{a::b, c};` on one line.
                    let inner = inner.split('}').next().unwrap_or("");
                    for item in inner.split(',') {
                        let item: String = item
                            .trim()
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                            .collect();
                        if !item.is_empty() {
                            found.push(format!("{base}{item}"));
                        }
                    }
                    continue;
                }
                let path: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                found.push(format!("{base}{}", path.trim_end_matches(':')));
            }
        }
    }
    found
}

/// What is wrong with the imports of `files` (module name, text), one line each.
fn violations(files: &[(String, String)]) -> Vec<String> {
    let known: BTreeMap<&str, Layer> = LAYERS.iter().copied().collect();
    // The subcommands' own files: `commands::<name>` that is not a workflow.
    let commands: std::collections::BTreeSet<&str> = files
        .iter()
        .map(|(module, _)| module.as_str())
        .filter(|module| module.starts_with("commands::") && !known.contains_key(module))
        .collect();
    let mut found = Vec::new();
    for (module, text) in files {
        let Some(&from) = known
            .get(module.as_str())
            .or_else(|| module.starts_with("commands::").then_some(&Command))
        else {
            found.push(format!(
                "`{module}` has no layer: add it to LAYERS in tests/it/layers.rs"
            ));
            continue;
        };
        let parent = module.rsplit_once("::").map(|(parent, _)| parent);
        for path in imports(text, parent) {
            // A command never imports another command (`commands::up`); the
            // workflows beside them and `commands`' own `Context` are anyone's.
            let command = path.split("::").take(2).collect::<Vec<_>>().join("::");
            let other_command = command != *module && commands.contains(command.as_str());
            if from == Command && other_command {
                found.push(format!("`{module}` (Command) imports `{path}` (Command)"));
                continue;
            }
            let Some((_, to)) = resolve(&path, &known) else {
                continue;
            };
            if !allowed(from, to) {
                found.push(format!("`{module}` ({from:?}) imports `{path}` ({to:?})"));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

fn source_files() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let relative = path.strip_prefix(&src).unwrap();
                if relative == Path::new("main.rs") {
                    continue;
                }
                files.push((module_of(relative), fs::read_to_string(&path).unwrap()));
            }
        }
    }
    files
}

#[test]
fn imports_point_down() {
    let found = violations(&source_files());
    let new: Vec<&String> = found
        .iter()
        .filter(|found| !KNOWN.contains(&found.as_str()))
        .collect();
    let mended: Vec<&&str> = KNOWN
        .iter()
        .filter(|known| !found.iter().any(|found| found == *known))
        .collect();
    assert!(
        new.is_empty(),
        "imports that break the layers (docs/ARCHITECTURE.md, docs/CONTRIBUTING.md):\n  {}",
        new.iter()
            .map(|found| found.as_str())
            .collect::<Vec<_>>()
            .join("\n  ")
    );
    assert!(
        mended.is_empty(),
        "mended, so take them out of KNOWN in tests/it/layers.rs:\n  {}",
        mended
            .iter()
            .map(|known| **known)
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

#[test]
fn the_check_finds_an_upward_import() {
    let file = |module: &str, text: &str| (module.to_owned(), text.to_owned());
    let found = violations(&[
        file(
            "allocate",
            "use crate::registry::Registry;\nuse crate::settings::PortSettings;\n",
        ),
        file("probe", "fn f() { crate::commands::assign::resolve(); }\n"),
        file(
            "commands::down",
            "use super::up::Up;\nuse super::assign;\nuse crate::commands::Context;\n",
        ),
        file("commands::up", ""),
        file("commands::assign", ""),
        file(
            "stack",
            "use crate::{dotenv, cli::Isolate};\n#[cfg(test)]\nmod tests {\n    use crate::settings::Selection;\n}\n",
        ),
        file("brand_new", ""),
    ]);
    assert_eq!(
        found,
        [
            "`allocate` (Core) imports `settings::PortSettings` (Interface)",
            "`brand_new` has no layer: add it to LAYERS in tests/it/layers.rs",
            "`commands::down` (Command) imports `commands::up::Up` (Command)",
            "`probe` (Edge) imports `commands::assign::resolve` (Workflow)",
            "`stack` (Core) imports `cli::Isolate` (Interface)",
        ]
    );
}
