//! `iris-dev env`: the project's connection settings as variables.

use crate::cli::EnvArgs;
use crate::commands::{Context, Resolve};
use crate::connection::{Connection, DEFAULT_HOST};
use crate::error::Error;
use crate::settings::PortSettings;

pub fn run(args: EnvArgs, context: &Context<'_>) -> Result<(), Error> {
    let EnvArgs { format } = args;
    let ports = PortSettings::resolve(None, None, context.env)?;
    let project = context.project()?;
    let endpoint = context.endpoint();
    context.sweep_stale(&endpoint)?;
    let assignment = context.resolve_ports(&project, &ports, &endpoint, &[], Resolve::Write)?;
    let connection = Connection {
        host: DEFAULT_HOST.to_owned(),
        port: assignment.port,
        web_port: assignment.effective_web_port().unwrap_or_default(),
        compose_project: project.compose_name(),
    };
    context.printer.data(connection.render(format))
}
