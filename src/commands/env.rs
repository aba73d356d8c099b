//! `iris-dev env`: the project's connection settings as variables.

use crate::cli::EnvArgs;
use crate::cli::error::Error;
use crate::core::connection::Connection;
use crate::core::engine::Engine;
use crate::edges::docker::DockerEngine;
use crate::workflows::assign;
use crate::workflows::context::Context;

pub fn run(args: EnvArgs, context: &Context<'_>) -> Result<(), Error> {
    let EnvArgs { format } = args;
    let assign::Connected {
        project,
        assignment,
        compose_project,
        host,
        login,
        stack: _,
        service: _,
    } = assign::connected(context)?;
    // A client would dial these ports: say so when the project's running
    // container publishes others. Asked only of a local engine, and only for a
    // stack that runs or may: one `up` started, or an entry another tool wrote
    // (iris-devtester keeps none of iris-dev's fields). A reservation of
    // iris-dev's own has no container to disagree with, so the warm `env`
    // Makefiles call in every rule stays without an engine connection.
    let endpoint = context.endpoint();
    let may_run = assignment.compose_service.is_some() || assignment.lacks_iris_dev_fields();
    if may_run
        && endpoint.is_local()
        && let Ok(containers) =
            DockerEngine::connect(&endpoint).and_then(|engine| engine.containers())
        && let Some(warning) =
            crate::core::stale::disagreement(project.key(), Some(&assignment), &containers)
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
