//! `iris-dev session`: `iris session IRIS -U NS` in the IRIS service, with a TTY
//! when standard input is a terminal and without one (`exec -T`) when it is
//! piped, so scripts can feed it.

use std::io::IsTerminal;

use crate::cli::SessionArgs;
use crate::cli::error::Error;
use crate::core::env_vars;
use crate::workflows::context::Context;
use crate::workflows::project_stack::ProjectStack;
use crate::workflows::project_stack::passthrough;

/// The namespace IRIS starts a terminal in when none is configured.
const DEFAULT_NAMESPACE: &str = "USER";

pub fn run(args: SessionArgs, context: &Context<'_>) -> Result<(), Error> {
    let SessionArgs { namespace } = args;
    let mut stack = ProjectStack::open(context)?;
    let (service, environment) = stack.service(context)?;
    let namespace = namespace
        .or_else(|| environment.get(env_vars::IRIS_NAMESPACE).cloned())
        .unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned());
    let tty = std::io::stdin().is_terminal();
    let args = session_args(&service, &namespace, tty);
    let invocation = stack.invocation(&context.printer, &args)?;
    stack.save();
    context.printer.note(format_args!("running `{invocation}`"));
    passthrough(&invocation)
}

/// `exec [-T] SERVICE iris session IRIS -U NS`.
fn session_args(service: &str, namespace: &str, tty: bool) -> Vec<String> {
    let mut args = vec!["exec".to_owned()];
    if !tty {
        args.push("-T".to_owned());
    }
    args.extend(
        [service, "iris", "session", "IRIS", "-U", namespace]
            .into_iter()
            .map(str::to_owned),
    );
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn piped_input_gets_no_tty() {
        assert_eq!(
            session_args("iris", "APP", false).join(" "),
            "exec -T iris iris session IRIS -U APP"
        );
        assert_eq!(
            session_args("db", "USER", true).join(" "),
            "exec db iris session IRIS -U USER"
        );
    }
}
