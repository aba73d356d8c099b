//! `iris-dev up`: ports, override, `docker compose up -d`, wait, summary.

use std::net::IpAddr;

use fs_err as fs;

use crate::cache::{Key, referenced_variables};
use crate::cli::UpArgs;
use crate::commands::{
    Context, ProjectCache, Resolve, compose_env, detect_compose, ensure_state_dir, load_stack,
};
use crate::compose::config::ComposeConfig;
use crate::compose::override_file::{self, OverrideSpec};
use crate::compose::{Compose, DuctRunner, Invocation, Runner, is_port_conflict};
use crate::connection::connect_host;
use crate::engine::{DockerEngine, Engine};
use crate::error::Error;
use crate::ready::{self, Target};
use crate::registry::{Assignment, Status};
use crate::settings::UpSettings;
use crate::stack::{self, Stack};

/// How often a "port is already allocated" from the engine is answered with the
/// next free port before giving up.
const PORT_RETRIES: usize = 3;

pub fn run(args: UpArgs, context: &Context<'_>) -> Result<(), Error> {
    let settings = UpSettings::resolve(args, context.env)?;
    let project = context.project()?;
    let stack = load_stack(context, &project)?;
    let mut cache = ProjectCache::load(stack.state_dir());
    let compose = detect_compose(context, &project, &mut cache)?;
    let endpoint = context.endpoint();
    if !settings.bind.is_loopback() {
        context.printer.warn(format_args!(
            "publishing IRIS on {}: anyone who reaches this host can try IRIS's default credentials",
            settings.bind
        ));
    }
    let (mode, engine) = if settings.dry_run {
        (Resolve::DryRun, None)
    } else {
        let engine = context.require_engine(&endpoint)?;
        context.sweep_stale(&endpoint, engine.as_ref())?;
        (Resolve::Starting, engine)
    };

    let mut avoid = Vec::new();
    let (assignment, service) = loop {
        let assignment =
            context.resolve_ports(&project, &settings.ports, &endpoint, &avoid, mode)?;
        let Plan {
            service,
            yaml,
            invocation,
        } = plan(
            context,
            &settings,
            &stack,
            &compose,
            &assignment,
            &mut cache,
        )?;
        if settings.dry_run {
            context.printer.data(format_args!(
                "# {}\n{yaml}",
                stack.override_file().display()
            ))?;
            return context.printer.data(&invocation);
        }
        write_generated(&stack, &yaml)?;
        cache.save()?;
        crate::interrupt::catch();
        context.printer.status(
            "starting",
            format_args!(
                "IRIS for `{}` on port {} ({})",
                project.key(),
                assignment.port,
                stack.name
            ),
        );
        let mut port_taken = false;
        let code = DuctRunner.stream(&invocation, &mut |line| {
            port_taken |= is_port_conflict(line);
            context.printer.passthrough(line);
        })?;
        if crate::interrupt::requested() {
            return Err(Error::Interrupted {
                doing: format!("`{invocation}` ran; the containers may be partly started"),
            });
        }
        if code == 0 {
            break (assignment, service);
        }
        let pinned = settings.ports.port.is_some() && settings.ports.web_port.is_some();
        if port_taken && !pinned && avoid.len() < 2 * PORT_RETRIES {
            context.printer.warn(format_args!(
                "the engine says port {} or {} is taken; trying the next free ports",
                assignment.port,
                assignment.effective_web_port().unwrap_or_default()
            ));
            avoid.extend(assignment.ports());
            continue;
        }
        return Err(Error::ComposeFailed {
            command: invocation.to_string(),
            code,
        });
    };

    record_started(context, &project, &stack, &service, engine.as_ref())?;

    if let Some(timeout) = settings.wait {
        let target = Target {
            compose_project: &stack.name,
            service: &service,
            bind: settings.bind,
            port: assignment.port,
        };
        let address = format!("{}:{}", connect_host(settings.bind), assignment.port);
        let progress = context
            .printer
            .progress(&format!("waiting for IRIS on {address}"));
        let waited = ready::wait(
            engine.as_ref().map(|engine| engine as &dyn Engine),
            &target,
            timeout,
            &|state| progress.update(state),
        );
        progress.finish();
        if let Err(ready::WaitError::Interrupted) = waited {
            return Err(Error::Interrupted {
                doing: format!("waiting for IRIS on {address}; it is still starting"),
            });
        }
        waited.map_err(|source| Error::NotReady {
            project: project.key().to_owned(),
            logs: format!(
                "{} -p {} logs {service}",
                compose.command.join(" "),
                stack.name
            ),
            source,
        })?;
    }
    summary(
        context,
        &project,
        &stack,
        &assignment,
        settings.bind,
        settings.wait.is_some(),
    );
    Ok(())
}

/// What one attempt at `up` will run.
struct Plan {
    service: String,
    /// The override file's text.
    yaml: String,
    invocation: Invocation,
}

/// Reads the config, picks the IRIS service, checks the base files' ports and
/// renders the override for these ports; touches nothing but the cache.
fn plan(
    context: &Context<'_>,
    settings: &UpSettings,
    stack: &Stack,
    compose: &Compose,
    assignment: &Assignment,
    cache: &mut ProjectCache,
) -> Result<Plan, Error> {
    let env = compose_env(assignment);
    let config = read_config(context, compose, stack, &env, cache)?;
    let requested = settings
        .service
        .as_deref()
        .or(stack.service_hint.as_deref());
    let service = config
        .iris_service(requested)
        .map_err(|source| Error::Service {
            file: stack.base_files[0].clone(),
            source,
        })?
        .to_owned();
    let spec = OverrideSpec {
        service: &service,
        bind: settings.bind,
        port: assignment.port,
        web_port: assignment.effective_web_port().unwrap_or_default(),
        project_path: &assignment.project_path,
        base: &config.services[&service],
        override_tag: compose.supports_override_tag(),
    };
    if let Some(conflict) = override_file::check_base_ports(&spec).into_iter().next() {
        return Err(base_publishes(stack, compose, conflict));
    }
    for (port, address) in override_file::base_binds_elsewhere(&spec) {
        context.printer.warn(format_args!(
            "`{}` publishes port {port} on {}, not only on {}",
            stack.base_files[0].display(),
            address.map_or_else(
                || "every interface".to_owned(),
                |address| format!("`{address}`")
            ),
            settings.bind
        ));
    }
    let yaml = override_file::render(&spec);
    let mut up_args = vec!["up".to_owned(), "-d".to_owned()];
    up_args.extend(settings.compose_args.iter().cloned());
    let mut invocation = compose.invocation(&stack.root, &stack.name, &stack.files(), &up_args);
    invocation.env = env;
    Ok(Plan {
        yaml,
        invocation,
        service,
    })
}

/// The merged configuration of the base files; the template's is known without
/// asking compose, and an unchanged project's comes from the cache.
fn read_config(
    context: &Context<'_>,
    compose: &Compose,
    stack: &Stack,
    env: &[(String, String)],
    cache: &mut ProjectCache,
) -> Result<ComposeConfig, Error> {
    if stack.template {
        return Ok(ComposeConfig::parse(stack::TEMPLATE).expect("the built-in template parses"));
    }
    let mut invocation: Invocation = compose.invocation(
        &stack.root,
        &stack.name,
        &stack.base_files,
        &["config".to_owned()],
    );
    invocation.env = env.to_vec();
    let key = config_key(context, &invocation, stack)?;
    let yaml = match cache.cache.config(&key) {
        Some(yaml) => yaml.to_owned(),
        None => {
            let output = DuctRunner.capture(&invocation)?;
            if output.code != 0 {
                for line in output.stderr.lines().chain(output.stdout.lines()) {
                    context.printer.passthrough(line);
                }
                return Err(Error::ComposeFailed {
                    command: invocation.to_string(),
                    code: output.code,
                });
            }
            cache.cache.set_config(key, output.stdout.clone());
            cache.dirty = true;
            output.stdout
        }
    };
    ComposeConfig::parse(&yaml).map_err(|message| Error::ComposeConfig {
        command: invocation.to_string(),
        message,
    })
}

/// Everything `compose config` reads: the command line and its variables, the
/// base files, `.env`, and the values of the variables the files interpolate.
fn config_key(
    context: &Context<'_>,
    invocation: &Invocation,
    stack: &Stack,
) -> Result<String, Error> {
    let mut key = Key::default().part("command", invocation.to_string());
    let mut variables = vec!["COMPOSE_PROFILES".to_owned()];
    for file in &stack.base_files {
        let text = fs::read_to_string(file)?;
        variables.extend(referenced_variables(&text));
        key = key.part(&file.display().to_string(), text);
    }
    let dotenv = fs::read(stack.root.join(".env")).unwrap_or_default();
    variables.extend(referenced_variables(&String::from_utf8_lossy(&dotenv)));
    key = key.part(".env", dotenv);
    for name in variables {
        let value = (context.env)(&name).unwrap_or_default();
        key = key.part(&name, value.as_encoded_bytes());
    }
    Ok(key.finish())
}

fn base_publishes(
    stack: &Stack,
    compose: &Compose,
    conflict: override_file::BaseConflict,
) -> Error {
    let found = stack.base_files.iter().find_map(|file| {
        let text = fs::read_to_string(file).ok()?;
        override_file::find_port_line(&text, conflict.target).map(|line| (file.clone(), line))
    });
    let (file, line) = match found {
        Some((file, line)) => (file, Some(line)),
        None => (stack.base_files[0].clone(), None),
    };
    Error::BasePublishes {
        file,
        line,
        conflict,
        compose: compose.display_name(),
    }
}

/// `.iris-dev/` with the override, and the template when the project has no
/// compose file.
fn write_generated(stack: &Stack, yaml: &str) -> Result<(), Error> {
    ensure_state_dir(&stack.state_dir())?;
    if stack.template {
        fs::write(&stack.base_files[0], stack::TEMPLATE)?;
    }
    fs::write(stack.override_file(), yaml)?;
    Ok(())
}

/// Records that `up` started containers, which makes the assignment able to go
/// stale, and fills Python's `container_name` for `iris_*` containers only:
/// iris-devtester's `cleanup_stale` deletes entries naming anything else.
fn record_started(
    context: &Context<'_>,
    project: &crate::project::Project,
    stack: &Stack,
    service: &str,
    engine: Option<&DockerEngine>,
) -> Result<(), Error> {
    let container_name = engine
        .and_then(|engine| engine.containers().ok())
        .and_then(|containers| {
            containers
                .into_iter()
                .find(|container| container.belongs_to(project.key(), Some(&stack.name)))
        })
        .map(|container| container.name)
        .filter(|name| name.starts_with("iris_"));
    context.with_store(|store| {
        store.update(|registry| {
            if let Some(index) = registry.position(project.key()) {
                let assignment = &mut registry.assignments[index];
                assignment.status = Status::Active;
                assignment.inactive_since = None;
                assignment.compose_project = Some(stack.name.clone());
                assignment.compose_service = Some(service.to_owned());
                if container_name.is_some() {
                    assignment.container_name = container_name;
                }
            }
            Ok(())
        })
    })
}

fn summary(
    context: &Context<'_>,
    project: &crate::project::Project,
    stack: &Stack,
    assignment: &Assignment,
    bind: IpAddr,
    waited: bool,
) {
    let host = connect_host(bind);
    let web_port = assignment.effective_web_port().unwrap_or_default();
    let verb = if waited { "ready" } else { "started" };
    context.printer.status(
        verb,
        format_args!(
            "IRIS for `{}` (compose project {})",
            project.key(),
            stack.name
        ),
    );
    context
        .printer
        .info(format_args!("  superserver  {host}:{}", assignment.port));
    context.printer.info(format_args!(
        "  portal       http://{host}:{web_port}/csp/sys/UtilHome.csp"
    ));
}
