//! `iris-dev down`: `docker compose down` with the files and name `up` used (the
//! override written for the compose in use, see
//! [`super::project_stack::override_for`]); the project keeps its ports unless
//! `--release`. `--all` does it for every project started on this engine.

use std::path::Path;

use crate::cli::DownArgs;
use crate::cli::error::Error;
use crate::core::compose::Compose;
use crate::core::connection::compose_env;
use crate::core::invocation::Invocation;
use crate::core::project::Project;
use crate::core::registry::{Assignment, transition};
use crate::core::selection::ComposeSettings;
use crate::core::stack;
use crate::edges::process::{DuctRunner, Runner};
use crate::edges::state_dir::StateDir;
use crate::workflows::context::Context;
use crate::workflows::project_stack::{Volumes, remove_leftovers, stack_invocation};

pub fn run(args: DownArgs, context: &Context<'_>) -> Result<(), Error> {
    let DownArgs {
        all,
        volumes,
        release,
        compose_args,
    } = args;
    let mut down_args = vec!["down".to_owned()];
    if volumes {
        down_args.push("--volumes".to_owned());
    }
    down_args.extend(compose_args);
    if all {
        return down_all(&down_args, release, volumes, context);
    }
    let project = context.project()?;
    let stack = context.stack(&project)?;
    let mut state = StateDir::open(&project.root);
    let compose = context.compose(&project, &mut state)?;
    let client = context.require_engine(&context.endpoint())?;
    let registry = context.store().read()?;
    let assignment = registry.find(project.key()).cloned();

    if stack.template && !stack.base_files[0].exists() {
        state.write_template(stack::TEMPLATE)?;
    }
    let invocation = stack_invocation(
        &compose,
        &stack,
        &state,
        assignment.as_ref(),
        &down_args,
        &context.printer,
    )?;
    let code = DuctRunner.stream(&invocation, &mut |line| context.printer.passthrough(line))?;
    if state.exists() {
        state.save()?;
    }
    if code != 0 {
        return Err(Error::ComposeFailed {
            command: invocation.to_string(),
            code,
        });
    }
    if let Some(client) = &client {
        remove_leftovers(
            context,
            client,
            stack.compose_project(),
            volumes_of(volumes, release),
        );
    }

    let Some(assignment) = assignment else {
        context.printer.status(
            "stopped",
            format_args!("`{}`, which had no ports assigned", project.key()),
        );
        return Ok(());
    };
    let now = context.now();
    context.store().update(|registry| {
        if release {
            registry.remove(project.key());
        } else {
            transition::release(registry, project.key(), &now);
        }
        Ok::<_, Error>(())
    })?;
    if release {
        context.printer.status(
            "stopped",
            format_args!("`{}` and gave back port {}", project.key(), assignment.port),
        );
    } else {
        context.printer.status(
            "stopped",
            format_args!(
                "`{}`; it keeps port {} for the next `iris-dev up`",
                project.key(),
                assignment.port
            ),
        );
    }
    Ok(())
}

/// Stops every assignment's stack that `up` started on this engine, each with
/// its own files and name; goes on past failures and reports them at the end.
fn down_all(
    down_args: &[String],
    release: bool,
    volumes: bool,
    context: &Context<'_>,
) -> Result<(), Error> {
    let endpoint = context.endpoint();
    let client = context.require_engine(&endpoint)?;
    let mut containers = None;
    if let Some(client) = &client {
        // A stack whose entry the registry lost is still iris-dev's to stop.
        let listing = crate::core::engine::Listing::of(client, context.now())?;
        crate::workflows::assign::recover_running(context, &endpoint, &listing)?;
        containers = Some(listing.containers);
    }
    let engine = endpoint.registry_key();
    let registry = context.store().read()?;
    // Every stack `up` recorded as started, and every one whose `up` was
    // killed after compose began but before it recorded the start: its entry
    // names the compose project, and the engine has its containers (the
    // soak found such stacks left running).
    let listed = containers.as_deref().unwrap_or_default();
    let targets: Vec<Assignment> = registry
        .assignments
        .iter()
        .filter(|assignment| assignment.engine.as_deref() == engine)
        .filter(|assignment| {
            assignment.compose_service.is_some()
                || assignment.compose_project.as_deref().is_some_and(|name| {
                    listed
                        .iter()
                        .any(|container| container.belongs_to(&assignment.project_path, Some(name)))
                })
        })
        .cloned()
        .collect();
    // An `up` killed after compose began but before it recorded the start
    // leaves an entry that names its compose project only: what compose made
    // of it goes too, once none of its containers is left.
    if let Some(client) = &client {
        let reserved = registry.assignments.iter().filter(|assignment| {
            assignment.engine.as_deref() == engine
                && !targets
                    .iter()
                    .any(|target| target.project_path == assignment.project_path)
        });
        for name in reserved.filter_map(|assignment| assignment.compose_project.as_deref()) {
            remove_leftovers(context, client, name, volumes_of(volumes, release));
        }
    }
    if targets.is_empty() {
        context
            .printer
            .info("no project's stack was started on this engine; nothing to stop");
        return Ok(());
    }
    // A directory without a compose file, for projects whose own is gone.
    let neutral = context.settings.registry.dir.clone();
    let compose = context.on_engine(crate::edges::compose_detect::detect(
        &DuctRunner,
        context.settings.compose.command.as_deref(),
        &neutral,
    )?);
    let mut stopped = Vec::new();
    let mut failed = Vec::new();
    for assignment in &targets {
        let path = &assignment.project_path;
        let ran = containers.as_deref().map_or(Ran::Running, |containers| {
            was_running(containers, assignment)
        });
        if matches!(ran, Ran::Running) {
            context.printer.info(format_args!("stopping `{path}`"));
        }
        let seen = (&registry, containers.as_deref().unwrap_or_default());
        let result = stop(&compose, assignment, down_args, &neutral, seen, context);
        // Also after a failed `compose down`: nothing goes while a container
        // of the stack is left.
        if let (Some(client), Some(name)) = (&client, &assignment.compose_project) {
            remove_leftovers(context, client, name, volumes_of(volumes, release));
        }
        match result {
            Ok(()) => stopped.push(assignment),
            Err(error) => {
                context
                    .printer
                    .warn(format_args!("cannot stop `{path}`: {error}"));
                failed.push(path.clone());
            }
        }
    }
    let now = context.now();
    context.store().update(|registry| {
        for assignment in &stopped {
            if release {
                registry.remove(&assignment.project_path);
            } else {
                transition::release(registry, &assignment.project_path, &now);
            }
        }
        Ok::<_, Error>(())
    })?;
    for assignment in &stopped {
        let stack = format!(
            "compose project `{}`, port {}",
            assignment.compose_project.as_deref().unwrap_or_default(),
            assignment.port
        );
        let path = &assignment.project_path;
        let ran = containers.as_deref().map_or(Ran::Running, |containers| {
            was_running(containers, assignment)
        });
        match ran {
            Ran::Running => {
                context
                    .printer
                    .status("stopped", format_args!("`{path}` ({stack})"));
            }
            Ran::Stopped => context.printer.info(format_args!(
                "`{path}` was not running ({stack}); its stopped containers were removed"
            )),
            Ran::Nothing => context.printer.info(format_args!(
                "`{path}` was not running ({stack}); there was nothing to stop"
            )),
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Error::StopFailed { projects: failed })
    }
}

/// `--volumes`: the stack's volumes go with it; else they keep its data, and
/// with `--release`, which makes the registry forget the project, they are
/// named with the command that removes them.
fn volumes_of(volumes: bool, release: bool) -> Volumes<'static> {
    match (volumes, release) {
        (true, _) => Volumes::Remove,
        (false, true) => Volumes::KeepAndName,
        (false, false) => Volumes::Keep,
    }
}

/// What a project's stack was doing before `down --all`.
enum Ran {
    /// At least one of its containers ran (or the engine gave no listing).
    Running,
    /// It had containers, none of them running.
    Stopped,
    /// It had no containers.
    Nothing,
}

fn was_running(containers: &[crate::core::engine::Container], assignment: &Assignment) -> Ran {
    let own: Vec<_> = containers
        .iter()
        .filter(|container| {
            container.belongs_to(
                &assignment.project_path,
                assignment.compose_project.as_deref(),
            )
        })
        .collect();
    if own.iter().any(|container| container.state == "running") {
        Ran::Running
    } else if own.is_empty() {
        Ran::Nothing
    } else {
        Ran::Stopped
    }
}

/// `compose down` for one assignment: with the project's stack when its
/// directory is still there, else by compose project name alone. `seen` is the
/// registry and the engine's containers `down --all` read once for all of them.
fn stop(
    compose: &Compose,
    assignment: &Assignment,
    down_args: &[String],
    neutral: &Path,
    seen: (
        &crate::core::registry::Registry,
        &[crate::core::engine::Container],
    ),
    context: &Context<'_>,
) -> Result<(), Error> {
    let root = Path::new(&assignment.project_path);
    let invocation = if root.is_dir() {
        // Each project with its own files and name: the `-f`, `--profile`,
        // `--env-file`, `COMPOSE_FILE`/`COMPOSE_PROFILES` and above all the
        // `COMPOSE_PROJECT_NAME` of this shell are not theirs (under one name,
        // every project's `down -v` would delete that name's volumes).
        let own_files = ComposeSettings {
            project_name: None,
            file_args: Vec::new(),
            profile_args: Vec::new(),
            env_file: None,
            file_variable: None,
            profiles_variable: None,
            ..context.settings.compose.clone()
        };
        let found = Project::discover(root, &own_files)?;
        let project = if found.key() == assignment.project_path {
            found
        } else {
            // The project runs the template; a parent's compose file is not its.
            Project::from_argument(root, root)?
        };
        let stack = context.stack_with(&project, seen.0, seen.1)?;
        let state = StateDir::open(&project.root);
        if stack.template && !stack.base_files[0].exists() {
            state.write_template(stack::TEMPLATE)?;
        }
        stack_invocation(
            compose,
            &stack,
            &state,
            Some(assignment),
            down_args,
            &context.printer,
        )?
    } else {
        let name = assignment.compose_project.clone().unwrap_or_default();
        let mut argv = compose.command.clone();
        argv.extend(["-p".to_owned(), name]);
        argv.extend(down_args.iter().cloned());
        Invocation {
            argv,
            dir: neutral.to_owned(),
            env: compose_env(assignment),
        }
    };
    let code = DuctRunner.stream(&invocation, &mut |line| context.printer.passthrough(line))?;
    if code == 0 {
        Ok(())
    } else {
        Err(Error::ComposeFailed {
            command: invocation.to_string(),
            code,
        })
    }
}
