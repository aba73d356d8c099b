//! The project's stack as `up` left it, for the everyday commands (`compose`,
//! `logs`, `session`, `down`): the files, override, compose project name and
//! variables every compose call on it needs, and the IRIS service. The override
//! is passed as rendered for the compose in use, whichever compose `up` ran
//! ([`override_for`]).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::cli::error::Error;
use crate::cli::printer::Printer;
use crate::core::compose::Compose;
use crate::core::compose::override_file::{self, ForCompose};
use crate::core::connection::compose_env;
use crate::core::invocation::Invocation;
use crate::core::registry::Assignment;
use crate::core::stack::StackError;
use crate::core::stack::{self, Stack};
use crate::edges::process::{DuctRunner, Runner};
use crate::edges::state_dir::StateDir;
use crate::workflows::context::Context;

pub struct ProjectStack {
    pub stack: Stack,
    pub state: StateDir,
    pub compose: Compose,
    /// `None` for a project that never got ports.
    pub assignment: Option<Assignment>,
}

impl ProjectStack {
    /// Finds the project, its stack, the compose command and its assignment;
    /// writes the template back when the project uses it and it is gone.
    pub fn open(context: &Context<'_>) -> Result<Self, Error> {
        let project = context.project()?;
        let stack = context.stack(&project)?;
        let mut state = StateDir::open(&project.root);
        let compose = context.compose(&project, &mut state)?;
        let assignment = context.store().read()?.find(project.key()).cloned();
        if stack.template && !stack.base_files[0].exists() {
            state.write_template(stack::TEMPLATE)?;
        }
        Ok(Self {
            stack,
            state,
            compose,
            assignment,
        })
    }

    /// `<compose> -p NAME -f FILE... ARGS` with the project's ports as variables.
    pub fn invocation(&self, printer: &Printer, args: &[String]) -> Result<Invocation, Error> {
        stack_invocation(
            &self.compose,
            &self.stack,
            &self.state,
            self.assignment.as_ref(),
            args,
            printer,
        )
    }

    /// The variables compose gets: the assignment's ports, when there is one.
    pub fn env(&self) -> Vec<(String, String)> {
        self.assignment
            .as_ref()
            .map(compose_env)
            .unwrap_or_default()
    }

    /// The IRIS service: the one `up` recorded, else picked from the config as
    /// `up` picks it; with the service's `environment`, when the config can tell.
    pub fn service(
        &mut self,
        context: &Context<'_>,
    ) -> Result<(String, BTreeMap<String, String>), Error> {
        let env = self.env();
        let recorded = self
            .assignment
            .as_ref()
            .and_then(|assignment| assignment.compose_service.clone());
        let config =
            match context.compose_config(&self.stack, Some(&self.compose), &env, &mut self.state) {
                Ok(config) => config,
                Err(error) => match recorded {
                    Some(recorded) => {
                        context
                            .printer
                            .note(format_args!("cannot read the compose config: {error}"));
                        return Ok((recorded, BTreeMap::new()));
                    }
                    None => return Err(error),
                },
            };
        let requested = recorded.as_deref().or(self.stack.service_hint.as_deref());
        let service = match config.iris_service(requested) {
            Ok(service) => service.to_owned(),
            Err(_) if recorded.is_some() => recorded.unwrap_or_default(),
            Err(source) => {
                return Err(Error::Stack(StackError::Service {
                    file: self.stack.base_files[0].clone(),
                    source,
                }));
            }
        };
        let environment = config
            .services
            .get(&service)
            .map(|service| service.environment())
            .unwrap_or_default();
        Ok((service, environment))
    }

    /// Keeps what compose said in `.iris-dev/cache.json`, when `.iris-dev/` exists.
    pub fn save(&mut self) {
        if self.state.exists() {
            let _ = self.state.save();
        }
    }
}

/// `<compose> -p NAME -f FILE... ARGS` for a stack: its base files, and the
/// override when `up` wrote one (rendered for `compose`); the assignment's
/// compose project name and ports. `state` is the stack's `.iris-dev/`.
pub fn stack_invocation(
    compose: &Compose,
    stack: &Stack,
    state: &StateDir,
    assignment: Option<&Assignment>,
    args: &[String],
    printer: &Printer,
) -> Result<Invocation, Error> {
    let mut files: Vec<PathBuf> = stack.base_files.clone();
    files.extend(override_for(compose, stack, state, printer)?);
    let name = stack.compose_project();
    let mut invocation = compose.stack_invocation(stack, name, &files, args);
    if let Some(assignment) = assignment {
        invocation.env.extend(compose_env(assignment));
    }
    Ok(invocation)
}

/// The override `up` wrote, as the file to pass `compose`: written again for
/// `compose` when `up` ran one that reads it otherwise (issue 16 §4); `None`
/// when there is none, or it holds `!override`, which `compose` cannot read, and
/// nothing says what it was rendered from.
pub fn override_for(
    compose: &Compose,
    stack: &Stack,
    state: &StateDir,
    printer: &Printer,
) -> Result<Option<PathBuf>, Error> {
    let path = stack.override_file();
    let Some(text) = state.override_text()? else {
        return Ok(None);
    };
    let before = state.override_written();
    match override_file::for_compose(&text, before.as_ref(), compose) {
        ForCompose::Keep => Ok(Some(path)),
        ForCompose::Rewrite(written) => {
            printer.note(format_args!(
                "`{}` was written for {}; writing it for {}",
                path.display(),
                before.map(|before| before.compose).unwrap_or_default(),
                written.compose
            ));
            state.write_override(&written)?;
            Ok(Some(path))
        }
        ForCompose::Omit => {
            printer.warn(format_args!(
                "`{}` uses `!override`, which {} cannot read, and iris-dev does not know what it was written from: leaving it out (`iris-dev up` writes it for this compose)",
                path.display(),
                compose.display_name()
            ));
            Ok(None)
        }
    }
}

/// Runs `invocation` with the user's terminal (`compose`, `logs`, `session`)
/// and passes a failing exit code on.
pub fn passthrough(invocation: &Invocation) -> Result<(), Error> {
    match DuctRunner.interactive(invocation)? {
        0 => Ok(()),
        code => Err(Error::PassedThrough {
            command: invocation.to_string(),
            code,
        }),
    }
}
