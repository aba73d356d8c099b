//! `iris-dev down`: `docker compose down` with the files and name `up` used; the
//! project keeps its ports unless `--release`.

use crate::cli::DownArgs;
use crate::commands::Context;
use crate::connection::compose_env;
use crate::error::Error;
use crate::process::{DuctRunner, Runner};
use crate::registry::transition;
use crate::stack;
use crate::state_dir::StateDir;

pub fn run(args: DownArgs, context: &Context<'_>) -> Result<(), Error> {
    let DownArgs {
        volumes,
        release,
        compose_args,
    } = args;
    let project = context.project()?;
    let stack = context.stack(&project)?;
    let mut state = StateDir::open(&project.root);
    let compose = context.compose(&project, &mut state)?;
    context.require_engine(&context.endpoint())?;
    let registry = context.store().read()?;
    let assignment = registry.find(project.key()).cloned();

    if stack.template && !stack.base_files[0].exists() {
        state.write_template(stack::TEMPLATE)?;
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
    let name = stack.compose_project(assignment.as_ref());
    let mut invocation = compose.stack_invocation(&stack, name, &files, &down_args);
    if let Some(assignment) = &assignment {
        invocation.env = compose_env(assignment);
    }
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
