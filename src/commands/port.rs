//! `iris-dev port`: the project's port, alone on standard output.

use crate::cli::PortArgs;
use crate::commands::{Context, Resolve};
use crate::error::Error;
use crate::settings::PortSettings;

pub fn run(args: PortArgs, context: &Context<'_>) -> Result<(), Error> {
    let PortArgs { web } = args;
    let ports = PortSettings::resolve(None, None, context.env)?;
    let project = context.project()?;
    let endpoint = context.endpoint();
    context.sweep_stale(&endpoint)?;
    let assignment = context.resolve_ports(&project, &ports, &endpoint, &[], Resolve::Write)?;
    let port = if web {
        assignment.effective_web_port().unwrap_or_default()
    } else {
        assignment.port
    };
    context.printer.data(port)
}
