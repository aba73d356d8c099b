//! `iris-dev vscode`: the project's connection in `.vscode/settings.json`, edited
//! in place by [`jsonc`] so comments and other settings stay.

use std::io;

use fs_err as fs;

use crate::cli::VscodeArgs;
use crate::commands::{Context, assign};
use crate::error::Error;
use crate::jsonc;
use crate::vscode::{self, CONNECTION_KEY, SETTINGS_FILE};

pub fn run(args: VscodeArgs, context: &Context<'_>) -> Result<(), Error> {
    let VscodeArgs { dry_run } = args;
    let assign::Connected {
        project,
        assignment,
        host,
        login,
        ..
    } = assign::connected(context)?;
    let members = vscode::connection_members(
        &host,
        assignment.effective_web_port().unwrap_or_default(),
        &login,
    );

    let path = project.root.join(SETTINGS_FILE);
    let old = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(err.into()),
    };
    let new = jsonc::set_members(&old, CONNECTION_KEY, &members).map_err(|error| Error::Jsonc {
        file: path.clone(),
        error,
    })?;
    let Some(new) = new else {
        context.printer.info(format_args!(
            "`{}` already has the connection to port {}; nothing to change",
            path.display(),
            assignment.effective_web_port().unwrap_or_default()
        ));
        return Ok(());
    };
    if dry_run {
        context
            .printer
            .data(vscode::diff(SETTINGS_FILE, &old, &new))?;
        context.printer.info("dry run: nothing was written");
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(&path, new)?;
    context.printer.status(
        if old.is_empty() { "created" } else { "updated" },
        format_args!(
            "`{}`: `{CONNECTION_KEY}` points at port {}",
            path.display(),
            assignment.effective_web_port().unwrap_or_default()
        ),
    );
    Ok(())
}
