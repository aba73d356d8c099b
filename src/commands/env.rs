//! `iris-dev env`: the project's connection settings as variables.

use crate::cli::EnvArgs;
use crate::commands::{Context, assign};
use crate::connection::Connection;
use crate::error::Error;

pub fn run(args: EnvArgs, context: &Context<'_>) -> Result<(), Error> {
    let EnvArgs { format } = args;
    let assign::Connected {
        assignment,
        compose_project,
        host,
        login,
        ..
    } = assign::connected(context)?;
    let connection = Connection {
        host,
        port: assignment.port,
        web_port: assignment.effective_web_port().unwrap_or_default(),
        compose_project,
        stack_ports: assignment
            .stack_ports
            .iter()
            .map(|(key, port)| (key.clone(), *port))
            .collect(),
        login,
    };
    context.printer.data(connection.render(format))
}
