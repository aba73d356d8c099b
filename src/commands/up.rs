//! `iris-dev up`: start (ports, override, `docker compose up -d`, with retries
//! when the engine refuses an IRIS port), wait until IRIS answers, summary.

use fs_err as fs;

use crate::allocate::{self, AfterRefusal, Pins};
use crate::cli::UpArgs;
use crate::commands::Context;
use crate::commands::assign::{self, Assigned, Mode, Target};
use crate::compose::override_file::{self, OverrideSpec};
use crate::compose::{self, Compose};
use crate::connection::{compose_env, connect_host};
use crate::engine::{DockerEngine, Endpoint, Engine};
use crate::error::Error;
use crate::process::{DuctRunner, Invocation, Runner};
use crate::project::Project;
use crate::ready::{self, Target as WaitTarget};
use crate::registry::{Assignment, transition};
use crate::settings::UpSettings;
use crate::shell;
use crate::stack::{self, Stack};
use crate::state_dir::StateDir;

/// How many times `up` runs compose: the first try, and one more for each time
/// the engine refuses an IRIS port that iris-dev may move.
const MAX_ATTEMPTS: usize = 4;

/// Where IRIS keeps its system databases inside the installation; a volume over
/// it freezes them at the image they were first copied from (issue 7 §2).
const OLD_MGR: &str = "/usr/irissys/mgr";

pub fn run(args: UpArgs, context: &Context<'_>) -> Result<(), Error> {
    let settings = UpSettings::resolve(args, &context.settings);
    let project = context.project()?;
    let stack = context.stack(&project)?;
    let mut state = StateDir::open(&project.root);
    let compose = context.compose(&project, &mut state)?;
    let endpoint = context.endpoint();
    if !settings.bind.is_loopback() {
        context.printer.warn(format_args!(
            "publishing IRIS on {}: anyone who reaches this host can try IRIS's default credentials",
            settings.bind
        ));
    }
    let up = Up {
        context,
        settings: &settings,
        project: &project,
        stack: &stack,
        compose: &compose,
        endpoint: &endpoint,
    };
    if settings.dry_run {
        return up.dry_run(&mut state);
    }
    let engine = context.require_engine(&endpoint)?;
    let (assignment, service) = up.start(engine.as_ref(), &mut state)?;
    if let Some(timeout) = settings.wait {
        up.wait(engine.as_ref(), &assignment, &service, timeout)?;
    }
    up.summary(&assignment, settings.wait.is_some());
    Ok(())
}

/// One `up`: what it works on.
struct Up<'a> {
    context: &'a Context<'a>,
    settings: &'a UpSettings,
    project: &'a Project,
    stack: &'a Stack,
    compose: &'a Compose,
    endpoint: &'a Endpoint,
}

/// What one attempt at `up` will run.
struct Plan {
    service: String,
    /// The override file's text.
    yaml: String,
    invocation: Invocation,
    /// The IRIS service mounts a volume over `/usr/irissys/mgr` (the old layout).
    old_layout: bool,
}

impl Up<'_> {
    /// Prints the override and the command the first attempt would run.
    fn dry_run(&self, state: &mut StateDir) -> Result<(), Error> {
        let assigned = self.assign(None, &[], Mode::DryRun)?;
        let plan = self.plan(&assigned.assignment, state)?;
        let printer = &self.context.printer;
        printer.data(format_args!(
            "# {}\n{}",
            self.stack.override_file().display(),
            plan.yaml
        ))?;
        printer.data(&plan.invocation)
    }

    /// Runs `compose up -d` until it succeeds, moving unpinned IRIS ports the
    /// engine refuses; records the started stack. A failure puts the registry
    /// back as it was before (see [`transition::restore`]).
    fn start(
        &self,
        engine: Option<&DockerEngine>,
        state: &mut StateDir,
    ) -> Result<(Assignment, String), Error> {
        let printer = &self.context.printer;
        let mut avoid = Vec::new();
        let mut before: Option<Assigned> = None;
        for attempt in 1..=MAX_ATTEMPTS {
            let mut assigned = self.assign(engine, &avoid, Mode::Reserve)?;
            let assignment = assigned.assignment.clone();
            let before = match &mut before {
                Some(before) => {
                    before.evicted.append(&mut assigned.evicted);
                    &*before
                }
                None => before.insert(assigned),
            };
            let failed = |error: Error| self.restore(before, error);
            let plan = self.plan(&assignment, state).map_err(failed)?;
            if attempt == 1 && plan.old_layout {
                self.old_layout_note(&plan.service);
            }
            state
                .write_override(&plan.yaml)
                .map_err(|err| failed(err.into()))?;
            if self.stack.template {
                state
                    .write_template(stack::TEMPLATE)
                    .map_err(|err| failed(err.into()))?;
            }
            state.save().map_err(|err| failed(err.into()))?;

            crate::interrupt::catch();
            printer.status(
                "starting",
                format_args!(
                    "IRIS for `{}` on port {} ({})",
                    self.project.key(),
                    assignment.port,
                    self.stack.name
                ),
            );
            let mut refused = Vec::new();
            let code = DuctRunner.stream(&plan.invocation, &mut |line| {
                if let Some(refusal) = compose::port_refusal(line) {
                    refused.push(refusal.map(|refusal| refusal.port));
                }
                printer.passthrough(line);
            })?;
            if crate::interrupt::requested() {
                // The containers may be coming up: keep the reservation.
                return Err(Error::Interrupted {
                    doing: format!(
                        "`{}` ran; the containers may be partly started",
                        plan.invocation
                    ),
                });
            }
            if code == 0 {
                self.record_started(engine, &plan.service)?;
                return Ok((assignment, plan.service));
            }
            let compose_failed = Error::ComposeFailed {
                command: plan.invocation.to_string(),
                code,
            };
            if refused.is_empty() {
                return Err(failed(compose_failed));
            }
            let pins = Pins {
                port: self.settings.ports.port.is_some(),
                web_port: self.settings.ports.web_port.is_some(),
            };
            match allocate::after_refusal(&refused, &assignment, pins) {
                AfterRefusal::Retry { avoid: more } if attempt < MAX_ATTEMPTS => {
                    printer.warn(format_args!(
                        "the engine refused port {}; trying the next free ports",
                        list(&more)
                    ));
                    avoid.extend(more);
                }
                AfterRefusal::Retry { .. } => return Err(failed(compose_failed)),
                AfterRefusal::Pinned { port } => {
                    return Err(failed(Error::PinnedRefused {
                        project: self.project.key().to_owned(),
                        port,
                        pinned: assignment.port,
                    }));
                }
                AfterRefusal::Foreign { port } => {
                    return Err(failed(Error::ForeignRefused {
                        port,
                        file: self.stack.base_files[0].clone(),
                    }));
                }
            }
        }
        unreachable!("the last attempt returns")
    }

    fn assign(
        &self,
        engine: Option<&DockerEngine>,
        avoid: &[u16],
        mode: Mode,
    ) -> Result<Assigned, Error> {
        let target = Target {
            project: self.project,
            ports: &self.settings.ports,
            endpoint: self.endpoint,
            engine,
            avoid,
        };
        assign::resolve(self.context, &target, mode)
    }

    /// Puts the registry back as it was before this `up`, then returns `error`;
    /// a failure to do so is reported with it.
    fn restore(&self, before: &Assigned, error: Error) -> Error {
        let restored = self.context.store().update(|registry| {
            transition::restore(
                registry,
                self.project.key(),
                before.previous.as_ref(),
                &before.evicted,
            );
            Ok::<_, Error>(())
        });
        if let Err(restore_error) = restored {
            self.context.printer.warn(format_args!(
                "could not put `{}`'s ports back as they were: {restore_error}",
                self.project.key()
            ));
        }
        error
    }

    /// Reads the config, picks the IRIS service, checks the base files' ports and
    /// renders the override for these ports; touches nothing but the cache.
    fn plan(&self, assignment: &Assignment, state: &mut StateDir) -> Result<Plan, Error> {
        let (stack, settings) = (self.stack, self.settings);
        let env = compose_env(assignment);
        let config = self
            .context
            .compose_config(self.stack, Some(self.compose), &env, state)?;
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
            override_tag: self.compose.supports_override_tag(),
        };
        if let Some(conflict) = override_file::check_base_ports(&spec).into_iter().next() {
            return Err(self.base_publishes(conflict));
        }
        for (port, address) in override_file::base_binds_elsewhere(&spec) {
            self.context.printer.warn(format_args!(
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
        let mut invocation =
            self.compose
                .invocation(&stack.root, &stack.name, &stack.files(), &up_args);
        invocation.env = env;
        let old_layout = config.services[&service]
            .mount_targets()
            .iter()
            .any(|target| target == OLD_MGR);
        Ok(Plan {
            yaml,
            invocation,
            service,
            old_layout,
        })
    }

    /// Says how to move a stack that keeps `/usr/irissys/mgr` on a volume to
    /// durable %SYS; touches nothing.
    fn old_layout_note(&self, service: &str) {
        self.context.printer.warn(format_args!(
            "`{}` mounts a volume over `{OLD_MGR}` in `{service}`: after an image upgrade IRIS keeps \
             running on the old system databases. To move to durable %SYS, as the built-in template \
             does: 1. `iris-dev down` (keep the volume); 2. mount the volume somewhere else, e.g. \
             `/durable`, and set `ISC_DATA_DIRECTORY: /durable/iris` in `{service}`'s environment; \
             3. add a one-shot service from the same image with `user: root` and \
             `entrypoint: [\"chown\", \"-R\", \"51773:51773\", \"/durable\"]` that `{service}` waits \
             for (`depends_on: condition: service_completed_successfully`); 4. `iris-dev up`, then move \
             your own databases into the new instance. iris-dev deletes and moves nothing \
             (README: \"IRIS in the built-in template\")",
            self.stack.base_files[0].display()
        ));
    }

    fn base_publishes(&self, conflict: override_file::BaseConflict) -> Error {
        let base_files = &self.stack.base_files;
        let found = base_files.iter().find_map(|file| {
            let text = fs::read_to_string(file).ok()?;
            override_file::find_port_line(&text, conflict.target).map(|line| (file.clone(), line))
        });
        let (file, line) = match found {
            Some((file, line)) => (file, Some(line)),
            None => (base_files[0].clone(), None),
        };
        Error::BasePublishes {
            file,
            line,
            conflict,
            compose: self.compose.display_name(),
        }
    }

    /// Records the started stack, which makes the assignment able to go stale.
    fn record_started(&self, engine: Option<&DockerEngine>, service: &str) -> Result<(), Error> {
        let key = self.project.key();
        let container_name = engine
            .and_then(|engine| engine.containers().ok())
            .and_then(|containers| {
                containers
                    .into_iter()
                    .find(|container| container.belongs_to(key, Some(&self.stack.name)))
            })
            .map(|container| container.name);
        let started = transition::Started {
            compose_project: &self.stack.name,
            service,
            container_name: container_name.as_deref(),
        };
        self.context.store().update(|registry| {
            transition::record_started(registry, key, &started);
            Ok(())
        })
    }

    fn wait(
        &self,
        engine: Option<&DockerEngine>,
        assignment: &Assignment,
        service: &str,
        timeout: std::time::Duration,
    ) -> Result<(), Error> {
        let target = WaitTarget {
            compose_project: &self.stack.name,
            service,
            bind: self.settings.bind,
            port: assignment.port,
        };
        let address = format!("{}:{}", connect_host(self.settings.bind), assignment.port);
        let progress = self
            .context
            .printer
            .progress(&format!("waiting for IRIS on {address}"));
        let waited = ready::wait(
            engine.map(|engine| engine as &dyn Engine),
            &target,
            timeout,
            &|state| progress.update(state),
        );
        progress.finish();
        match waited {
            Ok(ready::Ready::NoHealthCheck) => {
                self.context.printer.note(format_args!(
                    "the `{service}` service has no health check (neither `healthcheck.test` nor the image's HEALTHCHECK); it counted as ready once it ran and {address} accepted a connection"
                ));
                Ok(())
            }
            Ok(ready::Ready::PortOnly) => {
                self.context.printer.note(format_args!(
                    "no engine client to run the health check with; IRIS counted as ready once {address} accepted a connection"
                ));
                Ok(())
            }
            Ok(ready::Ready::CheckPassed | ready::Ready::Healthy) => Ok(()),
            Err(ready::WaitError::Interrupted) => Err(Error::Interrupted {
                doing: format!("waiting for IRIS on {address}; it is still starting"),
            }),
            Err(source) => {
                let mut logs = self.compose.command.clone();
                logs.extend(["-p".to_owned(), self.stack.name.clone(), "logs".to_owned()]);
                logs.push(service.to_owned());
                Err(Error::NotReady {
                    project: self.project.key().to_owned(),
                    logs: shell::join(&logs),
                    source: Box::new(source),
                })
            }
        }
    }

    fn summary(&self, assignment: &Assignment, waited: bool) {
        let printer = &self.context.printer;
        let host = connect_host(self.settings.bind);
        let web_port = assignment.effective_web_port().unwrap_or_default();
        let verb = if waited { "ready" } else { "started" };
        printer.status(
            verb,
            format_args!(
                "IRIS for `{}` (compose project {})",
                self.project.key(),
                self.stack.name
            ),
        );
        printer.info(format_args!("  superserver  {host}:{}", assignment.port));
        printer.info(format_args!(
            "  portal       http://{host}:{web_port}/csp/sys/UtilHome.csp"
        ));
    }
}

fn list(ports: &[u16]) -> String {
    ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(" and ")
}
