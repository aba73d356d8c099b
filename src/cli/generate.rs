//! Completion scripts and man pages, rendered from the clap definition.
//!
//! The committed copies under `completions/` and `man/` are these bytes; the test
//! `generated_files_are_current` fails when they drift and rewrites them when run
//! with `IRIS_DEV_REGENERATE=1`.

use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

/// Every generated file, as a path relative to the repository root and its bytes.
pub fn generated_files() -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for (shell, name) in [
        (Shell::Bash, "iris-dev.bash"),
        (Shell::Zsh, "_iris-dev"),
        (Shell::Fish, "iris-dev.fish"),
        (Shell::PowerShell, "_iris-dev.ps1"),
        (Shell::Elvish, "iris-dev.elv"),
    ] {
        files.push((PathBuf::from("completions").join(name), completion(shell)));
    }
    let mut command = Cli::command();
    command.build();
    man_pages(&command, "iris-dev", &mut files);
    files
}

/// The completion script for `shell`.
pub fn completion(shell: Shell) -> Vec<u8> {
    let mut bytes = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "iris-dev", &mut bytes);
    bytes
}

/// One page for `command` and, recursively, one for each subcommand, named like
/// git's: `iris-dev-ports-list.1`.
fn man_pages(command: &clap::Command, name: &str, files: &mut Vec<(PathBuf, Vec<u8>)>) {
    let page = command.clone().name(name.to_owned());
    let mut bytes = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut bytes)
        .expect("rendering to memory cannot fail");
    files.push((PathBuf::from("man").join(format!("{name}.1")), bytes));
    for sub in command
        .get_subcommands()
        .filter(|sub| sub.get_name() != "help")
    {
        man_pages(sub, &format!("{name}-{}", sub.get_name()), files);
    }
}
