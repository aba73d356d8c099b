//! `iris-dev env`: the project's connection settings as variables.

use crate::cli::EnvArgs;
use crate::commands::{Context, load_stack};
use crate::connection::{Connection, DEFAULT_HOST};
use crate::error::Error;

pub fn run(args: EnvArgs, context: &Context<'_>) -> Result<(), Error> {
    let EnvArgs { format } = args;
    let (project, assignment) = context.current_ports()?;
    // The name `up` gives compose: the file's `name` or `COMPOSE_PROJECT_NAME` win.
    let stack = load_stack(context, &project)?;
    let connection = Connection {
        host: DEFAULT_HOST.to_owned(),
        port: assignment.port,
        web_port: assignment.effective_web_port().unwrap_or_default(),
        compose_project: stack.name,
    };
    context.printer.data(connection.render(format))
}
