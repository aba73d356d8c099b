//! `iris-dev port`: the project's port, alone on standard output.

use crate::cli::PortArgs;
use crate::cli::error::Error;
use crate::workflows::assign;
use crate::workflows::context::Context;

pub fn run(args: PortArgs, context: &Context<'_>) -> Result<(), Error> {
    let PortArgs { web } = args;
    let assignment = assign::current(context)?.1.assignment;
    let port = if web {
        assignment.effective_web_port().unwrap_or_default()
    } else {
        assignment.port
    };
    context.printer.data(port)
}
