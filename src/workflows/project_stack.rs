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

/// Which of a stack's volumes [`remove_leftovers`] removes.
pub enum Volumes<'a> {
    /// None: they hold the project's data (`down` without `--volumes`).
    Keep,
    /// None, but say which are left and how to remove them: a pruned
    /// project's data, which nothing else names any more.
    KeepAndName,
    /// Every one (`down --volumes`).
    Remove,
    /// Those not in this list of the engine's volumes from before: what a
    /// failed `up` created.
    RemoveNewerThan(&'a [String]),
}

/// Removes what compose left of `compose_project` once its containers are
/// gone ([`crate::core::engine::leftovers`]): after `docker rm -f`, `compose down`
/// finds nothing to remove the volumes through, and a failed `up` leaves the
/// network and volumes it created. Says what went; a failure to remove one is
/// a warning, one to list them a `-v` note, since the stack itself is down.
pub fn remove_leftovers(
    context: &Context<'_>,
    engine: &crate::edges::docker::DockerEngine,
    compose_project: &str,
    volumes: Volumes<'_>,
) {
    use crate::core::engine::Engine;
    let found = (|| {
        let containers = engine.containers()?;
        let networks = engine.networks()?;
        let existing = engine.volumes()?;
        let mut leftovers = crate::core::engine::leftovers(
            &containers,
            &networks,
            &existing,
            compose_project,
            !matches!(volumes, Volumes::Keep),
        );
        if let Volumes::RemoveNewerThan(before) = volumes {
            leftovers.volumes.retain(|name| !before.contains(name));
        }
        if let Volumes::KeepAndName = volumes {
            for name in std::mem::take(&mut leftovers.volumes) {
                context.printer.info(format_args!(
                    "kept volume `{name}` of compose project `{compose_project}` (its data); `{}` removes it",
                    crate::core::shell::join(["docker", "volume", "rm", &name])
                ));
            }
        }
        Ok::<_, crate::core::engine::EngineError>(leftovers)
    })();
    let leftovers = match found {
        Ok(leftovers) => leftovers,
        // Best effort: the stack itself is down.
        Err(err) => {
            context.printer.note(format_args!(
                "cannot list what compose left of `{compose_project}`: {err}"
            ));
            return;
        }
    };
    for (kind, names, remove) in [
        (
            "network",
            &leftovers.networks,
            &(|name: &str| engine.remove_network(name)) as &dyn Fn(&str) -> _,
        ),
        ("volume", &leftovers.volumes, &|name: &str| {
            engine.remove_volume(name)
        }),
    ] {
        for name in names {
            match remove(name) {
                Ok(()) => context
                    .printer
                    .info(format_args!("removed {kind} `{name}` that compose left")),
                Err(err) => context
                    .printer
                    .warn(format_args!("cannot remove {kind} `{name}`: {err}")),
            }
        }
    }
}

/// What the engine held of a stack before `up` ran compose, so that a failed
/// `up` removes what it created and nothing else.
pub struct BeforeUp {
    /// Any container of the compose project, running or not: then the stack
    /// was there before and a failure leaves it as it is.
    had_containers: bool,
    /// Every volume the engine had.
    volumes: Vec<String>,
}

impl BeforeUp {
    /// From the containers `up` listed before its first attempt; `None` when
    /// the engine does not answer: then a failure cleans nothing.
    pub fn take(
        engine: &crate::edges::docker::DockerEngine,
        containers: &[crate::core::engine::Container],
        compose_project: &str,
    ) -> Option<Self> {
        use crate::core::engine::Engine;
        let volumes = engine.volumes().ok()?;
        Some(Self {
            had_containers: containers.iter().any(|container| {
                container
                    .labels
                    .get(crate::core::engine::COMPOSE_PROJECT_LABEL)
                    .is_some_and(|name| name == compose_project)
            }),
            volumes: volumes.into_iter().map(|volume| volume.name).collect(),
        })
    }
}

/// After an `up` of a stack that had no containers failed: `compose down`
/// removes the containers it created (a refused port leaves them created, not
/// started), then [`remove_leftovers`] the network and the volumes that were
/// not there before (issue 21 §3). An interrupted `up` keeps everything: its
/// containers may be coming up.
pub fn clean_failed_up(
    context: &Context<'_>,
    engine: &crate::edges::docker::DockerEngine,
    before: &BeforeUp,
    up: (&Compose, &Stack, &StateDir),
    error: &Error,
) {
    if before.had_containers || matches!(error, Error::Interrupted { .. }) {
        return;
    }
    let (compose, stack, state) = up;
    let name = stack.compose_project();
    let created = {
        use crate::core::engine::Engine;
        engine.containers().is_ok_and(|containers| {
            containers.iter().any(|container| {
                container
                    .labels
                    .get(crate::core::engine::COMPOSE_PROJECT_LABEL)
                    .is_some_and(|project| project == name)
            })
        })
    };
    let down = ["down".to_owned(), "--remove-orphans".to_owned()];
    if created
        && let Ok(invocation) =
            stack_invocation(compose, stack, state, None, &down, &context.printer)
    {
        // Its words are compose's own about removing what it made; ours follow.
        let _ = DuctRunner.stream(&invocation, &mut |_| {});
    }
    remove_leftovers(
        context,
        engine,
        name,
        Volumes::RemoveNewerThan(&before.volumes),
    );
}
