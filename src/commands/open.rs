//! `iris-dev open`: the management portal in the system's browser, or its URL
//! on standard output when there is no browser (or with `--print`).

use crate::cli::OpenArgs;
use crate::cli::error::Error;
use crate::core::connection::{assignment_host, portal_url};
use crate::core::invocation::Invocation;
use crate::edges::platform;
use crate::edges::process::{DuctRunner, Runner};
use crate::workflows::context::Context;

pub fn run(args: OpenArgs, context: &Context<'_>) -> Result<(), Error> {
    let OpenArgs { print } = args;
    let project = context.project()?;
    let registry = context.store().read()?;
    let assignment = Context::assignment_of(&registry, &project)?;
    let url = portal_url(
        &assignment_host(assignment, &context.endpoint()),
        assignment.effective_web_port().unwrap_or_default(),
    );
    if print {
        return context.printer.data(url);
    }
    let invocation = Invocation {
        argv: platform::browser_command(&url),
        dir: project.root.clone(),
        env: Vec::new(),
    };
    match DuctRunner.capture(&invocation) {
        Ok(output) if output.code == 0 => {
            context.printer.status("opened", &url);
            Ok(())
        }
        outcome => {
            let why = match outcome {
                Ok(output) => format!(
                    "`{invocation}` failed with exit code {}: {}",
                    output.code,
                    output.stderr.trim()
                ),
                Err(err) => err.to_string(),
            };
            context.printer.info(format_args!(
                "cannot open a browser ({why}); the portal is at:"
            ));
            context.printer.data(url)
        }
    }
}
