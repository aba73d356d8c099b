//! `iris-dev logs ARGS...`: `compose logs <IRIS service> ARGS`.

use crate::cli::LogsArgs;
use crate::cli::error::Error;
use crate::workflows::context::Context;
use crate::workflows::project_stack::ProjectStack;
use crate::workflows::project_stack::passthrough;

pub fn run(args: LogsArgs, context: &Context<'_>) -> Result<(), Error> {
    let LogsArgs { args } = args;
    let mut stack = ProjectStack::open(context)?;
    let (service, _) = stack.service(context)?;
    let mut logs = vec!["logs".to_owned()];
    // Compose colours its log prefixes whatever iris-dev's `--color` or
    // `NO_COLOR` say; both composes (1.29 and v2) take `--no-color`.
    if context.settings.global.color_off && !args.iter().any(|arg| arg == "--no-color") {
        logs.push("--no-color".to_owned());
    }
    logs.extend(args);
    logs.push(service);
    let invocation = stack.invocation(&context.printer, &logs)?;
    stack.save();
    context.printer.note(format_args!("running `{invocation}`"));
    passthrough(&invocation)
}
