//! `iris-dev doctor [--json]`: gathers the facts (compose, the engine, the
//! registry file, the project's compose config, the containers) and prints the
//! checks [`crate::core::doctor`] makes of them, one line each.

use std::collections::BTreeSet;

use crate::cli::DoctorArgs;
use crate::cli::error::Error;
use crate::core::allocate::HostPorts;
use crate::core::compose::Compose;
use crate::core::compose::config::ComposeConfig;
use crate::core::compose::override_file::{self, OverrideSpec};
use crate::core::compose::port_advice;
use crate::core::doctor::{self, Check, Level, ProxyEvidence};
use crate::core::engine::{Container, Engine, Listing};
use crate::core::env_vars;
use crate::core::project::Project;
use crate::core::registry::Registry;
use crate::core::shell;
use crate::edges::docker::DockerEngine;
use crate::edges::platform;
use crate::edges::probe::BindProbe;
use crate::edges::process::{DuctRunner, Runner};
use crate::edges::state_dir::StateDir;
use crate::workflows::context::Context;

pub fn run(args: DoctorArgs, context: &Context<'_>) -> Result<(), Error> {
    let DoctorArgs { json } = args;
    let settings = &context.settings;
    // A bad variable is a failed check of its own; its default stands in, so
    // every other check still runs.
    let mut checks: Vec<Check> = settings
        .invalid
        .iter()
        .map(|error| doctor::invalid_setting(error.name, error.to_string()))
        .collect();

    let compose = crate::edges::compose_detect::detect(
        &DuctRunner,
        settings.compose.command.as_deref(),
        context.directory(),
    )
    .map(|compose| context.on_engine(compose));
    checks.push(match &compose {
        Ok(compose) if compose.supports_override_tag() => Check::ok(
            "compose",
            format!("{}, which supports `!override`", compose.display_name()),
        ),
        Ok(compose) => Check::warn(
            "compose",
            format!(
                "{} does not support `!override` (2.24.4 or newer does): a base file that publishes IRIS's ports on fixed host ports stops `iris-dev up`",
                compose.display_name()
            ),
            "install the Compose plugin 2.24.4 or newer (`apt-get install docker-compose-plugin`)",
        ),
        Err(err @ crate::core::compose::ComposeError::PodmanCompose { .. }) => Check::fail(
            "compose",
            err.to_string(),
            crate::core::compose::PODMAN_COMPOSE_FIX,
        ),
        Err(err) => Check::fail(
            "compose",
            err.to_string(),
            "install the Compose plugin (`apt-get install docker-compose-plugin`), or name one with `IRIS_DEV_COMPOSE`",
        ),
    });

    let endpoint = context.endpoint();
    let engine = DockerEngine::connect(&endpoint);
    let listing = match &engine {
        Ok(engine) => {
            let version = engine
                .api_version()
                .unwrap_or_else(|_| "API version unknown".into());
            checks.push(Check::ok(
                "engine",
                format!("{} answers: {version}", endpoint.describe()),
            ));
            Listing::of(engine, context.now()).ok()
        }
        Err(err) if endpoint.url.starts_with("ssh://") => {
            checks.push(Check::warn(
                "engine",
                format!(
                    "{err}; compose can still reach it, but stale assignments are not detected"
                ),
                "use a `tcp://` or `unix://` endpoint to let iris-dev see the containers",
            ));
            None
        }
        Err(err) => {
            checks.push(Check::fail(
                "engine",
                format!("{err} (engine: {})", endpoint.origin),
                "start the engine (`docker info` checks it; for Podman's socket, `systemctl --user enable --now podman.socket`, or as root `systemctl enable --now podman.socket`), or point `DOCKER_HOST` or the docker context at a running one",
            ));
            None
        }
    };

    checks.push(doctor::userland_proxy(&proxy_evidence(
        endpoint.is_local(),
        listing
            .as_ref()
            .map(|listing| listing.containers.as_slice()),
    )));

    let store = context.store();
    let registry_path = store.registry_path();
    let registry = match store.read() {
        Ok(registry) => {
            checks.push(Check::ok(
                "registry",
                format!(
                    "`{}` holds {} assignment(s)",
                    registry_path.display(),
                    registry.assignments.len()
                ),
            ));
            // iris-devtester reads the file as it is on disk, with rules of its own.
            if let Ok(bytes) = fs_err::read(&registry_path) {
                checks.push(doctor::devtester_readable(
                    &bytes,
                    &registry_path.display().to_string(),
                ));
            }
            Some(registry)
        }
        Err(err) => {
            let error = Error::from(err);
            let report = error.report();
            let mut message = report.message;
            for cause in report.causes {
                message.push_str(&format!(": {cause}"));
            }
            checks.push(Check::fail("registry", message, report.hints.join("; ")));
            None
        }
    };
    for path in [&registry_path, &store.lock_path()] {
        let Ok(metadata) = fs_err::metadata(path) else {
            continue;
        };
        match platform::mode(&metadata) {
            Some(mode) if mode & 0o077 != 0 => checks.push(Check::warn(
                "registry",
                format!(
                    "`{}` has mode {:o}: other users can read it",
                    path.display(),
                    mode & 0o777
                ),
                format!(
                    "`{}`",
                    shell::join(["chmod", "600", &path.display().to_string()])
                ),
            )),
            _ => {}
        }
    }
    checks.push(if store.lock_path().exists() {
        Check::ok(
            "registry",
            format!("lock file `{}`", store.lock_path().display()),
        )
    } else {
        Check::ok(
            "registry",
            "no lock file yet: the first assignment creates it",
        )
    });

    // A range or web port that did not parse is checked above, not its default.
    let range_invalid = settings.invalid.iter().any(|error| {
        [env_vars::IRIS_DEV_PORT_RANGE, env_vars::IRIS_DEV_WEB_PORT].contains(&error.name)
    });
    if !range_invalid {
        checks.push(doctor::port_range(
            settings.ports.range,
            settings.ports.web_port.is_some(),
        ));
    }

    checks.extend(project_checks(context, compose.as_ref().ok()));

    if let (Some(registry), Some(listing)) = (&registry, &listing) {
        let key = endpoint.registry_key();
        checks.push(doctor::stale_assignments(registry, listing, key));
        checks.push(doctor::moved_ports(registry, &listing.containers, key));
    }

    let failed = checks
        .iter()
        .filter(|check| check.level == Level::Fail)
        .count();
    if json {
        context
            .printer
            .data(serde_json::to_string_pretty(&checks).expect("checks serialise"))?;
    } else {
        let text: Vec<String> = checks.iter().map(ToString::to_string).collect();
        context.printer.data(text.join("\n"))?;
    }
    if failed > 0 {
        return Err(Error::ChecksFailed { failed });
    }
    Ok(())
}

/// Whether anything on this machine listens on a host port a running
/// container publishes: the engine's API does not say whether its userland
/// proxy runs, but that is what the proxy would do.
fn proxy_evidence(local: bool, containers: Option<&[Container]>) -> ProxyEvidence {
    let unknown = |reason: &str| ProxyEvidence::Unknown(reason.to_owned());
    if !local {
        return unknown("the engine is on another host, whose listeners are not visible from here");
    }
    let Some(containers) = containers else {
        return unknown("the engine's containers could not be listed");
    };
    let published = containers
        .iter()
        .filter(|container| container.state == "running")
        .find_map(|container| {
            container
                .ports
                .iter()
                .find(|port| port.host_port != 0)
                .map(|port| (container, port.host_port))
        });
    let Some((container, port)) = published else {
        return unknown("no running container publishes a port to look at");
    };
    match platform::host_listeners(&BTreeSet::from([port])) {
        // A listener this user cannot see (macOS's `lsof` shows only the
        // user's own) still keeps the port from being bound.
        Some(listeners) => ProxyEvidence::Published {
            container: container.name.clone(),
            port,
            listening: !listeners.is_empty() || !BindProbe.is_free(port),
        },
        None => unknown("this platform cannot list the host's listeners"),
    }
}

/// Whether the override `up` wrote suits `compose`, as iris-dev's commands
/// would judge it before passing it (they write it again when it does not).
fn override_check(project: &Project, compose: &Compose) -> Option<Check> {
    let state = StateDir::open(&project.root);
    let text = state.override_text().ok()??;
    let before = state.override_written();
    let verdict = override_file::for_compose(&text, before.as_ref(), compose);
    let path = crate::core::state_paths::override_file(&project.root);
    doctor::override_file(
        &path.display().to_string(),
        &verdict,
        before.as_ref(),
        compose,
    )
}

/// The project's compose file, its IRIS service, base files publishing IRIS's
/// ports, and fixed container names.
fn project_checks(context: &Context<'_>, compose: Option<&Compose>) -> Vec<Check> {
    let project = match context.project() {
        Ok(project) => project,
        Err(err) => {
            return vec![Check::warn(
                "project",
                err.to_string(),
                "run `iris-dev doctor` inside a project, or `-C <project>`",
            )];
        }
    };
    // A registry that cannot be read is a failed check of its own: the
    // project's checks go on without the names other projects record.
    let registry = context.store().read().unwrap_or_else(|_| Registry::empty());
    let stack = match context.stack_in(&project, &registry) {
        Ok(stack) => stack,
        Err(err) => {
            // The error knows its own fix (a name another project owns is not
            // a broken compose file).
            let report = err.report();
            let fix = if !report.hints.is_empty() {
                report.hints.join("; ")
            } else if let Some(compose) = compose {
                let mut config = compose.command.clone();
                config.push("config".to_owned());
                format!(
                    "correct the compose file; `{}` in `{}` shows what is wrong",
                    shell::join(&config),
                    project.root.display()
                )
            } else {
                "correct the compose file".to_owned()
            };
            let mut message = report.message;
            for cause in report.causes {
                message.push_str(&format!(": {cause}"));
            }
            return vec![Check::fail("project", message, fix)];
        }
    };
    if stack.template {
        let mut checks = vec![Check::ok(
            "project",
            format!(
                "no compose file in `{}`: `iris-dev up` runs the built-in template (`iris-dev init` writes it out)",
                project.root.display()
            ),
        )];
        checks.extend(compose.and_then(|compose| override_check(&project, compose)));
        return checks;
    }
    let file = stack.base_files[0].display().to_string();
    let mut checks = vec![Check::ok("project", format!("compose file `{file}`"))];
    if stack.plain_compose_misses() {
        // The compose in use is the one the user types beside iris-dev.
        let plain = compose.map_or_else(
            || "docker compose".to_owned(),
            |compose| compose.command.join(" "),
        );
        let (message, fix) = stack.plain_compose_warning(&plain);
        checks.push(Check::warn("project", message, fix));
    }
    let endpoint = context.endpoint();
    if let Ok(containers) = DockerEngine::connect(&endpoint).and_then(|engine| engine.containers())
        && let Ok(registry) = context.store().read()
        && let Some(disagreement) = crate::core::stale::disagreement(
            project.key(),
            registry.find(project.key()),
            &containers,
        )
    {
        checks.push(Check::warn(
            "registry",
            disagreement.message,
            disagreement.fix,
        ));
    }
    let Some(compose) = compose else {
        return checks;
    };
    checks.extend(override_check(&project, compose));
    let mut invocation = compose.stack_invocation(
        &stack,
        &stack.name,
        &stack.base_files,
        &["config".to_owned()],
    );
    // Unlikely ports stand in for the assigned ones, so that an entry that
    // publishes `${IRIS_PORT}` is told apart from a fixed host port.
    let (port, web_port) = (65_001, 65_002);
    invocation.env.extend([
        (env_vars::IRIS_PORT.to_owned(), port.to_string()),
        (env_vars::IRIS_WEB_PORT.to_owned(), web_port.to_string()),
    ]);
    let config = DuctRunner
        .capture(&invocation)
        .map_err(|err| err.to_string())
        .and_then(|output| {
            if output.code == 0 {
                ComposeConfig::parse(&output.stdout)
            } else {
                Err(output.stderr.trim().to_owned())
            }
        });
    let config = match config {
        Ok(config) => config,
        Err(message) => {
            checks.push(Check::fail(
                "project",
                format!("`{invocation}` fails: {message}"),
                format!("correct `{file}`"),
            ));
            return checks;
        }
    };
    let service = match config.iris_service(stack.service_hint.as_deref()) {
        Ok(service) => service.to_owned(),
        Err(err) => {
            checks.push(Check::fail(
                "project",
                format!("cannot pick the IRIS service in `{file}`: {err}"),
                "name it in the compose file: `x-iris-dev: {service: <name>}`",
            ));
            return checks;
        }
    };
    checks.push(Check::ok("project", format!("IRIS service `{service}`")));
    let spec = OverrideSpec {
        service: &service,
        bind: settings_bind(context),
        port,
        web_port,
        project_path: project.key(),
        registry: &context.registry_identity().unwrap_or_default(),
        base: &config.services[&service],
        override_tag: compose.supports_override_tag(),
        stack: std::collections::BTreeMap::new(),
    };
    let env = [
        (env_vars::IRIS_PORT, port.to_string()),
        (env_vars::IRIS_WEB_PORT, web_port.to_string()),
    ];
    let lookup = |name: &str| {
        env.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.clone())
            .or_else(|| {
                context
                    .settings
                    .interpolated(name)
                    .and_then(|value| value.into_string().ok())
            })
    };
    for advice in port_advice::base_entries(&spec) {
        let found = stack.base_files.iter().find_map(|file| {
            let text = fs_err::read_to_string(file).ok()?;
            port_advice::locate(&text, &advice.mapping, &lookup)
                .map(|(number, _, written)| (file.display().to_string(), number, written))
        });
        let (place, written) = match found {
            Some((file, number, written)) => (format!("`{file}` line {number}"), written),
            None => (format!("`{file}`"), None),
        };
        let fix = format!("in {place}, {}", advice.fix(written.as_deref()));
        let cannot = format!(
            "{} cannot replace the list (`!override` needs compose 2.24.4 or newer)",
            compose.display_name()
        );
        checks.push(match &advice.problem {
            port_advice::Problem::Fixed { published } => Check::fail(
                "project",
                format!(
                    "{place} publishes {} on fixed host port {published}, and {cannot}: a second checkout cannot start",
                    advice.describe()
                ),
                fix,
            ),
            port_advice::Problem::Elsewhere { address } => Check::warn(
                "project",
                format!(
                    "{place} publishes {} on {}, not only on {}, and {cannot}",
                    advice.describe(),
                    address.as_ref().map_or_else(
                        || "every interface".to_owned(),
                        |address| format!("`{address}`")
                    ),
                    spec.bind
                ),
                fix,
            ),
            port_advice::Problem::Ephemeral => Check::warn(
                "project",
                format!(
                    "{place} publishes {} on a port Docker picks, on every interface, next to the one iris-dev publishes, and {cannot}",
                    advice.describe()
                ),
                fix,
            ),
        });
    }
    for (name, fixed) in &config.services {
        if let Some(container_name) = &fixed.container_name {
            checks.push(Check::warn(
                "project",
                format!("service `{name}` has the fixed `container_name: {container_name}`: a second copy of the project cannot start"),
                format!("remove `container_name` from `{name}` in `{file}`; compose names containers per project"),
            ));
        }
    }
    checks
}

/// The address `up` publishes on unless `--bind` says otherwise.
fn settings_bind(context: &Context<'_>) -> std::net::IpAddr {
    context
        .settings
        .bind
        .unwrap_or(crate::core::engine::LOOPBACK)
}
