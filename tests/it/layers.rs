//! The import-layer check (issue 17 §2). The folders of `src/` are the layers,
//! and imports point down:
//!
//! - `core/` imports only the core, and touches nothing: no files,
//!   processes, environment, sockets, clock or engine client ([`WORLD`]);
//! - `edges/` imports the core and edges, never a workflow, a command or the
//!   interface;
//! - `workflows/` imports anything but a command;
//! - `cli/`, `lib.rs` and `commands/mod.rs` (`dispatch`) are the interface;
//! - `commands/<name>.rs` is one subcommand and never imports another.
//!
//! A module outside these folders fails the check, so a new file must say
//! where it belongs by where it is. Reads the source as text (`use crate::...`,
//! `crate::x::y` paths and `super::x`), leaving out `#[cfg(test)]` modules,
//! whose tests may build their inputs from anywhere.

use std::collections::BTreeSet;
use std::path::Path;

use fs_err as fs;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Layer {
    /// `core/`: pure decisions and data.
    Core,
    /// `edges/`: the only code that touches the world.
    Edge,
    /// `workflows/`: what several commands share.
    Workflow,
    /// `cli/` (the clap definition, settings, the error and the printer),
    /// `lib.rs` and `commands/mod.rs`.
    Interface,
    /// `commands/<name>.rs`: one subcommand.
    Command,
}

use Layer::{Command, Core, Edge, Interface, Workflow};

/// What the core never names outside its tests: the crates and std modules
/// that reach files, processes, the environment, sockets, the clock or the
/// engine.
const WORLD: &[&str] = &[
    "fs_err",
    "std::fs",
    "std::env",
    "std::process",
    "std::net::Tcp",
    "std::net::Udp",
    "std::thread",
    "SystemTime::now",
    "Instant::now",
    "tokio",
    "bollard",
    "duct",
    "println!",
    "eprintln!",
    ".is_file()",
    ".is_dir()",
    ".exists()",
    "canonicalize",
];

/// The layer of a module (`core::registry::model`, `commands::up`, `lib`).
fn layer_of(module: &str) -> Option<Layer> {
    let mut parts = module.split("::");
    match (parts.next()?, parts.next()) {
        ("core", _) => Some(Core),
        ("edges", _) => Some(Edge),
        ("workflows", _) => Some(Workflow),
        ("cli", _) | ("lib", None) | ("commands", None) => Some(Interface),
        ("commands", Some(_)) => Some(Command),
        _ => None,
    }
}

/// Layers a module of `from` may import.
fn allowed(from: Layer, to: Layer) -> bool {
    match from {
        Core => to == Core,
        Edge => matches!(to, Core | Edge),
        Workflow => to != Command,
        Interface | Command => true,
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

/// Every module path `text` imports: `crate::a::b` anywhere (a `use` with
/// braces counts each inner path), and `super::x` for a file in `parent`.
fn imports(text: &str, parent: Option<&str>) -> Vec<String> {
    let mut found = Vec::new();
    for line in code(text).lines() {
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

/// The code of a file without its `#[cfg(test)] mod tests { ... }` (found by
/// counting braces), so code after the tests is still checked.
fn code(text: &str) -> String {
    let Some(at) = text.find("#[cfg(test)]\nmod tests") else {
        return text.to_owned();
    };
    let mut depth = 0usize;
    let mut end = text.len();
    for (offset, c) in text[at..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 1 => {
                end = at + offset + 1;
                break;
            }
            '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    format!("{}{}", &text[..at], &text[end..])
}

/// What is wrong with the imports of `files` (module name, text), one line each.
fn violations(files: &[(String, String)]) -> Vec<String> {
    let mut found = BTreeSet::new();
    for (module, text) in files {
        let Some(from) = layer_of(module) else {
            found.insert(format!(
                "`{module}` has no layer: move it into core/, edges/, workflows/, cli/ or commands/"
            ));
            continue;
        };
        let parent = module.rsplit_once("::").map(|(parent, _)| parent);
        for path in imports(text, parent) {
            let Some(to) = layer_of(&path) else {
                continue;
            };
            let command = |path: &str| path.split("::").take(2).collect::<Vec<_>>().join("::");
            if from == Command && to == Command && command(&path) != *module {
                found.insert(format!("`{module}` (Command) imports `{path}` (Command)"));
            } else if !allowed(from, to) {
                found.insert(format!("`{module}` ({from:?}) imports `{path}` ({to:?})"));
            }
        }
        if from == Core {
            for (number, line) in code(text).lines().enumerate() {
                let world = WORLD.iter().find(|word| line.contains(**word));
                if let Some(word) = world.filter(|_| !line.trim_start().starts_with("//")) {
                    found.insert(format!(
                        "`{module}` (Core) touches the world: `{word}` on line {}",
                        number + 1
                    ));
                }
            }
        }
    }
    found.into_iter().collect()
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

/// Modules that import each other, directly or through others: each circle
/// once, as the modules on it, starting from the smallest name.
fn circles(files: &[(String, String)]) -> Vec<String> {
    let modules: BTreeSet<&str> = files.iter().map(|(module, _)| module.as_str()).collect();
    // The longest module an import path names: `core::engine::Listing` is
    // `core::engine`.
    let module_of_path = |path: &str| {
        let parts: Vec<&str> = path.split("::").collect();
        (1..=parts.len())
            .rev()
            .map(|len| parts[..len].join("::"))
            .find(|candidate| modules.contains(candidate.as_str()))
    };
    let mut edges: std::collections::BTreeMap<&str, BTreeSet<String>> = Default::default();
    for (module, text) in files {
        let parent = module.rsplit_once("::").map(|(parent, _)| parent);
        let targets = imports(text, parent)
            .iter()
            .filter_map(|path| module_of_path(path))
            .filter(|target| target != module)
            .collect();
        edges.insert(module, targets);
    }
    // Depth-first from every module; a path that comes back to its start is a
    // circle, kept when its start is its smallest module (so each once).
    let mut found = BTreeSet::new();
    for start in &modules {
        let mut stack = vec![(start.to_string(), vec![start.to_string()])];
        while let Some((at, path)) = stack.pop() {
            for next in edges.get(at.as_str()).into_iter().flatten() {
                if next == start {
                    found.insert(path.join(" -> ") + " -> " + start);
                } else if next.as_str() > *start && !path.contains(next) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    found.into_iter().collect()
}

#[test]
fn no_module_imports_itself_in_a_circle() {
    let found = circles(&source_files());
    assert!(
        found.is_empty(),
        "modules in a circle (move what both need into one of them, or below both):\n  {}",
        found.join("\n  ")
    );
}

#[test]
fn the_check_finds_a_circle() {
    let file = |module: &str, text: &str| (module.to_owned(), text.to_owned());
    let found = circles(&[
        file(
            "core::engine",
            "use crate::core::connection::connect_host;\n",
        ),
        file("core::connection", "use crate::core::engine::Endpoint;\n"),
        file("core::a", "use crate::core::b::X;\n"),
        file("core::b", "use crate::core::c::Y;\n"),
        file("core::c", "fn f() { crate::core::a::z(); }\n"),
        file("core::d", "use crate::core::a::X;\n"),
    ]);
    assert_eq!(
        found,
        [
            "core::a -> core::b -> core::c -> core::a",
            "core::connection -> core::engine -> core::connection",
        ]
    );
}

#[test]
fn imports_point_down() {
    let found = violations(&source_files());
    assert!(
        found.is_empty(),
        "imports that break the layers (docs/ARCHITECTURE.md, docs/CONTRIBUTING.md):\n  {}",
        found.join("\n  ")
    );
}

#[test]
fn the_check_finds_an_upward_import() {
    let file = |module: &str, text: &str| (module.to_owned(), text.to_owned());
    let found = violations(&[
        file(
            "core::allocate",
            "use crate::core::registry::Registry;\nuse crate::cli::settings::PortSettings;\n",
        ),
        file(
            "edges::probe",
            "fn f() { crate::workflows::assign::resolve(); }\n",
        ),
        file(
            "commands::down",
            "use super::up::Up;\nuse crate::workflows::assign;\nuse crate::workflows::context::Context;\n",
        ),
        file("commands", "use crate::commands::up;\n"),
        file("workflows::assign", "use crate::commands::up::Up;\n"),
        file(
            "core::stack",
            "use crate::core::{dotenv, stack};\nuse crate::edges::state_dir::StateDir;\n#[cfg(test)]\nmod tests {\n    use crate::cli::settings::Selection;\n}\n",
        ),
        file(
            "core::project",
            "// fs_err in a comment is fine\nfn root() { fs_err::canonicalize(\".\"); }\n",
        ),
        file("brand_new", ""),
    ]);
    assert_eq!(
        found,
        [
            "`brand_new` has no layer: move it into core/, edges/, workflows/, cli/ or commands/",
            "`commands::down` (Command) imports `commands::up::Up` (Command)",
            "`core::allocate` (Core) imports `cli::settings::PortSettings` (Interface)",
            "`core::project` (Core) touches the world: `fs_err` on line 2",
            "`core::stack` (Core) imports `edges::state_dir::StateDir` (Edge)",
            "`edges::probe` (Edge) imports `workflows::assign::resolve` (Workflow)",
            "`workflows::assign` (Workflow) imports `commands::up::Up` (Command)",
        ]
    );
}
