//! `iris-dev env`: the project's connection settings as variables.

use crate::cli::EnvArgs;
use crate::commands::{Context, assign};
use crate::connection::Connection;
use crate::engine::{DockerEngine, Engine};
use crate::error::Error;

pub fn run(args: EnvArgs, context: &Context<'_>) -> Result<(), Error> {
    let EnvArgs { format } = args;
    let assign::Connected {
        project,
        assignment,
        compose_project,
        host,
        login,
    } = assign::connected(context)?;
    // A client would dial these ports: say so when the project's running
    // container publishes others. Only the local socket is asked, which answers
    // in milliseconds; a TCP or ssh engine could hold every `env` (the call
    // Makefiles make in every rule) up to its timeout.
    let endpoint = context.endpoint();
    if endpoint.url.starts_with("unix://")
        && let Ok(containers) =
            DockerEngine::connect(&endpoint).and_then(|engine| engine.containers())
        && let Some(warning) =
            crate::stale::disagreement(project.key(), Some(&assignment), &containers)
    {
        context.printer.warn(warning);
    }
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
