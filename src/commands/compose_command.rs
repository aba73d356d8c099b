//! `iris-dev compose ARGS...`: any compose command on the project's stack, with
//! the user's terminal; compose's exit code is iris-dev's.

use crate::cli::ComposeArgs;
use crate::cli::error::Error;
use crate::workflows::context::Context;
use crate::workflows::project_stack::{ProjectStack, passthrough};

pub fn run(args: ComposeArgs, context: &Context<'_>) -> Result<(), Error> {
    let ComposeArgs { args } = args;
    let mut stack = ProjectStack::open(context)?;
    let invocation = stack.invocation(&context.printer, &args)?;
    stack.save();
    context.printer.note(format_args!("running `{invocation}`"));
    passthrough(&invocation)
}
