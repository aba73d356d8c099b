//! The README's samples are what iris-dev prints: the Quick start's console
//! block is run as written, against the Docker engine with docker-compose 1.29
//! and the stand-in image, and the `vscode --dry-run` block of "Everyday
//! commands" without an engine; each command's output (standard error and
//! output in one pipe, in a terminal's order) is compared with the lines the
//! README shows under it.
//!
//! For the Quick start, before comparing, the test's paths, ports, compose project names and times
//! become the README's (`/home/dev/src/shop`, 1972, `shop`, ...), runs of spaces
//! become one (table columns are as wide as the paths), and Docker's health
//! state (`healthy` or `starting`, which depends on when Docker last ran the
//! check) is not compared. Compose's own lines (`Creating ...`) are shown in the
//! README as a terminal shows them and are not compared either: they are
//! compose's, and differ between composes.

use std::path::{Path, PathBuf};

use fs_err as fs;

use crate::support::{Cleanup, STANDIN, TestEnv, ports, redact_times, standin};

/// The README's home, as its samples spell it.
const README_HOME: &str = "/home/dev";

/// One `$` line of a console block and the lines shown under it.
#[derive(Debug)]
struct Step {
    command: String,
    output: Vec<String>,
}

/// The first console block after `heading` in the README.
fn console_block(readme: &str, heading: &str) -> Vec<Step> {
    let section = readme
        .split_once(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("the README has no `{heading}`"))
        .1;
    let block = section
        .split_once("```console\n")
        .and_then(|(_, rest)| rest.split_once("\n```"))
        .unwrap_or_else(|| panic!("no console block under `{heading}`"))
        .0;
    let mut steps: Vec<Step> = Vec::new();
    for line in block.lines() {
        match line.strip_prefix("$ ") {
            Some(command) => steps.push(Step {
                command: command.to_owned(),
                output: Vec::new(),
            }),
            None => steps
                .last_mut()
                .expect("the block starts with a command")
                .output
                .push(line.to_owned()),
        }
    }
    steps
}

/// A line compose printed, not iris-dev (docker-compose 1.x and v2).
fn from_compose(line: &str) -> bool {
    const VERBS: [&str; 8] = [
        "Creating ",
        "Starting ",
        "Stopping ",
        "Removing ",
        "Recreating ",
        "Container ",
        "Network ",
        "Volume ",
    ];
    let line = line.trim_start();
    VERBS.iter().any(|verb| line.starts_with(verb))
}

/// What is compared of a line: Docker's health state out, spaces folded.
fn comparable(line: &str) -> String {
    // A table cell, never the first word (`starting IRIS for ...` is iris-dev's).
    let words: Vec<&str> = line
        .split_whitespace()
        .enumerate()
        .map(|(index, word)| match word {
            "healthy" | "starting" | "running" if index > 0 => "[STATE]",
            word => word,
        })
        .collect();
    let indent = line.len() - line.trim_start().len();
    format!("{}{}", " ".repeat(indent), words.join(" "))
}

fn comparable_lines(lines: &[&str]) -> Vec<String> {
    lines
        .iter()
        .filter(|line| !from_compose(line))
        .map(|line| redact_times(&comparable(line)))
        .collect()
}

/// Runs each step's `cd` and `iris-dev` commands (`~` is the test's root) and
/// compares what they printed, made the README's by `to_readme`, with the lines
/// the README shows, both through `compare`.
fn run_steps(
    env: &TestEnv,
    steps: &[Step],
    to_readme: &dyn Fn(&str) -> String,
    compare: &dyn Fn(&[&str]) -> Vec<String>,
) {
    let root = env.root().to_owned();
    let mut cwd: PathBuf = root.clone();
    for step in steps {
        let command = step
            .command
            .split_once("  #")
            .map_or(step.command.as_str(), |(command, _)| command)
            .trim();
        let mut printed = String::new();
        for part in command.split(" && ") {
            let words: Vec<&str> = part.split_whitespace().collect();
            match words.as_slice() {
                ["cd", dir] => {
                    let dir = dir.strip_prefix("~/").expect("a directory under ~");
                    cwd = root.join(dir);
                }
                ["iris-dev", args @ ..] => {
                    // One pipe for both, in the order a terminal shows them.
                    let mut command = env.program("sh");
                    command
                        .args(["-c", "exec \"$0\" \"$@\" 2>&1", crate::support::BIN])
                        .args(args)
                        .current_dir(&cwd);
                    let run = env.output(&mut command);
                    assert_eq!(run.code(), 0, "`{part}`:\n{}", run.snapshot());
                    printed.push_str(&run.stdout());
                }
                _ => panic!("a README block runs `cd` and `iris-dev` only: `{part}`"),
            }
        }
        let printed = to_readme(&printed);
        let shown: Vec<&str> = step.output.iter().map(String::as_str).collect();
        assert_eq!(
            compare(&printed.lines().collect::<Vec<_>>()),
            compare(&shown),
            "`$ {}` prints other lines than the README shows; it printed:\n{printed}",
            step.command
        );
    }
}

#[test]
#[cfg_attr(
    not(has_compose_v1),
    ignore = "needs docker-compose 1.x and a Docker engine"
)]
fn the_quick_start_prints_what_the_readme_shows() {
    standin();
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let steps = console_block(&readme, "## Quick start");
    let env = TestEnv::engine("readme::the_quick_start_prints_what_the_readme_shows");
    let root = env.root().to_owned();
    // Compose project names of this test's own, on a shared engine; the
    // README shows the directory's.
    let suffix = std::process::id();
    let mut names = Vec::new();
    for project in ["shop", "billing"] {
        let dir = env.project(&format!("src/{project}"));
        fs::write(
            dir.join("compose.yaml"),
            format!("services:\n  iris:\n    image: {STANDIN}\n    expose: [\"1972\"]\n"),
        )
        .unwrap();
        let name = format!("readme-{project}-{suffix}");
        fs::write(dir.join(".env"), format!("COMPOSE_PROJECT_NAME={name}\n")).unwrap();
        names.push((name, project));
    }
    let _cleanup = Cleanup(names.iter().map(|(name, _)| name.clone()).collect());
    let to_readme = |text: &str| {
        let mut text = text.replace(&root.display().to_string(), README_HOME);
        for (name, project) in &names {
            text = text.replace(name, project);
        }
        let (first, second) = (env.ports().port(0), env.ports().port(1));
        for (ours, theirs) in [
            (first + ports::WEB_OFFSET, 52_773),
            (second + ports::WEB_OFFSET, 52_774),
            (first, 1972),
            (second, 1973),
        ] {
            text = text.replace(&ours.to_string(), &theirs.to_string());
        }
        text
    };

    run_steps(&env, &steps, &to_readme, &comparable_lines);
}

/// The diff `vscode --dry-run` prints under "Everyday commands", exactly (no
/// engine: the built-in template names the namespace and user).
#[test]
fn the_vscode_dry_run_prints_what_the_readme_shows() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let steps = console_block(&readme, "## Everyday commands");
    let env = TestEnv::new("readme::the_vscode_dry_run_prints_what_the_readme_shows")
        .with("DOCKER_HOST", "unix:///nonexistent");
    env.project("first");
    env.run(["port", "-C", "first"]).success();
    // The README's project has the second pair, 1973 and 52774.
    let shop = env.project("shop");
    let second = env.ports().port(1);
    assert_eq!(env.run(["port", "-C", "shop"]).success().port(), second);
    fs::create_dir(shop.join(".vscode")).unwrap();
    fs::write(
        shop.join(".vscode/settings.json"),
        "{\n    \"editor.tabSize\": 4 // team setting\n}\n",
    )
    .unwrap();
    let exact = |lines: &[&str]| lines.iter().map(|line| (*line).to_owned()).collect();
    let root = env.root().display().to_string();
    let to_readme = |text: &str| {
        text.replace(&(second + ports::WEB_OFFSET).to_string(), "52774")
            .replace(&second.to_string(), "1973")
            .replace(&root, &format!("{README_HOME}/src"))
    };
    let steps: Vec<Step> = steps
        .into_iter()
        .map(|step| Step {
            command: format!("cd ~/shop && {}", step.command),
            output: step.output,
        })
        .collect();
    run_steps(&env, &steps, &to_readme, &exact);
}
