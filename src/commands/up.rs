//! `iris-dev up`: start (ports, override, `docker compose up -d`, with retries
//! when the engine refuses an IRIS port), wait until IRIS answers, summary.

use fs_err as fs;

use crate::cli::UpArgs;
use crate::core::allocate::{self, AfterRefusal, Pins};
use crate::core::compose::override_file::{self, Override, OverrideSpec, Written};
use crate::core::compose::port_advice;
use crate::core::compose::{self, Compose};
use crate::core::invocation::Invocation;
use crate::edges::docker::DockerEngine;
use crate::workflows::assign::{self, Assigned, Mode, Target};
use crate::workflows::context::Context;
use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::cli::error::{Error, FixedPort};
use crate::cli::settings::UpSettings;
use crate::core::allocate::HostPorts;
use crate::core::compose::config::{ComposeConfig, NameKind, Service};
use crate::core::connection::{compose_env, stack_port_key, stack_port_variable};
use crate::core::engine::Container;
use crate::core::engine::{Endpoint, Engine};
use crate::core::owner::Owner;
use crate::core::project::Project;
use crate::core::registry::Registry;
use crate::core::registry::{Assignment, transition};
use crate::core::shell;
use crate::core::stack::Isolate;
use crate::core::stack::{self, Stack};
use crate::edges::probe::BindProbe;
use crate::edges::process::{DuctRunner, Runner};
use crate::edges::state_dir::StateDir;
use crate::workflows::ready::{self, Target as WaitTarget};

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
    up.sync_dotenv();
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
    /// The project's ports, its stack ports included.
    assignment: Assignment,
    config: ComposeConfig,
    service: String,
    /// The override, rendered for this compose.
    written: Written,
    invocation: Invocation,
    /// The IRIS service mounts a volume over `/usr/irissys/mgr` (the old layout).
    old_layout: bool,
}

impl Up<'_> {
    /// Prints the override and the command the first attempt would run.
    fn dry_run(&self, state: &mut StateDir) -> Result<(), Error> {
        let assigned = self.assign(None, &[], Mode::DryRun)?;
        let engine = DockerEngine::connect(self.endpoint).ok();
        let plan = self.plan(
            &assigned.assignment,
            assigned.previous.as_ref(),
            engine.as_ref(),
            &[],
            Mode::DryRun,
            state,
        )?;
        let printer = &self.context.printer;
        printer.data(format_args!(
            "# compose: {}\n# {}\n{}",
            self.compose.describe(),
            self.stack.override_file().display(),
            plan.written.render()
        ))?;
        printer.data(&plan.invocation)
    }

    /// Keeps iris-dev's `COMPOSE_PROJECT_NAME` line in the root's `.env` in step
    /// with the stack's name ([`Stack::dotenv_change`]), so that plain `docker
    /// compose` and the ObjectScript extension find this checkout's stack, and
    /// says what it did. Only that line (and its marker comment) changes, the
    /// file is replaced whole (never left half-written) with its mode kept, and
    /// a `.env` that is a symlink (shared with other checkouts) is not written
    /// through: a warning gives the line instead, as for any failed write.
    fn sync_dotenv(&self) {
        let Some(change) = self.stack.dotenv_change() else {
            return;
        };
        let printer = &self.context.printer;
        let path = self.project.root.join(".env");
        let variable = crate::core::env_vars::COMPOSE_PROJECT_NAME;
        let by_hand = |why: &dyn std::fmt::Display| {
            let fix = match change {
                stack::DotenvChange::Write(name) => format!("add `{variable}={name}` to it"),
                stack::DotenvChange::Remove => {
                    format!("remove iris-dev's `{variable}` line from it")
                }
            };
            printer.warn(format_args!(
                "{why}; for plain `docker compose` in `{}` to find this stack, {fix}",
                self.project.root.display()
            ));
        };
        if fs::symlink_metadata(&path).is_ok_and(|meta| meta.file_type().is_symlink()) {
            by_hand(&format_args!(
                "`{}` is a symlink, perhaps shared with other checkouts, so iris-dev leaves it alone",
                path.display()
            ));
            return;
        }
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(err) => return by_hand(&err),
        };
        let name = match change {
            stack::DotenvChange::Write(name) => Some(name),
            stack::DotenvChange::Remove => None,
        };
        let written = crate::core::dotenv::with_managed_name(&text, name);
        if let Err(err) = crate::edges::state_dir::replace_file(&path, written.as_bytes()) {
            return by_hand(&err);
        }
        match name {
            Some(name) => {
                let why = match &self.stack.name_source {
                    stack::NameSource::Unique { taken_by } if !taken_by.is_empty() => format!(
                        "`{taken_by}` runs as compose project `{}`",
                        self.stack.directory_name
                    ),
                    _ => format!(
                        "compose would name it `{}` by itself",
                        self.stack.directory_name
                    ),
                };
                printer.info(format_args!(
                    "wrote `{variable}={name}` to `{}`: {why}, so plain `docker compose` in `{}` needs the line to find this stack (iris-dev keeps it right in every checkout, committed or not)",
                    path.display(),
                    self.project.root.display()
                ));
            }
            None => printer.info(format_args!(
                "removed iris-dev's `{variable}` line from `{}`: plain `docker compose` finds compose project `{}` without it",
                path.display(),
                self.stack.name
            )),
        }
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
        let mut stack_avoid = Vec::new();
        let mut before: Option<Assigned> = None;
        for attempt in 1..=MAX_ATTEMPTS {
            let assigned = self.assign(engine, &avoid, Mode::Reserve);
            // A later attempt that cannot assign puts back what the earlier ones
            // changed, like every other failure.
            let mut assigned = match (assigned, &before) {
                (Ok(assigned), _) => assigned,
                (Err(error), None) => return Err(error),
                (Err(error), Some(before)) => return Err(self.restore(before, error)),
            };
            let assignment = assigned.assignment.clone();
            let before = match &mut before {
                Some(before) => {
                    before.evicted.append(&mut assigned.evicted);
                    &*before
                }
                None => before.insert(assigned),
            };
            let failed = |error: Error| self.restore(before, error);
            // `compose config` takes seconds on a cold project: Ctrl-C there
            // is reported too, and nothing has started yet.
            crate::edges::interrupt::catch();
            let plan = self.plan(
                &assignment,
                before.previous.as_ref(),
                engine,
                &stack_avoid,
                Mode::Reserve,
                state,
            );
            if crate::edges::interrupt::requested() {
                return Err(failed(Error::Interrupted {
                    doing: format!(
                        "reading the compose configuration of `{}`; nothing was started, and its ports are as they were",
                        self.project.key()
                    ),
                    started: false,
                }));
            }
            let plan = plan.map_err(failed)?;
            let assignment = plan.assignment.clone();
            if attempt == 1 && plan.old_layout {
                self.old_layout_note(&plan.service);
            }
            state
                .write_override(&plan.written)
                .map_err(|err| failed(err.into()))?;
            if self.stack.template {
                state
                    .write_template(stack::TEMPLATE)
                    .map_err(|err| failed(err.into()))?;
            }
            state.save().map_err(|err| failed(err.into()))?;

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
            let code = DuctRunner
                .stream(&plan.invocation, &mut |line| {
                    if let Some(refusal) = compose::port_refusal(line) {
                        refused.push(refusal.map(|refusal| refusal.port));
                    }
                    printer.passthrough(line);
                })
                .map_err(|err| failed(err.into()))?;
            if crate::edges::interrupt::requested() {
                // The containers may be coming up: keep the reservation.
                return Err(Error::Interrupted {
                    doing: format!(
                        "`{}` ran; the containers may be partly started",
                        plan.invocation
                    ),
                    started: true,
                });
            }
            if code == 0 {
                if let Err(error) = self.record_started(engine, &plan.service) {
                    // The stack runs; only the registry could not say so.
                    printer.warn(format_args!(
                        "compose started `{}`, but the registry could not record it ({error}); it keeps its ports as a reservation, and `iris-dev up` again records it",
                        self.stack.name
                    ));
                }
                return Ok((assignment, plan.service));
            }
            // A stack port the engine refuses is iris-dev's to move, like an
            // unpinned IRIS port.
            let stack_refused: Vec<u16> = refused
                .iter()
                .flatten()
                .copied()
                .filter(|port| assignment.stack_ports.values().any(|own| own == port))
                .collect();
            refused.retain(|port| !port.is_some_and(|port| stack_refused.contains(&port)));
            if !stack_refused.is_empty() && refused.is_empty() && attempt < MAX_ATTEMPTS {
                printer.warn(format_args!(
                    "the engine refused port {}; trying the next free ports",
                    list(&stack_refused)
                ));
                stack_avoid.extend(stack_refused);
                continue;
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
                    let owners = port
                        .map(|port| crate::workflows::who::owners_for_error(self.context, port))
                        .unwrap_or_default();
                    return Err(failed(Error::PinnedRefused {
                        project: self.project.key().to_owned(),
                        port,
                        pinned: assignment.port,
                        owners,
                        pinned_by: self.settings.ports.pinned_by,
                    }));
                }
                AfterRefusal::Foreign { port } => {
                    let fixed = plan.config.fixed_host_ports(&plan.service);
                    let published = fixed.iter().find(|fixed| fixed.port == port);
                    let owners =
                        self.others(crate::workflows::who::owners_for_error(self.context, port));
                    let env = compose_env(&plan.assignment);
                    return Err(failed(Error::FixedPorts {
                        entries: vec![self.port_taken(port, published, owners, &env)],
                        compose: self.compose.display_name(),
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
            bind: self.settings.bind,
            avoid,
            compose_project: Some(self.stack.compose_project()),
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
                before.moved.as_ref(),
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
    /// `previous` is the project's assignment before this `up`: one without any
    /// of iris-dev's fields was rewritten by iris-devtester, which dropped the
    /// stack ports.
    fn plan(
        &self,
        assignment: &Assignment,
        previous: Option<&Assignment>,
        engine: Option<&DockerEngine>,
        stack_avoid: &[u16],
        mode: Mode,
        state: &mut StateDir,
    ) -> Result<Plan, Error> {
        let (stack, settings) = (self.stack, self.settings);
        let mut assignment = assignment.clone();
        let mut env = compose_env(&assignment);
        let mut config =
            self.context
                .compose_config(self.stack, Some(self.compose), &env, state)?;
        let service = stack
            .iris_service(&config, settings.service.as_deref())?
            .to_owned();
        let isolate = settings.isolate.or(stack.isolate) == Some(Isolate::All);
        let rewritten = previous.is_some_and(Assignment::lacks_iris_dev_fields);
        if isolate {
            let keys: Vec<String> = config
                .fixed_host_ports(&service)
                .iter()
                .map(|fixed| stack_port_key(&fixed.service, fixed.target))
                .collect();
            assignment.stack_ports =
                self.isolate(&assignment, &keys, engine, stack_avoid, mode, rewritten)?;
            let isolated_env = compose_env(&assignment);
            if isolated_env != env {
                // Base files may interpolate the new ports: read them again.
                env = isolated_env;
                config =
                    self.context
                        .compose_config(self.stack, Some(self.compose), &env, state)?;
            }
        }
        let mut stack_services: BTreeMap<&str, (&Service, BTreeMap<u16, u16>)> = BTreeMap::new();
        for (key, &port) in &assignment.stack_ports {
            let Some((name, target)) = key.rsplit_once(':') else {
                continue;
            };
            let (Some((name, base)), Ok(target)) =
                (config.services.get_key_value(name), target.parse::<u16>())
            else {
                continue;
            };
            stack_services
                .entry(name.as_str())
                .or_insert_with(|| (base, BTreeMap::new()))
                .1
                .insert(target, port);
        }
        // `--dry-run` changes nothing, not even the registry's identity file.
        let registry_label = match mode {
            Mode::DryRun => self.context.registry_identity().unwrap_or_default(),
            Mode::Write | Mode::Reserve => self.context.registry_label()?,
        };
        let spec = OverrideSpec {
            service: &service,
            bind: settings.bind,
            port: assignment.port,
            web_port: assignment.effective_web_port().unwrap_or_default(),
            project_path: &assignment.project_path,
            registry: &registry_label,
            base: &config.services[&service],
            override_tag: self.compose.supports_override_tag(),
            stack: stack_services,
        };
        // Every entry to fix, in one error: the base file's own entries of
        // the ports iris-dev assigns, then every other fixed host port taken.
        let mut fixed = Vec::new();
        for advice in port_advice::base_entries(&spec) {
            let (file, line, written) = self.base_entry(&advice.mapping, &env);
            let fix = advice.fix(written.as_deref());
            let place = match &line {
                Some((number, text)) => {
                    format!("`{}` line {number} (`{}`)", file.display(), text.trim())
                }
                None => format!("`{}`", file.display()),
            };
            let compose = self.compose.display_name();
            match &advice.problem {
                port_advice::Problem::Fixed { published } => fixed.push(FixedPort {
                    what: Some(advice.describe()),
                    port: published.clone(),
                    taken: false,
                    owners: Vec::new(),
                    file,
                    line,
                    fix,
                }),
                port_advice::Problem::Elsewhere { address } => {
                    self.context.printer.warn(format_args!(
                        "{place} publishes {} on host port {} on {}, not only on {}, and {compose} cannot replace the list (`!override` needs compose 2.24.4 or newer): {fix}",
                        advice.describe(),
                        advice.assigned,
                        address.as_ref().map_or_else(
                            || "every interface".to_owned(),
                            |address| format!("`{address}`")
                        ),
                        settings.bind
                    ));
                }
                port_advice::Problem::Ephemeral => {
                    self.context.printer.warn(format_args!(
                        "{place} publishes {} on a port Docker picks, on every interface, next to the one iris-dev publishes on {}, and {compose} cannot replace the list (`!override` needs compose 2.24.4 or newer): {fix}",
                        advice.describe(),
                        settings.bind
                    ));
                }
            }
        }
        if !isolate {
            fixed.extend(self.preflight(&config, &service, engine, &env)?);
        }
        if !fixed.is_empty() {
            return Err(Error::FixedPorts {
                entries: fixed,
                compose: self.compose.display_name(),
            });
        }
        if let Some(engine) = engine {
            self.shared_names(&config, engine)?;
        }
        let written = Written::new(Override::new(&spec), self.compose);
        let mut up_args = vec!["up".to_owned(), "-d".to_owned()];
        up_args.extend(settings.compose_args.iter().cloned());
        let mut invocation =
            self.compose
                .stack_invocation(stack, &stack.name, &stack.files(), &up_args);
        invocation.env.extend(env);
        let old_layout = config.services[&service]
            .mount_targets()
            .iter()
            .any(|target| target == OLD_MGR);
        drop(spec);
        Ok(Plan {
            assignment,
            config,
            written,
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

    /// Gives every `keys` entry (`service:container port`) a host port of the
    /// project's own ([`allocate::isolate`]), in one exclusive update (on a copy
    /// for `--dry-run`). The project's own containers' ports count as free,
    /// every other container's as taken.
    fn isolate(
        &self,
        assignment: &Assignment,
        keys: &[String],
        engine: Option<&DockerEngine>,
        avoid: &[u16],
        mode: Mode,
        rewritten: bool,
    ) -> Result<BTreeMap<String, u16>, Error> {
        let containers = engine
            .and_then(|engine| engine.containers().ok())
            .unwrap_or_default();
        let (own, foreign): (Vec<_>, Vec<_>) = containers
            .iter()
            .partition(|container| self.is_own(container));
        let published = |containers: &[&crate::core::engine::Container]| -> Vec<u16> {
            containers
                .iter()
                .flat_map(|container| container.ports.iter().map(|port| port.host_port))
                .collect()
        };
        let (own, foreign) = (published(&own), published(&foreign));
        // A remote engine's loopback ports are tunneled to the same ports here.
        let local = self.endpoint.is_local() || self.settings.bind.is_loopback();
        let host = |port: u16| {
            !foreign.contains(&port) && (own.contains(&port) || !local || BindProbe.is_free(port))
        };
        let key = self.project.key();
        let range = self.settings.ports.stack_range;
        let alloc_error = |source| Error::Alloc {
            project: key.to_owned(),
            source,
            owners: Vec::new(),
            pinned_by: self.settings.ports.pinned_by,
        };
        let isolate = |registry: &mut Registry| {
            if registry.find(key).is_none() {
                // `--dry-run` of a project without an assignment yet.
                registry.assignments.push(assignment.clone());
            }
            allocate::isolate(registry, key, keys, range, avoid, &host).map_err(alloc_error)
        };
        let isolated = match mode {
            Mode::DryRun => isolate(&mut self.context.store().read()?),
            Mode::Write | Mode::Reserve => self.context.store().update(isolate),
        };
        // The lock is released: an exhausted range can name who holds it.
        let isolated =
            isolated.map_err(|error| crate::workflows::who::with_owners(self.context, error))?;
        let printer = &self.context.printer;
        if rewritten && !isolated.assigned.is_empty() {
            printer.info(format_args!(
                "the registry had no ports for `{key}`'s other services (iris-devtester rewrites it without them); assigning them again"
            ));
        }
        for stack_key in &isolated.assigned {
            printer.note(format_args!(
                "`{key}` publishes {stack_key} on host port {} ({})",
                isolated.ports[stack_key],
                stack_port_variable(stack_key)
            ));
        }
        Ok(isolated.ports)
    }

    /// Checks every fixed host port the stack publishes, before compose runs:
    /// other containers on the engine, other projects' ports in the registry, and
    /// (for a local engine) the bind test. The project's own containers and
    /// assignment are no obstacle. Without an engine client only the registry
    /// and the bind test speak.
    fn preflight(
        &self,
        config: &ComposeConfig,
        service: &str,
        engine: Option<&DockerEngine>,
        env: &[(String, String)],
    ) -> Result<Vec<FixedPort>, Error> {
        let fixed = config.fixed_host_ports(service);
        if fixed.is_empty() {
            return Ok(Vec::new());
        }
        let (own, others): (Vec<Container>, Vec<Container>) = engine
            .and_then(|engine| engine.containers().ok())
            .unwrap_or_default()
            .into_iter()
            .partition(|container| self.is_own(container));
        let own_ports: Vec<u16> = own
            .iter()
            .flat_map(|container| container.ports.iter().map(|port| port.host_port))
            .collect();
        let registry = self.context.store().read()?;
        let ports: Vec<u16> = fixed.iter().map(|published| published.port).collect();
        let owners =
            crate::workflows::who::lookup_each(&registry, Some(&others), self.endpoint, &ports);
        let mut taken = Vec::new();
        for (published, owners) in fixed.iter().zip(owners) {
            let port = published.port;
            let owners = self.others(owners);
            let known = owners
                .iter()
                .any(|owner| !matches!(owner, Owner::Unknown { .. } | Owner::Process { .. }));
            let busy = known
                || (self.endpoint.is_local()
                    && !own_ports.contains(&port)
                    && !BindProbe.is_free(port));
            if busy {
                taken.push(self.port_taken(port, Some(published), owners, env));
            }
        }
        Ok(taken)
    }

    /// Stops before compose runs when a name the stack fixes (`container_name`,
    /// a volume's or network's `name:`) is already another compose project's on
    /// this engine: compose would fail half-way, or share the volume.
    fn shared_names(&self, config: &ComposeConfig, engine: &DockerEngine) -> Result<(), Error> {
        let own = self.stack.name.as_str();
        let fixed = config.fixed_names(own);
        if fixed.is_empty() {
            return Ok(());
        }
        let mut containers = None;
        let mut volumes = None;
        let mut networks = None;
        for name in fixed {
            let other = match name.kind {
                NameKind::Container => {
                    let containers = match &containers {
                        Some(containers) => containers,
                        None => containers.insert(engine.containers()?),
                    };
                    crate::core::engine::container_name_user(containers, &name.name, own)
                }
                NameKind::Volume => {
                    let volumes = match &volumes {
                        Some(volumes) => volumes,
                        None => volumes.insert(engine.volumes()?),
                    };
                    crate::core::engine::labelled_name_user(volumes, &name.name, own).map(Some)
                }
                NameKind::Network => {
                    let networks = match &networks {
                        Some(networks) => networks,
                        None => networks.insert(engine.networks()?),
                    };
                    crate::core::engine::labelled_name_user(networks, &name.name, own).map(Some)
                }
            };
            let Some(other) = other else {
                continue;
            };
            let registry = self.context.store().read()?;
            let other_path = other.as_deref().and_then(|other| {
                registry
                    .assignments
                    .iter()
                    .find(|assignment| assignment.compose_project.as_deref() == Some(other))
                    .map(|assignment| assignment.project_path.clone())
            });
            let (file, line) =
                self.base_line(|text| override_file::find_name_line(text, name.kind, &name.name));
            return Err(Error::NameTaken(Box::new(crate::cli::error::NameTaken {
                kind: name.kind,
                name: name.name,
                owner: name.owner,
                other,
                other_path,
                file,
                line,
            })));
        }
        Ok(())
    }

    fn is_own(&self, container: &Container) -> bool {
        container.belongs_to(self.project.key(), Some(self.stack.compose_project()))
    }

    /// `owners` without the project itself: its own assignment holds its ports.
    fn others(&self, owners: Vec<Owner>) -> Vec<Owner> {
        owners
            .into_iter()
            .filter(|owner| {
                !matches!(owner, Owner::Assignment { project, .. } if project == self.project.key())
            })
            .collect()
    }

    /// A fixed host port someone else holds, with the file and line that
    /// publishes it and the fix.
    fn port_taken(
        &self,
        port: u16,
        published: Option<&crate::core::compose::config::FixedPort>,
        owners: Vec<Owner>,
        env: &[(String, String)],
    ) -> FixedPort {
        let mapping = published.map(|published| crate::core::compose::config::PortMapping {
            host_ip: published.host_ip.clone(),
            published: Some(port.to_string()),
            target: published.target,
        });
        let (file, line, written) = match &mapping {
            Some(mapping) => self.base_entry(mapping, env),
            None => (self.stack.base_files[0].clone(), None, None),
        };
        let (file, line) = match line {
            Some(line) => (file, Some(line)),
            None => self.base_line(|text| override_file::find_host_port_line(text, port)),
        };
        let service = published.map(|published| (published.service.as_str(), published.target));
        FixedPort {
            what: service.map(|(service, target)| port_advice::describe(false, service, target)),
            port: port.to_string(),
            taken: true,
            owners,
            file,
            line,
            fix: port_advice::foreign_fix(service, port, written.as_deref()),
        }
    }

    /// The base file, line and entry as written ([`port_advice::locate`]) of
    /// `mapping`; the first base file and nothing else when no file has it.
    /// `env` is what iris-dev passes compose; other variables come from the
    /// environment.
    fn base_entry(
        &self,
        mapping: &crate::core::compose::config::PortMapping,
        env: &[(String, String)],
    ) -> (PathBuf, Option<(usize, String)>, Option<String>) {
        let lookup = |name: &str| {
            env.iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
                .or_else(|| {
                    self.context
                        .settings
                        .interpolated(name)
                        .and_then(|value| value.into_string().ok())
                })
        };
        let base_files = &self.stack.base_files;
        base_files
            .iter()
            .find_map(|file| {
                let text = fs::read_to_string(file).ok()?;
                let (number, line, written) = port_advice::locate(&text, mapping, &lookup)?;
                Some((file.clone(), Some((number, line)), written))
            })
            .unwrap_or_else(|| (base_files[0].clone(), None, None))
    }

    /// The first base file and line that `find` finds in its text, for an error
    /// that names where to fix it; the first base file and no line when none does.
    fn base_line(
        &self,
        find: impl Fn(&str) -> Option<(usize, String)>,
    ) -> (PathBuf, Option<(usize, String)>) {
        let base_files = &self.stack.base_files;
        base_files
            .iter()
            .find_map(|file| {
                let text = fs::read_to_string(file).ok()?;
                find(&text).map(|line| (file.clone(), Some(line)))
            })
            .unwrap_or_else(|| (base_files[0].clone(), None))
    }

    /// Records the started stack, which makes the assignment able to go stale.
    fn record_started(&self, engine: Option<&DockerEngine>, service: &str) -> Result<(), Error> {
        let key = self.project.key();
        let container_name = engine
            .and_then(|engine| engine.containers().ok())
            .and_then(|containers| {
                containers
                    .into_iter()
                    .find(|container| self.is_own(container))
            })
            .map(|container| container.name);
        let started = transition::Started {
            compose_project: self.stack.compose_project(),
            service,
            container_name: container_name.as_deref(),
            bind: self.settings.bind,
            at: &self.context.now(),
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
            compose_project: self.stack.compose_project(),
            service,
            bind: self.settings.bind,
            port: assignment.port,
        };
        let address = format!(
            "{}:{}",
            self.endpoint.client_host(self.settings.bind),
            assignment.port
        );
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
                    "the `{service}` service has no health check (neither `healthcheck.test` nor the image's HEALTHCHECK); it counted as ready once it ran and {address} kept a connection open"
                ));
                Ok(())
            }
            Ok(ready::Ready::PortOnly) => {
                self.context.printer.note(format_args!(
                    "no engine client to run the health check with; IRIS counted as ready once {address} kept a connection open"
                ));
                Ok(())
            }
            Ok(ready::Ready::CheckPassed | ready::Ready::Healthy) => Ok(()),
            Err(ready::WaitError::Interrupted) => Err(Error::Interrupted {
                doing: format!("waiting for IRIS on {address}; it is still starting"),
                started: true,
            }),
            Err(source) => {
                // `iris-dev logs` finds the stack's files, name and service
                // itself, from anywhere: a compose command line would need all
                // of them.
                let root = self.project.root.display().to_string();
                // Which line pins the image, for a failure a newer one fixes.
                let image_line = match &source {
                    ready::WaitError::Failed(failure)
                        if failure
                            .known
                            .as_ref()
                            .is_some_and(|(known, _)| known.cause.wants_newer_image()) =>
                    {
                        Some(Box::new(self.base_line(|text| {
                            crate::core::iris_log::find_image_line(text, &failure.image)
                        })))
                    }
                    _ => None,
                };
                Err(Error::NotReady {
                    project: self.project.key().to_owned(),
                    logs: shell::join(["iris-dev", "-C", &root, "logs", "--tail", "50"]),
                    down: shell::join(["iris-dev", "-C", &root, "down"]),
                    image_line,
                    source: Box::new(source),
                })
            }
        }
    }

    fn summary(&self, assignment: &Assignment, waited: bool) {
        let printer = &self.context.printer;
        let host = self.endpoint.client_host(self.settings.bind);
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
            "  portal       {}",
            crate::core::connection::portal_url(&host, web_port)
        ));
        if self.endpoint.needs_tunnel(self.settings.bind) {
            let mut tunnel = vec!["iris-dev".to_owned(), "tunnel".to_owned()];
            if self.context.directory() != self.project.root {
                tunnel.extend(["-C".to_owned(), self.project.root.display().to_string()]);
            }
            printer.info(format_args!(
                "  IRIS listens on the engine's loopback; reach it from here with `{}`",
                shell::join(&tunnel)
            ));
        }
    }
}

fn list(ports: &[u16]) -> String {
    ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(" and ")
}
