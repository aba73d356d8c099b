//! `iris-dev down`: `docker compose down` with the files and name `up` used; the
//! project keeps its ports unless `--release`.

use fs_err as fs;

use crate::allocate;
use crate::cli::DownArgs;
use crate::commands::{
    Context, ProjectCache, compose_env, detect_compose, ensure_state_dir, load_stack,
};
use crate::compose::{DuctRunner, Runner};
use crate::error::Error;
use crate::stack;

pub fn run(args: DownArgs, context: &Context<'_>) -> Result<(), Error> {
    let DownArgs {
        volumes,
        release,
        compose_args,
    } = args;
    let project = context.project()?;
    let stack = load_stack(context, &project)?;
    let mut cache = ProjectCache::load(stack.state_dir());
    let compose = detect_compose(context, &project, &mut cache)?;
    context.require_engine(&context.endpoint())?;
    let registry = context.with_store(|store| Ok(store.read()?))?;
    let assignment = registry.find(project.key()).cloned();

    if stack.template && !stack.base_files[0].exists() {
        ensure_state_dir(&stack.state_dir())?;
        fs::write(&stack.base_files[0], stack::TEMPLATE)?;
    }
    let mut files = stack.base_files.clone();
    if stack.override_file().exists() {
        files.push(stack.override_file());
    }
    let mut down_args = vec!["down".to_owned()];
    if volumes {
        down_args.push("--volumes".to_owned());
    }
    down_args.extend(compose_args);
    // The name `up` used, even if `COMPOSE_PROJECT_NAME` or the file changed since.
    let name = assignment
        .as_ref()
        .and_then(|assignment| assignment.compose_project.clone())
        .unwrap_or_else(|| stack.name.clone());
    let mut invocation = compose.invocation(&stack.root, &name, &files, &down_args);
    if let Some(assignment) = &assignment {
        invocation.env = compose_env(assignment);
    }
    let code = DuctRunner.stream(&invocation, &mut |line| context.printer.passthrough(line))?;
    if stack.state_dir().exists() {
        cache.save()?;
    }
    if code != 0 {
        return Err(Error::ComposeFailed {
            command: invocation.to_string(),
            code,
        });
    }

    let Some(assignment) = assignment else {
        context.printer.status(
            "stopped",
            format_args!("`{}`, which had no ports assigned", project.key()),
        );
        return Ok(());
    };
    let now = context.now();
    context.with_store(|store| {
        store.update(|registry| {
            if release {
                registry.remove(project.key());
            } else {
                allocate::release(registry, project.key(), &now);
            }
            Ok(())
        })
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
