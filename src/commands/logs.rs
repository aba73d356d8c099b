//! `iris-dev logs ARGS...`: `compose logs <IRIS service> ARGS`.

use crate::cli::LogsArgs;
use crate::commands::Context;
use crate::commands::project_stack::ProjectStack;
use crate::commands::project_stack::passthrough;
use crate::error::Error;

pub fn run(args: LogsArgs, context: &Context<'_>) -> Result<(), Error> {
    let LogsArgs { args } = args;
    let mut stack = ProjectStack::open(context)?;
    let (service, _) = stack.service(context)?;
    let mut logs = vec!["logs".to_owned()];
    logs.extend(args);
    logs.push(service);
    let invocation = stack.invocation(&context.printer, &logs)?;
    stack.save();
    context.printer.note(format_args!("running `{invocation}`"));
    passthrough(&invocation)
}
