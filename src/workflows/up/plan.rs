//! `up`'s plan for one attempt: the merged config read with the attempt's
//! ports, the IRIS service, the stack ports of `isolate: all`, the base files'
//! entries that need changing, the preflight's verdict, and the override and
//! command line. It touches nothing but the cache (and, for `isolate: all`, the
//! registry's stack ports).

use std::collections::BTreeMap;
use std::path::PathBuf;

use fs_err as fs;

use super::Up;
use crate::cli::error::{Error, FixedPort};
use crate::core::allocate;
use crate::core::compose::config::{ComposeConfig, OLD_MGR, PortMapping};
use crate::core::compose::override_file::{
    self, Override, OverrideSpec, SkippedStackPort, Written,
};
use crate::core::compose::port_advice;
use crate::core::connection::{compose_env, stack_port_key, stack_port_variable};
use crate::core::engine::Listing;
use crate::core::invocation::Invocation;
use crate::core::registry::{Assignment, Registry};
use crate::core::stack::Isolate;
use crate::edges::state_dir::StateDir;
use crate::workflows::assign::Mode;
use crate::workflows::who;

/// What one attempt at `up` will run.
pub struct Plan {
    /// The project's ports, its stack ports included.
    pub assignment: Assignment,
    pub config: ComposeConfig,
    pub service: String,
    /// The override, rendered for this compose.
    pub written: Written,
    pub invocation: Invocation,
    /// The IRIS service mounts a volume over `/usr/irissys/mgr` (the old layout).
    pub old_layout: bool,
}

impl Up<'_> {
    /// What the first attempt would run, changing nothing: the registry is
    /// read, not written.
    pub fn dry_run(&self, state: &mut StateDir) -> Result<Plan, Error> {
        let listing = self.list();
        let assigned = self.assign(listing.as_ref(), &[], Mode::DryRun)?;
        self.plan(
            &assigned.assignment,
            assigned.previous.as_ref(),
            listing.as_ref(),
            &[],
            Mode::DryRun,
            state,
        )
    }

    /// Reads the config, picks the IRIS service, checks the base files' ports and
    /// renders the override for these ports; touches nothing but the cache.
    /// `previous` is the project's assignment before this `up`: one without any
    /// of iris-dev's fields was rewritten by iris-devtester, which dropped the
    /// stack ports.
    pub(super) fn plan(
        &self,
        assignment: &Assignment,
        previous: Option<&Assignment>,
        listing: Option<&Listing>,
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
                self.isolate(&assignment, &keys, listing, stack_avoid, mode, rewritten)?;
            let isolated_env = compose_env(&assignment);
            if isolated_env != env {
                // Base files may interpolate the new ports: read them again.
                env = isolated_env;
                config =
                    self.context
                        .compose_config(self.stack, Some(self.compose), &env, state)?;
            }
        }
        let (stack_services, skipped) =
            override_file::stack_services(&assignment.stack_ports, &config);
        self.skipped_stack_ports(&skipped);
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
            fixed.extend(self.preflight(&config, &service, listing, &env)?);
        }
        if !fixed.is_empty() {
            return Err(Error::FixedPorts {
                entries: fixed,
                compose: self.compose.display_name(),
            });
        }
        if let Some(engine) = self.engine {
            self.shared_names(&config, engine, listing)?;
        }
        let written = Written::new(Override::new(&spec), self.compose);
        let mut up_args = vec!["up".to_owned(), "-d".to_owned()];
        up_args.extend(settings.compose_args.iter().cloned());
        let mut invocation =
            self.compose
                .stack_invocation(stack, &stack.name, &stack.files(), &up_args);
        invocation.env.extend(env);
        let old_layout = config.services[&service].mounts_old_mgr();
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

    /// Says which of the registry's stack ports the override leaves out: a key
    /// that is not `service:port` is a warning (the registry was edited), a
    /// service the config lacks now a `-v` note (its port stays assigned).
    fn skipped_stack_ports(&self, skipped: &[SkippedStackPort]) {
        let key = self.project.key();
        for skipped in skipped {
            match skipped {
                SkippedStackPort::Malformed { key: stack_key } => {
                    self.context.printer.warn(format_args!(
                        "the registry's stack port `{stack_key}` of `{key}` is not `service:container port`, so no override publishes it; `iris-dev ports clear -C {key}` assigns the stack's ports again"
                    ));
                }
                SkippedStackPort::NoService {
                    key: stack_key,
                    service,
                } => {
                    self.context.printer.note(format_args!(
                        "stack port `{stack_key}` of `{key}` is not published: the compose config has no service `{service}` now (a profile that is not enabled?); it stays assigned"
                    ));
                }
            }
        }
    }

    /// Says how to move a stack that keeps `/usr/irissys/mgr` on a volume to
    /// durable %SYS; touches nothing.
    pub(super) fn old_layout_note(&self, service: &str) {
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
        listing: Option<&Listing>,
        avoid: &[u16],
        mode: Mode,
        rewritten: bool,
    ) -> Result<BTreeMap<String, u16>, Error> {
        let containers = listing.map_or(&[][..], |listing| &listing.containers);
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
            !foreign.contains(&port) && (own.contains(&port) || !local || self.host.is_free(port))
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
        let isolated = isolated.map_err(|error| who::with_owners(self.context, error))?;
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

    /// The base file, line and entry as written ([`port_advice::locate`]) of
    /// `mapping`; the first base file and nothing else when no file has it.
    /// `env` is what iris-dev passes compose; other variables come from the
    /// environment.
    pub(super) fn base_entry(
        &self,
        mapping: &PortMapping,
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
    pub(super) fn base_line(
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
}
