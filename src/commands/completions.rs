//! `iris-dev completions <shell>`: a completion script on standard output.

use crate::cli::CompletionsArgs;
use crate::cli::generate::completion;
use crate::commands::Context;
use crate::error::Error;

pub fn run(args: CompletionsArgs, context: &Context<'_>) -> Result<(), Error> {
    let CompletionsArgs { shell } = args;
    let script = String::from_utf8_lossy(&completion(shell)).into_owned();
    context.printer.data(script.trim_end())
}
