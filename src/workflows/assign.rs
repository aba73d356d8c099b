//! The port workflow that `port`, `env` and `up` share.
//!
//! A project whose assignment can be kept as it is gets its ports under the
//! shared lock, with no engine connection at all: that is every warm `port` and
//! `env`, the calls Makefiles make in every rule. Only when ports must be chosen
//! (no assignment yet, a released or stale one to reactivate, an engine refusal)
//! is the engine asked for its containers, once and outside the lock; then
//! marking stale and choosing ports are one exclusive update. Processes that
//! choose ports at the same moment take turns asking, and those that waited use
//! the answer the next one got ([`Context::shared_listing`]).

use crate::cli::error::Error;
use crate::cli::settings::PortSettings;
use crate::core::allocate::{self, HostPorts, Outcome, Request, SkipReason, Skipped};
use crate::core::engine::{self, Container, Endpoint, EngineError, Listing};
use crate::core::project::Project;
use crate::core::registry::{Assignment, AssignmentType, Eviction, Registry, transition};
use crate::edges::probe::BindProbe;
use crate::workflows::context::Context;

/// How a port resolution may touch the registry.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Assign and write when needed, as `port` and `env` do.
    Write,
    /// Assign and write, and mark the assignment as not started yet
    /// ([`transition::reserve`]), as `up` does before compose runs.
    Reserve,
    /// Work on a copy (`up --dry-run`).
    DryRun,
}

/// The project's ports, and what they replaced.
pub struct Assigned {
    pub assignment: Assignment,
    /// The project's assignment before this resolution, which a failed `up` puts
    /// back.
    pub previous: Option<Assignment>,
    /// Inactive assignments of other projects whose ports were taken over.
    pub evicted: Vec<Assignment>,
    /// The record, consumed by this resolution, of another project taking this
    /// project's ports; a failed `up` puts it back.
    pub moved: Option<Eviction>,
    /// The registry as this resolution left it (a copy with [`Mode::DryRun`]),
    /// for what else the caller needs from it without reading it again.
    pub registry: Registry,
}

/// What a resolution needs to know besides the project.
pub struct Target<'a> {
    pub project: &'a Project,
    pub ports: &'a PortSettings,
    pub endpoint: &'a Endpoint,
    /// The listing `up` took for this attempt; without one, `port` and `env`
    /// ask the engine (through the shared listing) when ports must be chosen,
    /// and `up` (which found no engine) does not.
    pub listing: Option<&'a Listing>,
    /// Where the ports are published on the engine's host (`up --bind`, else
    /// `IRIS_DEV_BIND`, else loopback).
    pub bind: std::net::IpAddr,
    /// Ports the engine refused although the registry and the bind test said free.
    pub avoid: &'a [u16],
    /// With [`Mode::Reserve`]: the compose project name `up` will use.
    pub compose_project: Option<&'a str>,
}

/// Resolves the project's ports (see the module's doc for when the engine is
/// asked), printing what changed. An error that says a port is taken (a pin
/// another project holds, a port another program holds, an exhausted range)
/// names who holds it, looked up after the lock is released.
pub fn resolve(context: &Context<'_>, target: &Target<'_>, mode: Mode) -> Result<Assigned, Error> {
    resolve_locked(context, target, mode).map_err(|error| super::who::with_owners(context, error))
}

fn resolve_locked(
    context: &Context<'_>,
    target: &Target<'_>,
    mode: Mode,
) -> Result<Assigned, Error> {
    let now = context.now();
    let engine_key = target.endpoint.registry_key();
    // A remote engine's loopback ports are reached through a tunnel listening
    // on the same ports here, so they must be free on both sides.
    let tunneled = !target.endpoint.is_local() && target.bind.is_loopback();
    let request = Request {
        project: target.project.key(),
        port: target.ports.port.map(|port| port.get()),
        web_port: target.ports.web_port.map(|port| port.get()),
        range: target.ports.range,
        now: &now,
        engine: engine_key,
        tunneled,
        avoid: target.avoid,
    };
    let host = HostProbe {
        local: target.endpoint.is_local() || tunneled,
    };
    let alloc_error = |source| Error::Alloc {
        project: target.project.key().to_owned(),
        source,
        owners: Vec::new(),
        pinned_by: target.ports.pinned_by,
    };

    if mode != Mode::Reserve {
        let mut registry = context.store().read()?;
        let previous = registry.find(target.project.key()).cloned();
        let outcome = allocate::resolve(&mut registry, &request, &host).map_err(alloc_error)?;
        if !outcome.changed || mode == Mode::DryRun {
            report(context, &outcome, target.avoid, None);
            return Ok(Assigned {
                assignment: outcome.assignment,
                previous,
                evicted: outcome.evicted,
                moved: outcome.moved,
                registry,
            });
        }
    }

    // Ports are chosen now: the engine's containers tell which assignments are
    // stale and which host ports other containers publish. `up` connects before
    // it reserves: without a client here, it already said that it goes ahead
    // without the engine.
    let listing = match (target.listing, mode) {
        (Some(listing), _) => Some(listing.clone()),
        (None, Mode::Write | Mode::DryRun) => {
            listed(context, context.shared_listing(target.endpoint))
        }
        (None, _) => None,
    };
    let label = context.registry_identity();
    let (outcome, previous, recovered, marked, registry) = context.store().update(|registry| {
        let recovered = match (&listing, &label) {
            (Some(listing), Some(label)) => {
                transition::recover(registry, listing, engine_key, label, &now)
            }
            _ => Vec::new(),
        };
        let marked = listing
            .as_ref()
            .map(|listing| transition::mark_stale(registry, listing, engine_key, &now))
            .unwrap_or_default();
        let previous = registry.find(target.project.key()).cloned();
        let mut avoid = target.avoid.to_vec();
        if let Some(listing) = &listing {
            let compose_project = previous
                .as_ref()
                .and_then(|assignment| assignment.compose_project.as_deref());
            avoid.extend(engine::ports_published_by_others(
                &listing.containers,
                target.project.key(),
                compose_project,
            ));
        }
        let request = Request {
            avoid: &avoid,
            ..request.clone()
        };
        let mut outcome = allocate::resolve(registry, &request, &host).map_err(alloc_error)?;
        if mode == Mode::Reserve {
            let name = target.compose_project.unwrap_or_default();
            outcome.assignment =
                transition::reserve(registry, target.project.key(), name).expect("just resolved");
        }
        Ok::<_, Error>((outcome, previous, recovered, marked, registry.clone()))
    })?;
    report_recovered(context, &recovered);
    for assignment in marked {
        context.printer.note(format_args!(
            "`{}` is stale: its containers are gone, so port {} is free again",
            assignment.project_path, assignment.port
        ));
    }
    report(
        context,
        &outcome,
        target.avoid,
        listing
            .as_ref()
            .map(|listing| listing.containers.as_slice()),
    );
    Ok(Assigned {
        assignment: outcome.assignment,
        previous,
        evicted: outcome.evicted,
        moved: outcome.moved,
        registry,
    })
}

/// Puts back, in one exclusive update, the assignments of the stacks that run
/// on `endpoint` labelled by iris-dev while the registry has lost them
/// ([`transition::recover`]); the lock is taken only when there is one.
pub fn recover_running(
    context: &Context<'_>,
    endpoint: &Endpoint,
    listing: &Listing,
) -> Result<(), Error> {
    let engine_key = endpoint.registry_key();
    let Some(label) = context.registry_identity() else {
        return Ok(());
    };
    let now = context.now();
    let mut copy = context.store().read()?;
    // A newer schema's file is never rewritten.
    if copy.is_newer_schema()
        || transition::recover(&mut copy, listing, engine_key, &label, &now).is_empty()
    {
        return Ok(());
    }
    let recovered = context.store().update(|registry| {
        Ok::<_, Error>(transition::recover(
            registry, listing, engine_key, &label, &now,
        ))
    })?;
    report_recovered(context, &recovered);
    Ok(())
}

/// One line for each assignment put back from its running container.
fn report_recovered(context: &Context<'_>, recovered: &[(Assignment, String)]) {
    for (assignment, container) in recovered {
        context.printer.warn(format_args!(
            "the registry had lost `{}`; recovered port {} and web port {} from its running container `{container}`",
            assignment.project_path,
            assignment.port,
            assignment.effective_web_port().unwrap_or_default()
        ));
    }
}

/// The engine's listing, or a note that nothing is marked stale and the
/// engine's published ports are not known without it.
fn listed(context: &Context<'_>, listing: Result<Listing, EngineError>) -> Option<Listing> {
    listing
        .inspect_err(|err| {
            context.printer.note(format_args!(
                "{err}; nothing is marked stale, and ports the engine publishes are not checked"
            ));
        })
        .ok()
}

/// The bind test, for ports that land on this host (a local engine's, or a
/// tunneled remote engine's); a remote engine's public ports are not here, so
/// there is nothing to probe.
struct HostProbe {
    local: bool,
}

impl HostPorts for HostProbe {
    fn is_free(&self, port: u16) -> bool {
        !self.local || BindProbe.is_free(port)
    }
}

/// Prints what the resolution changed. `refused` are the ports the engine
/// refused (the rest of [`Request::avoid`] are ports other containers publish,
/// named from `containers`).
fn report(
    context: &Context<'_>,
    outcome: &Outcome,
    refused: &[u16],
    containers: Option<&[Container]>,
) {
    let assignment = &outcome.assignment;
    let ports = |port: u16, web_port: Option<u16>| match web_port {
        Some(web_port) => format!("port {port} and web port {web_port}"),
        None => format!("port {port}"),
    };
    let now_has = ports(assignment.port, assignment.effective_web_port());
    if let Some(moved) = &outcome.moved {
        let why = match &moved.range {
            Some(range) => format!("no other port in {range} was free"),
            None => format!("`{}` asked for port {}", moved.taken_by, moved.port),
        };
        context.printer.warn(format_args!(
            "the ports of `{project}` moved: `{taker}` took {old} at {at}, while `{project}` was not running and {why}; `{project}` now has {now_has}",
            project = moved.project_path,
            taker = moved.taken_by,
            old = ports(moved.port, moved.web_port),
            at = moved.at,
        ));
    } else if let Some(old) = outcome.moved_from {
        context.printer.warn(format_args!(
            "port {old} is no longer free for `{}`; it moved to port {}",
            assignment.project_path, assignment.port
        ));
    }
    for skip in &outcome.skipped {
        context.printer.note(skip_note(
            skip,
            &assignment.project_path,
            refused,
            containers,
        ));
    }
    for (evicted, record) in outcome.evicted.iter().zip(&outcome.recorded) {
        let why = match &record.range {
            Some(range) => format!("no other port in {range} was free"),
            None => format!("`{}` pinned port {}", record.taken_by, assignment.port),
        };
        context.printer.warn(format_args!(
            "took {} over from `{}`, which was {}, because {why}; `{}` gets new ports at its next `iris-dev up`, `port` or `env`",
            ports(record.port, record.web_port),
            evicted.project_path,
            evicted.status,
            evicted.project_path,
        ));
    }
    if outcome.changed {
        context.printer.note(format_args!(
            "`{}` has port {} and web port {} ({})",
            assignment.project_path,
            assignment.port,
            assignment.effective_web_port().unwrap_or_default(),
            assignment.assignment_type
        ));
    }
}

/// Why a port was passed over, for `-v`.
fn skip_note(
    skip: &Skipped,
    project: &str,
    refused: &[u16],
    containers: Option<&[Container]>,
) -> String {
    let Skipped {
        port,
        blocked,
        reason,
    } = skip;
    let subject = if blocked == port {
        "it".to_owned()
    } else {
        format!("its web port {blocked}")
    };
    let why = match reason {
        SkipReason::Listener => format!("{subject} has a listener on this host"),
        SkipReason::Avoided if refused.contains(blocked) => {
            format!("the engine refused {subject}")
        }
        SkipReason::Avoided => {
            let publisher = containers.into_iter().flatten().find(|container| {
                container
                    .ports
                    .iter()
                    .any(|published| published.host_port == *blocked)
            });
            match publisher {
                Some(container) => format!("container `{}` publishes {subject}", container.name),
                None => format!("another container publishes {subject}"),
            }
        }
        SkipReason::Held(holder) if holder.assignment_type == AssignmentType::Manual => {
            format!("`{}` pinned {subject}", holder.project_path)
        }
        SkipReason::Held(holder) => {
            format!("{subject} is assigned to `{}`", holder.project_path)
        }
        SkipReason::Kept(holder) => format!(
            "{subject} is kept for `{}` ({}) while ports nobody holds are free",
            holder.project_path, holder.status
        ),
        SkipReason::RecentlyUsed(holder) => format!(
            "{subject} is kept for `{}` ({}), used more recently than the ports taken over",
            holder.project_path, holder.status
        ),
        SkipReason::PinnedWebPort => format!("{subject} is the pinned web port"),
    };
    format!("skipped port {port} for `{project}`: {why}")
}

/// The current project and its ports, as `port` and `env` need them.
pub fn current(context: &Context<'_>) -> Result<(Project, Assigned), Error> {
    current_of(context, context.project()?)
}

fn current_of(context: &Context<'_>, project: Project) -> Result<(Project, Assigned), Error> {
    let endpoint = context.endpoint();
    let target = Target {
        project: &project,
        ports: &context.settings.ports,
        endpoint: &endpoint,
        listing: None,
        bind: context
            .settings
            .bind
            .unwrap_or(crate::core::engine::LOOPBACK),
        avoid: &[],
        compose_project: None,
    };
    let assigned = resolve(context, &target, Mode::Write)?;
    Ok((project, assigned))
}

/// The current project as a client connects to it: its ports, compose project
/// name, the host to dial and the login its IRIS service sets.
pub struct Connected {
    pub project: Project,
    pub assignment: Assignment,
    pub compose_project: String,
    pub host: String,
    pub login: crate::core::connection::Login,
    /// The stack, and its IRIS service when the compose config names one.
    pub stack: crate::core::stack::Stack,
    pub service: Option<String>,
}

/// [`current`], with what `env` and `vscode` tell a client.
pub fn connected(context: &Context<'_>) -> Result<Connected, Error> {
    let project = context.project()?;
    if project.selection.project_name.is_some() {
        // A `COMPOSE_PROJECT_NAME` another project owns is refused before the
        // registry changes (a shell left with one by another project).
        context.stack_in(&project, &context.store().read()?)?;
    }
    let (project, assigned) = current_of(context, project)?;
    let stack = context.stack_in(&project, &assigned.registry)?;
    let assignment = assigned.assignment;
    let mut state = crate::edges::state_dir::StateDir::open(&project.root);
    let (login, service) = context.login_and_service(&stack, &assignment, &mut state);
    if state.exists() {
        // Only keeps what compose said; a project never started gets no `.iris-dev/`.
        let _ = state.save();
    }
    Ok(Connected {
        host: crate::core::connection::assignment_host(&assignment, &context.endpoint()),
        compose_project: stack.compose_project().to_owned(),
        project,
        assignment,
        login,
        stack,
        service,
    })
}
