//! `iris-dev completions <shell>`: a completion script on standard output.

use crate::cli::CompletionsArgs;
use crate::cli::error::Error;
use crate::cli::generate::completion;
use crate::workflows::context::Context;

pub fn run(args: CompletionsArgs, context: &Context<'_>) -> Result<(), Error> {
    let CompletionsArgs { shell } = args;
    let script = String::from_utf8_lossy(&completion(shell)).into_owned();
    context.printer.data(script.trim_end())
}
