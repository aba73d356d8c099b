//! iris-dev: InterSystems IRIS in Docker for many projects at once, each on its own
//! ports from a registry shared with the Python package iris-devtester.
//!
//! `main.rs` calls [`run`]; everything else lives here so tests can drive it.
//! See `docs/ARCHITECTURE.md` for how the modules fit together.

use std::ffi::OsString;
use std::io::IsTerminal;

use clap::Parser;

pub mod cli;
mod commands;
pub mod core;
pub mod edges;
pub mod workflows;

use cli::Cli;
use cli::error::Error;
use cli::printer::Printer;
use cli::settings::{GlobalSettings, Settings};
use workflows::context::Context;

/// Runs iris-dev with these arguments (the first is the program name) and the
/// process's environment; returns the exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return u8::try_from(error.exit_code()).unwrap_or(2);
        }
    };
    let env = |name: &str| std::env::var_os(name);
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(err) => {
            let printer = Printer::new(false, false, false, false);
            let error = Error::Io(std::io::Error::new(
                err.kind(),
                format!("cannot read the current directory: {err}"),
            ));
            printer.error(&error);
            return error.exit_code();
        }
    };
    let interactive = std::io::stderr().is_terminal();
    let global = GlobalSettings::resolve(cli.global, cwd, &env, interactive);
    let printer = Printer::new(global.quiet, global.verbose, global.color, interactive);
    let settings = Settings::resolve_all(global, &env);
    // `doctor` checks the environment with the rest; every other command
    // stops at the first bad variable.
    if !matches!(cli.command, cli::Command::Doctor(_))
        && let Some(invalid) = settings.invalid.first()
    {
        let error = Error::from(invalid.clone());
        printer.error(&error);
        return error.exit_code();
    }
    let context = Context::new(settings, printer);
    match commands::dispatch(cli.command, &context) {
        Ok(()) => 0,
        Err(error @ Error::PassedThrough { .. }) => {
            context.printer.note(&error);
            error.exit_code()
        }
        Err(error) => {
            context.printer.error(&error);
            error.exit_code()
        }
    }
}
