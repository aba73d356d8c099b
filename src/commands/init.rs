//! `iris-dev init`: the built-in template as the project's own compose file.

use fs_err as fs;

use crate::cli::error::Error;
use crate::core::project::COMPOSE_FILE_NAMES;
use crate::core::stack::TEMPLATE;
use crate::workflows::context::Context;

pub fn run(context: &Context<'_>) -> Result<(), Error> {
    let project = context.project()?;
    if let Some(existing) = project.compose_files.first().cloned() {
        return Err(Error::AlreadyExists { path: existing });
    }
    let path = project.root.join(COMPOSE_FILE_NAMES[0]);
    fs::write(&path, TEMPLATE)?;
    context.printer.status(
        "wrote",
        format_args!("`{}`; edit it, then run `iris-dev up`", path.display()),
    );
    Ok(())
}
