//! The one error every command returns: what went wrong, why, how to fix it, and
//! which exit code that is.
//!
//! Area errors (`StoreError`, `AllocError`, ...) say what failed; this module adds
//! the hints, written as commands the user can run.

use std::io;

use crate::allocate::AllocError;
use crate::env_vars;
use crate::project::ProjectError;
use crate::registry::StoreError;
use crate::settings::SettingsError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Project(#[from] ProjectError),
    #[error("cannot assign ports to `{project}`")]
    Alloc {
        project: String,
        #[source]
        source: AllocError,
    },
    #[error("no port assignment for {}", list(projects))]
    NotAssigned { projects: Vec<String> },
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// An error laid out for people.
#[derive(Debug, Default, PartialEq)]
pub struct Report {
    pub message: String,
    pub causes: Vec<String>,
    /// Supporting lines, such as the assignments that fill a range.
    pub details: Vec<String>,
    pub hints: Vec<String>,
}

impl Error {
    /// 2 for bad usage, 1 for everything the user can act on.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Settings(_) => 2,
            _ => 1,
        }
    }

    pub fn report(&self) -> Report {
        let mut causes = Vec::new();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            causes.push(cause.to_string());
            source = cause.source();
        }
        let mut report = Report {
            message: self.to_string(),
            causes,
            ..Report::default()
        };
        self.explain(&mut report);
        report
    }

    fn explain(&self, report: &mut Report) {
        let hints = &mut report.hints;
        match self {
            Self::Settings(error) => hints.push(format!("correct or unset `{}`", error.name)),
            Self::Store(StoreError::Content { .. }) => hints.push(
                "move it aside and start an empty registry with `iris-dev ports reset` (the old file is kept)".into(),
            ),
            Self::Store(StoreError::Symlink { .. } | StoreError::ForeignOwner { .. } | StoreError::NotDirectory { .. }) => {
                hints.push(format!(
                    "use a directory of your own: `export {}=\"$HOME/.iris-dev\"`",
                    env_vars::IRIS_DEV_HOME
                ));
            }
            Self::Store(StoreError::LockTimeout { path, .. }) => {
                hints.push(format!(
                    "another iris-dev or iris-devtester process holds it; find it with `fuser -v {}`",
                    path.display()
                ));
                hints.push(format!("or wait longer: `{}=120`", env_vars::IRIS_DEV_LOCK_TIMEOUT));
            }
            Self::Store(StoreError::NewerSchema { .. }) => {
                hints.push("upgrade iris-dev to one that knows this schema".into());
            }
            Self::Alloc { source, .. } => explain_alloc(source, report),
            Self::NotAssigned { .. } => {
                hints.push("see every assignment with `iris-dev ports list`".into());
            }
            Self::Store(StoreError::Io(_)) | Self::Project(_) | Self::Io(_) => {}
        }
    }
}

fn explain_alloc(error: &AllocError, report: &mut Report) {
    let hints = &mut report.hints;
    match error {
        AllocError::Held { holder, .. } => {
            hints.push(format!(
                "free it with `iris-dev ports clear '{}'`",
                holder.project_path
            ));
            hints.push(format!(
                "or let iris-dev choose a port: unset `{}` and `{}`",
                env_vars::IRIS_DEV_PORT,
                env_vars::IRIS_DEV_WEB_PORT
            ));
        }
        AllocError::Busy { port } => {
            hints.push(format!(
                "see what listens on it: `ss -ltnp 'sport = :{port}'`"
            ));
            hints.push(format!(
                "or pick another port with `{}` / `{}`",
                env_vars::IRIS_DEV_PORT,
                env_vars::IRIS_DEV_WEB_PORT
            ));
        }
        AllocError::Exhausted { range, assignments } => {
            report.details.push("assignments:".into());
            if assignments.is_empty() {
                report
                    .details
                    .push("  (none: every port in the range is in use by other programs)".into());
            }
            for assignment in assignments {
                report.details.push(format!(
                    "  {}  port {}  {}",
                    assignment.project_path, assignment.port, assignment.status
                ));
            }
            hints.push("free a project's ports with `iris-dev ports clear <project>`".into());
            let wider_end = range.end.saturating_add(range.end - range.start + 1);
            hints.push(format!(
                "or widen the range: `{}={}-{wider_end}`",
                env_vars::IRIS_DEV_PORT_RANGE,
                range.start
            ));
            hints.push(format!(
                "or pin a port outside it: `{}={}`",
                env_vars::IRIS_DEV_PORT,
                wider_end.saturating_add(1)
            ));
        }
        AllocError::NoPairedWebPort { .. } => {
            hints.push(format!(
                "pin the web portal port: `{}=<port>`",
                env_vars::IRIS_DEV_WEB_PORT
            ));
        }
    }
}

fn list(projects: &[String]) -> String {
    projects
        .iter()
        .map(|project| format!("`{project}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
