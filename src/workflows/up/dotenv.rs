//! iris-dev's `COMPOSE_PROJECT_NAME` line in the project's `.env`, kept in step
//! with the stack's name after `up` started it.

use fs_err as fs;

use super::Up;
use crate::core::stack;

impl Up<'_> {
    /// Keeps iris-dev's `COMPOSE_PROJECT_NAME` line in the root's `.env` in step
    /// with the stack's name ([`Stack::dotenv_change`]), so that plain `docker
    /// compose` and the ObjectScript extension find this checkout's stack, and
    /// says what it did. Only that line (and its marker comment) changes, the
    /// file is replaced whole (never left half-written) with its mode kept, and
    /// a `.env` that is a symlink (shared with other checkouts) is not written
    /// through: a warning gives the line instead, as for any failed write.
    pub fn sync_dotenv(&self) {
        let Some(change) = self.stack.dotenv_change() else {
            return;
        };
        let printer = &self.context.printer;
        let path = self.project.root.join(".env");
        let variable = crate::core::env_vars::COMPOSE_PROJECT_NAME;
        let by_hand = |why: &dyn std::fmt::Display| {
            let fix = match change {
                stack::DotenvChange::Write(name) => format!("add `{variable}={name}` to it"),
                stack::DotenvChange::Remove => {
                    format!("remove iris-dev's `{variable}` line from it")
                }
            };
            printer.warn(format_args!(
                "{why}; for plain `docker compose` in `{}` to find this stack, {fix}",
                self.project.root.display()
            ));
        };
        if fs::symlink_metadata(&path).is_ok_and(|meta| meta.file_type().is_symlink()) {
            by_hand(&format_args!(
                "`{}` is a symlink, perhaps shared with other checkouts, so iris-dev leaves it alone",
                path.display()
            ));
            return;
        }
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(err) => return by_hand(&err),
        };
        let name = match change {
            stack::DotenvChange::Write(name) => Some(name),
            stack::DotenvChange::Remove => None,
        };
        let written = crate::core::dotenv::with_managed_name(&text, name);
        if let Err(err) = crate::edges::state_dir::replace_file(&path, written.as_bytes()) {
            return by_hand(&err);
        }
        match name {
            Some(name) => {
                let why = match &self.stack.name_source {
                    stack::NameSource::Unique { taken_by } if !taken_by.is_empty() => format!(
                        "`{taken_by}` runs as compose project `{}`",
                        self.stack.directory_name
                    ),
                    _ => format!(
                        "compose would name it `{}` by itself",
                        self.stack.directory_name
                    ),
                };
                printer.info(format_args!(
                    "wrote `{variable}={name}` to `{}`: {why}, so plain `docker compose` in `{}` needs the line to find this stack (iris-dev keeps it right in every checkout, committed or not)",
                    path.display(),
                    self.project.root.display()
                ));
            }
            None => printer.info(format_args!(
                "removed iris-dev's `{variable}` line from `{}`: plain `docker compose` finds compose project `{}` without it",
                path.display(),
                self.stack.name
            )),
        }
    }
}
