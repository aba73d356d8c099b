//! `iris-dev compose ARGS...`: any compose command on the project's stack, with
//! the user's terminal; compose's exit code is iris-dev's.

use crate::cli::ComposeArgs;
use crate::commands::Context;
use crate::commands::project_stack::ProjectStack;
use crate::error::Error;
use crate::process::{DuctRunner, Runner};

pub fn run(args: ComposeArgs, context: &Context<'_>) -> Result<(), Error> {
    let ComposeArgs { args } = args;
    let mut stack = ProjectStack::open(context)?;
    let invocation = stack.invocation(&context.printer, &args)?;
    stack.save();
    context.printer.note(format_args!("running `{invocation}`"));
    passthrough(&invocation)
}

/// Runs with the user's terminal and passes a failing exit code on.
pub fn passthrough(invocation: &crate::process::Invocation) -> Result<(), Error> {
    match DuctRunner.interactive(invocation)? {
        0 => Ok(()),
        code => Err(Error::PassedThrough {
            command: invocation.to_string(),
            code,
        }),
    }
}
