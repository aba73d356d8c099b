//! `iris-dev env`: the project's connection settings as variables.

use crate::cli::EnvArgs;
use crate::commands::{Context, assign};
use crate::connection::{Connection, assignment_host};
use crate::error::Error;
use crate::state_dir::StateDir;

pub fn run(args: EnvArgs, context: &Context<'_>) -> Result<(), Error> {
    let EnvArgs { format } = args;
    let (project, assignment) = assign::current(context)?;
    let stack = context.stack(&project)?;
    let mut state = StateDir::open(&project.root);
    let login = context.login(&stack, &assignment, &mut state);
    if state.exists() {
        // Only keeps what compose said; a project never started gets no `.iris-dev/`.
        let _ = state.save();
    }
    let connection = Connection {
        host: assignment_host(&assignment, &context.endpoint()),
        port: assignment.port,
        web_port: assignment.effective_web_port().unwrap_or_default(),
        compose_project: stack.compose_project().to_owned(),
        stack_ports: assignment
            .stack_ports
            .iter()
            .map(|(key, port)| (key.clone(), *port))
            .collect(),
        login,
    };
    context.printer.data(connection.render(format))
}
