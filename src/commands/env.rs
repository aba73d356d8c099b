//! `iris-dev env`: the project's connection settings as variables.

use crate::cli::EnvArgs;
use crate::commands::{Context, assign};
use crate::connection::{Connection, DEFAULT_HOST};
use crate::error::Error;

pub fn run(args: EnvArgs, context: &Context<'_>) -> Result<(), Error> {
    let EnvArgs { format } = args;
    let (project, assignment) = assign::current(context)?;
    let stack = context.stack(&project)?;
    let connection = Connection {
        host: DEFAULT_HOST.to_owned(),
        port: assignment.port,
        web_port: assignment.effective_web_port().unwrap_or_default(),
        compose_project: stack.compose_project(Some(&assignment)).to_owned(),
        stack_ports: assignment
            .stack_ports
            .iter()
            .map(|(key, port)| (key.clone(), *port))
            .collect(),
    };
    context.printer.data(connection.render(format))
}
