//! `iris-dev up`: the steps, in order. Settings, project, stack and compose
//! are resolved here; the plan, the preflight, the attempts and the wait are
//! [`crate::workflows::up`]'s; the summary is printed here.

use crate::cli::UpArgs;
use crate::cli::error::Error;
use crate::cli::settings::UpSettings;
use crate::core::engine::Engine;
use crate::core::registry::Assignment;
use crate::core::shell;
use crate::edges::docker::DockerEngine;
use crate::edges::probe::BindProbe;
use crate::edges::state_dir::StateDir;
use crate::workflows::context::Context;
use crate::workflows::project_stack;
use crate::workflows::up::Up;

pub fn run(args: UpArgs, context: &Context<'_>) -> Result<(), Error> {
    let settings = UpSettings::resolve(args, &context.settings);
    let project = context.project()?;
    let (stack, listing) = context.stack_listed(&project)?;
    let mut state = StateDir::open(&project.root);
    if !settings.dry_run {
        state
            .prepare()
            .map_err(|(dir, source)| Error::NotWritable { dir, source })?;
    }
    let compose = context.compose(&project, &mut state)?;
    let endpoint = context.endpoint();
    if stack.template {
        // A first run in a directory without a compose file (a clone of a
        // project that has none, say) would otherwise start IRIS silently.
        // `-C` always: the shell may be anywhere (`up -C DIR`).
        let root = project.root.display().to_string();
        context.printer.info(format_args!(
            "no compose file in `{root}` or above: using iris-dev's built-in IRIS Community template; `{}` writes it there as `compose.yaml` to edit",
            shell::join(["iris-dev", "init", "-C", &root])
        ));
    }
    if !settings.bind.is_loopback() {
        context.printer.warn(format_args!(
            "publishing IRIS on {}: anyone who reaches this host can try IRIS's default credentials",
            settings.bind
        ));
    }
    // `--dry-run` goes on without an engine; a real `up` stops here when the
    // engine cannot be reached, before any port is chosen.
    let engine = if settings.dry_run {
        DockerEngine::connect(&endpoint).ok()
    } else {
        context.require_engine(&endpoint)?
    };
    let up = Up {
        context,
        settings: &settings,
        project: &project,
        stack: &stack,
        compose: &compose,
        endpoint: &endpoint,
        engine: engine.as_ref().map(|engine| engine as &dyn Engine),
        host: &BindProbe,
    };
    if settings.dry_run {
        let plan = up.dry_run(&mut state)?;
        context.printer.data(format_args!(
            "# compose: {}\n# {}\n{}",
            compose.describe(),
            stack.override_file().display(),
            plan.written.render()
        ))?;
        return context.printer.data(&plan.invocation);
    }
    // What a failed `up` may remove is what it added (issue 21 §3).
    // The stack's listing is the first attempt's too: the engine is asked
    // for its containers once before compose runs.
    let before = (engine.as_ref().zip(listing.as_ref())).and_then(|(engine, listing)| {
        project_stack::BeforeUp::take(engine, &listing.containers, stack.compose_project())
    });
    let started = up.start(&mut state, listing).inspect_err(|error| {
        if let (Some(engine), Some(before)) = (&engine, &before) {
            let up = (&compose, &stack, &state);
            project_stack::clean_failed_up(context, engine, before, up, error);
        }
    })?;
    up.sync_dotenv();
    if let Some(timeout) = settings.wait {
        up.wait(&started, timeout)?;
    }
    summary(&up, &started.assignment, settings.wait.is_some());
    Ok(())
}

fn summary(up: &Up<'_>, assignment: &Assignment, waited: bool) {
    let printer = &up.context.printer;
    let host = up.endpoint.client_host(up.settings.bind);
    let web_port = assignment.effective_web_port().unwrap_or_default();
    let verb = if waited { "ready" } else { "started" };
    printer.status(
        verb,
        format_args!(
            "IRIS for `{}` (compose project {})",
            up.project.key(),
            up.stack.name
        ),
    );
    printer.info(format_args!("  superserver  {host}:{}", assignment.port));
    printer.info(format_args!(
        "  portal       {}",
        crate::core::connection::portal_url(&host, web_port)
    ));
    if up.endpoint.needs_tunnel(up.settings.bind) {
        let mut tunnel = vec!["iris-dev".to_owned(), "tunnel".to_owned()];
        if up.context.directory() != up.project.root {
            tunnel.extend(["-C".to_owned(), up.project.root.display().to_string()]);
        }
        printer.info(format_args!(
            "  IRIS listens on the engine's loopback; reach it from here with `{}`",
            shell::join(&tunnel)
        ));
    }
}
