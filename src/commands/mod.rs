//! One module per subcommand, each glue: read its arguments, call the
//! workflows and the core, print. A command never imports another command
//! (`tests/it/layers.rs` checks it); what two commands share is a workflow.
//!
//! This file holds only [`dispatch`].

use crate::cli::error::Error;
use crate::cli::{Command, PortsCommand};
use crate::workflows::context::Context;

mod completions;
mod compose_command;
mod doctor;
mod down;
mod env;
mod init;
mod logs;
mod open;
mod port;
mod ports;
mod ports_who;
mod session;
mod status;
mod tunnel;
mod up;
mod vscode;

pub fn dispatch(command: Command, context: &Context<'_>) -> Result<(), Error> {
    match command {
        Command::Up(args) => up::run(args, context),
        Command::Down(args) => down::run(args, context),
        Command::Status(args) => status::run(args, context),
        Command::Init => init::run(context),
        Command::Port(args) => port::run(args, context),
        Command::Env(args) => env::run(args, context),
        Command::Compose(args) => compose_command::run(args, context),
        Command::Logs(args) => logs::run(args, context),
        Command::Session(args) => session::run(args, context),
        Command::Open(args) => open::run(args, context),
        Command::Vscode(args) => vscode::run(args, context),
        Command::Ports(args) => match args.command {
            PortsCommand::List(args) => ports::list(args, context),
            PortsCommand::Inspect(args) => ports::inspect(args, context),
            PortsCommand::Clear(args) => ports::clear(args, context),
            PortsCommand::Prune(args) => ports::prune(args, context),
            PortsCommand::Who(args) => ports_who::run(args, context),
            PortsCommand::Reset => ports::reset(context),
        },
        Command::Doctor(args) => doctor::run(args, context),
        Command::Completions(args) => completions::run(args, context),
        Command::Tunnel => tunnel::run(context),
    }
}
