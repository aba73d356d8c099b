//! Which ports a project gets: the assignment policy.
//!
//! Pure. It reads and changes a [`Registry`] in memory and asks a [`HostPorts`]
//! whether a port is free on this host; the caller holds the lock, reads the
//! clock, probes the host and writes the result back.

use std::fmt;

use crate::core::port::Port;
use crate::core::registry::{
    Assignment, AssignmentType, Eviction, Registry, Status, paired_web_port, transition,
};
use crate::core::timestamp::Timestamp;

/// Where the host ports of a stack's other services come from with `isolate:
/// all`: below Linux's ephemeral range (32768-60999, where Docker picks host ports
/// for `- "80"`), and apart from the IRIS range and its paired web ports, so the
/// two kinds never meet.
pub const DEFAULT_STACK_RANGE: PortRange = PortRange {
    start: 21_000,
    end: 21_999,
};

/// IRIS's default ports: iris-devtester's range, so that both tools agree on
/// which ports are theirs (ten ran out on a laptop with a dozen checkouts).
pub const DEFAULT_RANGE: PortRange = PortRange {
    start: 1972,
    end: 2000,
};

/// The highest superserver port whose paired web port, 52773 + (port - 1972), is
/// still a port: 65535.
pub const MAX_PAIRED_PORT: u16 = 65_535 - 52_773 + 1972;

/// An inclusive range of superserver ports for automatic assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    pub start: u16,
    pub end: u16,
}

impl PortRange {
    /// Parses `START-END`, both 1-65535 and START <= END.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (start, end) = text
            .split_once('-')
            .ok_or_else(|| format!("`{text}` is not a range such as `1972-2000`"))?;
        let port = |part: &str| {
            part.parse::<Port>().map(Port::get).map_err(|_| {
                format!(
                    "`{}` in `{text}` is not a port from 1 to 65535",
                    part.trim()
                )
            })
        };
        let range = Self {
            start: port(start)?,
            end: port(end)?,
        };
        if range.start > range.end {
            return Err(format!("`{text}` starts after it ends"));
        }
        Ok(range)
    }

    /// Why this range, used for stack ports, may not be used with the IRIS
    /// range `iris`: the two overlap, or this one meets `iris`'s paired web ports.
    pub fn overlap_with_iris(&self, iris: PortRange) -> Option<String> {
        let overlaps = |other: PortRange| self.start <= other.end && other.start <= self.end;
        if overlaps(iris) {
            return Some(format!(
                "it overlaps the IRIS range {iris}; pick one apart from it"
            ));
        }
        let web = (paired_web_port(iris.start), paired_web_port(iris.end));
        if let (Some(start), Some(end)) = web
            && overlaps(PortRange { start, end })
        {
            return Some(format!(
                "it overlaps the IRIS range's paired web ports {start}-{end}; pick one apart from them"
            ));
        }
        None
    }

    pub fn contains(&self, port: u16) -> bool {
        (self.start..=self.end).contains(&port)
    }

    /// Whether every port in the range has a paired web port (see
    /// [`MAX_PAIRED_PORT`]); a range past it needs a pinned web port.
    pub fn is_paired(&self) -> bool {
        self.end <= MAX_PAIRED_PORT
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

/// Whether a port can be bound on this host right now.
pub trait HostPorts {
    fn is_free(&self, port: u16) -> bool;
}

impl<F: Fn(u16) -> bool> HostPorts for F {
    fn is_free(&self, port: u16) -> bool {
        self(port)
    }
}

/// What the project asks for.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub project: &'a str,
    /// A pinned superserver port (`IRIS_DEV_PORT`, `up --port`).
    pub port: Option<u16>,
    /// A pinned web portal port (`IRIS_DEV_WEB_PORT`, `up --web-port`).
    pub web_port: Option<u16>,
    pub range: PortRange,
    pub now: &'a Timestamp,
    /// The Docker endpoint, `None` for the local engine; assignments for other
    /// engines hold no ports here.
    pub engine: Option<&'a str>,
    /// A remote engine's ports that this machine reaches through a tunnel (a
    /// loopback bind): the same numbers are taken here too, so this machine's
    /// active assignments hold them as well.
    pub tunneled: bool,
    /// Ports known to be taken although the registry and the bind probe say free,
    /// such as one Docker just refused with "port is already allocated".
    pub avoid: &'a [u16],
}

/// The project's assignment after resolution, and what changed on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub assignment: Assignment,
    /// Whether the registry must be written back.
    pub changed: bool,
    /// The project's previous superserver port, when it had to move.
    pub moved_from: Option<u16>,
    /// Inactive assignments of other projects whose ports were taken over.
    pub evicted: Vec<Assignment>,
    /// The records written for `evicted`, which tell those projects later.
    pub recorded: Vec<Eviction>,
    /// The record of this project's own ports taken over by another project
    /// while it was inactive, which this resolution consumed: it says so now.
    pub moved: Option<Eviction>,
    /// Ports passed over while choosing new ones, in port order, and why.
    pub skipped: Vec<Skipped>,
}

/// A superserver port passed over while choosing the project's ports.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub port: u16,
    /// The port that was not free: `port`, or its web port.
    pub blocked: u16,
    pub reason: SkipReason,
}

/// Why a port was passed over.
#[derive(Debug, Clone, PartialEq)]
pub enum SkipReason {
    /// The bind test failed: a program on this host listens on it.
    Listener,
    /// [`Request::avoid`] lists it: a container publishes it, or the engine
    /// refused it; the caller knows which.
    Avoided,
    /// Another project's active assignment holds it (a pin when it is manual).
    Held(Box<Assignment>),
    /// Another project's released or stale assignment holds it; such ports are
    /// taken over only when no port nobody holds is free.
    Kept(Box<Assignment>),
    /// Like [`SkipReason::Kept`], but the inactive assignment whose ports were
    /// taken over was used less recently than this one.
    RecentlyUsed(Box<Assignment>),
    /// It is the pinned web port itself.
    PinnedWebPort,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AllocError {
    #[error("port {port} is held by project `{}` ({}, {})", holder.project_path, holder.assignment_type, holder.status)]
    Held { port: u16, holder: Box<Assignment> },
    #[error("port {port} is in use on this host by a program iris-dev does not manage")]
    Busy { port: u16 },
    #[error("no port in {}{range} is free", kind.prefix())]
    Exhausted {
        range: PortRange,
        /// Which of the two ranges ran out.
        kind: RangeKind,
        assignments: Vec<Assignment>,
    },
    #[error("port {port} has no paired web portal port (52773 + (port - 1972) is past 65535)")]
    NoPairedWebPort { port: u16 },
}

/// The range IRIS's ports come from, or the one `isolate: all` stacks take their
/// other ports from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeKind {
    Iris,
    Stack,
}

impl RangeKind {
    /// How an error names the range before its ports.
    fn prefix(self) -> &'static str {
        match self {
            Self::Iris => "",
            Self::Stack => "the stack port range ",
        }
    }
}

/// Resolves the project's ports, assigning them if needed; the project keeps the
/// ports it has for as long as its assignment exists. Released or stale ports of
/// other projects are taken over only when no other port is free (or when the
/// request pins them), and each such project's eviction is recorded; the
/// project's own record, if another project took its ports, is consumed.
pub fn resolve(
    registry: &mut Registry,
    request: &Request<'_>,
    host: &impl HostPorts,
) -> Result<Outcome, AllocError> {
    let mut outcome = assign(registry, request, host)?;
    if let Some(record) = transition::take_eviction(registry, request.project) {
        outcome.changed = true;
        outcome.moved = Some(record);
    }
    Ok(outcome)
}

fn assign(
    registry: &mut Registry,
    request: &Request<'_>,
    probe: &impl HostPorts,
) -> Result<Outcome, AllocError> {
    let existing = registry.find(request.project).cloned();
    let held = held_by_others(registry, request);
    let host = |port: u16| !request.avoid.contains(&port) && probe.is_free(port);

    if let Some(port) = request.port {
        let web_port = web_port_for(port, request.web_port)?;
        if let Some(current) = &existing {
            let same = current.port == port && current.effective_web_port() == Some(web_port);
            let avoided = request.avoid.contains(&port) || request.avoid.contains(&web_port);
            if same && current.is_active() && !avoided {
                return Ok(keep(registry, current, AssignmentType::Manual));
            }
        }
        let own_active: Vec<u16> = existing
            .iter()
            .filter(|current| current.is_active())
            .flat_map(Assignment::ports)
            .collect();
        for candidate in [port, web_port] {
            if let Some(holder) = held.active_holder(candidate) {
                return Err(AllocError::Held {
                    port: candidate,
                    holder: Box::new(holder.clone()),
                });
            }
            let own = own_active.contains(&candidate) && !request.avoid.contains(&candidate);
            if !own && !host.is_free(candidate) {
                return Err(AllocError::Busy { port: candidate });
            }
        }
        return Ok(place(
            registry,
            request,
            existing.as_ref(),
            port,
            web_port,
            AssignmentType::Manual,
        ));
    }

    let mut skipped = Vec::new();
    if let Some(current) = &existing {
        let web_port = match request.web_port {
            Some(web_port) => web_port,
            None => current
                .effective_web_port()
                .ok_or(AllocError::NoPairedWebPort { port: current.port })?,
        };
        let unchanged = current.web_port == Some(web_port)
            && current.engine.as_deref() == request.engine
            && !request.avoid.contains(&current.port)
            && !request.avoid.contains(&web_port);
        if current.is_active() && unchanged {
            return Ok(keep(registry, current, current.assignment_type));
        }
        let blocked = [current.port, web_port].into_iter().find_map(|port| {
            let own = current.is_active()
                && current.engine.as_deref() == request.engine
                && current.ports().any(|own| own == port);
            taken(port, own, &held, request, probe).map(|reason| Skipped {
                port: current.port,
                blocked: port,
                reason,
            })
        });
        match blocked {
            None => {
                let assignment_type = current.assignment_type;
                return Ok(place(
                    registry,
                    request,
                    Some(current),
                    current.port,
                    web_port,
                    assignment_type,
                ));
            }
            Some(skip) => skipped.push(skip),
        }
    }

    let (port, web_port, passed) = pick(registry, request, &held, probe)?;
    // The project's own old port, when it is in the range, is said once.
    let old = skipped.first().map(|own| own.port);
    skipped.extend(passed.into_iter().filter(|skip| Some(skip.port) != old));
    let mut outcome = place(
        registry,
        request,
        existing.as_ref(),
        port,
        web_port,
        AssignmentType::Auto,
    );
    outcome.skipped = skipped;
    Ok(outcome)
}

/// Why `port` cannot be the project's, if it cannot: another project's active
/// assignment holds it, the request avoids it, or (unless the project's own
/// running stack publishes it, `own`) a program on this host listens on it.
fn taken(
    port: u16,
    own: bool,
    held: &Held,
    request: &Request<'_>,
    host: &impl HostPorts,
) -> Option<SkipReason> {
    if let Some(holder) = held.active_holder(port) {
        return Some(SkipReason::Held(Box::new(holder.clone())));
    }
    if request.avoid.contains(&port) {
        return Some(SkipReason::Avoided);
    }
    (!own && !host.is_free(port)).then_some(SkipReason::Listener)
}

/// The ports other projects hold, by how strongly.
struct Held {
    active: Vec<(u16, Assignment)>,
    /// Every status, on the request's engine.
    any: Vec<(u16, Assignment)>,
}

impl Held {
    fn active_holder(&self, port: u16) -> Option<&Assignment> {
        self.active
            .iter()
            .find(|(held, _)| *held == port)
            .map(|(_, holder)| holder)
    }

    fn holder(&self, port: u16) -> Option<&Assignment> {
        self.any
            .iter()
            .find(|(held, _)| *held == port)
            .map(|(_, holder)| holder)
    }
}

fn held_by_others(registry: &Registry, request: &Request<'_>) -> Held {
    let others = registry.assignments.iter().filter(|assignment| {
        assignment.project_path != request.project && assignment.engine.as_deref() == request.engine
    });
    let mut held = Held {
        active: Vec::new(),
        any: Vec::new(),
    };
    for assignment in others {
        for port in assignment.ports() {
            held.any.push((port, assignment.clone()));
            if assignment.is_active() {
                held.active.push((port, assignment.clone()));
            }
        }
    }
    if request.tunneled && request.engine.is_some() {
        // This machine's active projects, whose ports the tunnel would need.
        let local = registry.assignments.iter().filter(|assignment| {
            assignment.project_path != request.project
                && assignment.engine.is_none()
                && assignment.is_active()
        });
        for assignment in local {
            for port in assignment.ports() {
                held.active.push((port, assignment.clone()));
            }
        }
    }
    held
}

fn web_port_for(port: u16, pinned: Option<u16>) -> Result<u16, AllocError> {
    pinned
        .or_else(|| paired_web_port(port))
        .ok_or(AllocError::NoPairedWebPort { port })
}

/// Picks a fresh pair from the range: first ports nobody holds, then ports of
/// released or stale assignments, least recently used first. Returns with it the
/// ports passed over, in port order, and why.
fn pick(
    registry: &Registry,
    request: &Request<'_>,
    held: &Held,
    host: &impl HostPorts,
) -> Result<(u16, u16, Vec<Skipped>), AllocError> {
    let blocker = |port: u16, web_port: u16| {
        if port == web_port {
            return Some(Skipped {
                port,
                blocked: port,
                reason: SkipReason::PinnedWebPort,
            });
        }
        [port, web_port].into_iter().find_map(|candidate| {
            taken(candidate, false, held, request, host).map(|reason| Skipped {
                port,
                blocked: candidate,
                reason,
            })
        })
    };
    // Why a port another project holds was not considered yet: an active
    // holder first, else the inactive one `kept` names.
    let holder = |port: u16, web_port: u16, kept: fn(Box<Assignment>) -> SkipReason| {
        let active = [port, web_port].into_iter().find_map(|candidate| {
            held.active_holder(candidate)
                .map(|holder| (candidate, SkipReason::Held(Box::new(holder.clone()))))
        });
        let (blocked, reason) = active.or_else(|| {
            [port, web_port].into_iter().find_map(|candidate| {
                held.holder(candidate)
                    .map(|holder| (candidate, kept(Box::new(holder.clone()))))
            })
        })?;
        Some(Skipped {
            port,
            blocked,
            reason,
        })
    };
    let mut skipped = Vec::new();
    let mut reusable = Vec::new();
    for port in request.range.start..=request.range.end {
        let Ok(web_port) = web_port_for(port, request.web_port) else {
            continue;
        };
        if held.holder(port).is_some() || held.holder(web_port).is_some() {
            reusable.push((port, web_port));
            continue;
        }
        match blocker(port, web_port) {
            Some(skip) => skipped.push(skip),
            None => {
                skipped.extend(
                    reusable
                        .iter()
                        .filter_map(|&(port, web_port)| holder(port, web_port, SkipReason::Kept)),
                );
                skipped.sort_by_key(|skip| skip.port);
                return Ok((port, web_port, skipped));
            }
        }
    }
    let last_used = |port: u16| {
        registry
            .assignments
            .iter()
            .filter(|assignment| assignment.project_path != request.project)
            .filter(|assignment| assignment.engine.as_deref() == request.engine)
            .filter(|assignment| assignment.ports().any(|held| held == port))
            .map(|assignment| assignment.last_used().clone())
            .max()
    };
    reusable
        .sort_by_cached_key(|&(port, web_port)| (last_used(port).max(last_used(web_port)), port));
    let mut candidates = reusable.into_iter();
    for (port, web_port) in candidates.by_ref() {
        match blocker(port, web_port) {
            Some(skip) => skipped.push(skip),
            None => {
                skipped.extend(candidates.filter_map(|(port, web_port)| {
                    holder(port, web_port, SkipReason::RecentlyUsed)
                }));
                skipped.sort_by_key(|skip| skip.port);
                return Ok((port, web_port, skipped));
            }
        }
    }
    Err(AllocError::Exhausted {
        range: request.range,
        kind: RangeKind::Iris,
        assignments: registry.assignments.clone(),
    })
}

fn keep(registry: &mut Registry, current: &Assignment, assignment_type: AssignmentType) -> Outcome {
    let changed = current.assignment_type != assignment_type;
    if changed {
        let index = registry
            .position(&current.project_path)
            .expect("assignment exists");
        registry.assignments[index].assignment_type = assignment_type;
    }
    Outcome {
        assignment: registry
            .find(&current.project_path)
            .cloned()
            .expect("assignment exists"),
        changed,
        moved_from: None,
        evicted: Vec::new(),
        recorded: Vec::new(),
        moved: None,
        skipped: Vec::new(),
    }
}

/// Writes the project's active assignment to `port`/`web_port`, evicting inactive
/// assignments of other projects that hold either and recording each eviction.
fn place(
    registry: &mut Registry,
    request: &Request<'_>,
    existing: Option<&Assignment>,
    port: u16,
    web_port: u16,
    assignment_type: AssignmentType,
) -> Outcome {
    let mut evicted = Vec::new();
    registry.assignments.retain(|assignment| {
        let collides = assignment.project_path != request.project
            && assignment.engine.as_deref() == request.engine
            && !assignment.is_active()
            && assignment
                .ports()
                .any(|held| held == port || held == web_port);
        if collides {
            evicted.push(assignment.clone());
        }
        !collides
    });
    let moved_from = existing
        .map(|current| current.port)
        .filter(|&old| old != port);
    let assignment = match existing {
        Some(current) if moved_from.is_none() => Assignment {
            web_port: Some(web_port),
            assignment_type,
            status: Status::Active,
            inactive_since: None,
            engine: request.engine.map(str::to_owned),
            ..current.clone()
        },
        Some(current) => Assignment {
            port,
            web_port: Some(web_port),
            assigned_at: request.now.clone(),
            assignment_type,
            status: Status::Active,
            inactive_since: None,
            engine: request.engine.map(str::to_owned),
            ..current.clone()
        },
        None => Assignment {
            project_path: request.project.to_owned(),
            port,
            assigned_at: request.now.clone(),
            assignment_type,
            status: Status::Active,
            container_name: None,
            web_port: Some(web_port),
            inactive_since: None,
            engine: request.engine.map(str::to_owned),
            compose_project: None,
            compose_service: None,
            started_at: None,
            stack_ports: std::collections::BTreeMap::new(),
            bind: None,
            extra: serde_json::Map::new(),
        },
    };
    match registry.position(request.project) {
        Some(index) => {
            registry.assignments[index] = assignment.clone();
            let mut seen = false;
            registry.assignments.retain(|other| {
                let duplicate = other.project_path == request.project && seen;
                seen |= other.project_path == request.project;
                !duplicate
            });
        }
        None => registry.assignments.push(assignment.clone()),
    }
    // A pin asked for these ports by number; else the range had no other free.
    let range = request.port.is_none().then(|| request.range.to_string());
    let recorded = transition::record_evictions(
        registry,
        &evicted,
        request.project,
        range.as_deref(),
        request.now,
    );
    Outcome {
        changed: true,
        assignment,
        moved_from,
        evicted,
        recorded,
        moved: None,
        skipped: Vec::new(),
    }
}

/// The project's stack ports after [`isolate`], and what changed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Isolated {
    /// Host port by `service:container port`.
    pub ports: std::collections::BTreeMap<String, u16>,
    /// Keys that got a new host port.
    pub assigned: Vec<String>,
}

/// Gives each of `keys` (`service:container port`) a host port of the project's
/// own from `range`, sticky like the IRIS pair: a key keeps its port while no
/// other project holds it and it stays free. New ports are the lowest in `range`
/// that no other assignment holds, in any status (stack ports never collide
/// across projects), that the host probe finds free and `avoid` does not list.
/// The caller's probe counts the ports of the project's own running containers
/// as free. The project's assignment must exist (call after [`resolve`]).
pub fn isolate(
    registry: &mut Registry,
    project: &str,
    keys: &[String],
    range: PortRange,
    avoid: &[u16],
    host: &impl HostPorts,
) -> Result<Isolated, AllocError> {
    let current = registry
        .find(project)
        .cloned()
        .expect("isolate runs after resolve");
    let engine = current.engine.as_deref();
    let others: Vec<&Assignment> = registry
        .assignments
        .iter()
        .filter(|other| other.project_path != project && other.engine.as_deref() == engine)
        .collect();
    let held_by_others = |port: u16| {
        others
            .iter()
            .any(|other| other.ports().any(|held| held == port))
    };
    let iris_ports: Vec<u16> = [Some(current.port), current.effective_web_port()]
        .into_iter()
        .flatten()
        .collect();
    let mut isolated = Isolated::default();
    let mut taken: Vec<u16> = iris_ports;
    let mut fresh = Vec::new();
    for key in keys {
        let kept = current.stack_ports.get(key).copied().filter(|&port| {
            !held_by_others(port)
                && !avoid.contains(&port)
                && !taken.contains(&port)
                && host.is_free(port)
        });
        match kept {
            Some(port) => {
                taken.push(port);
                isolated.ports.insert(key.clone(), port);
            }
            None => fresh.push(key),
        }
    }
    for key in fresh {
        let port = (range.start..=range.end)
            .find(|&port| {
                !taken.contains(&port)
                    && !held_by_others(port)
                    && !avoid.contains(&port)
                    && host.is_free(port)
            })
            .ok_or_else(|| AllocError::Exhausted {
                range,
                kind: RangeKind::Stack,
                assignments: registry.assignments.clone(),
            })?;
        taken.push(port);
        isolated.ports.insert(key.clone(), port);
        isolated.assigned.push(key.clone());
    }
    let assignment = registry.find_mut(project).expect("checked above");
    assignment.stack_ports = isolated.ports.clone();
    Ok(isolated)
}

/// What `up` does after the engine refused to publish host ports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterRefusal {
    /// Try again with these IRIS ports avoided: they are iris-dev's to move.
    Retry { avoid: Vec<u16> },
    /// A port the user pinned (or the web port paired with a pinned superserver
    /// port) was refused; `None` when the engine did not say which port.
    Pinned { port: Option<u16> },
    /// A host port that is not one of the project's IRIS ports was refused:
    /// moving the IRIS ports cannot help.
    Foreign { port: u16 },
}

/// Which ports the user pinned, for [`after_refusal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pins {
    pub port: bool,
    pub web_port: bool,
}

/// Decides what to do after a refusal. `refused` holds one entry per refusal
/// line of compose's output: the port it names, or `None` when it names none.
/// A pinned port is never moved; an unpinned one moves.
pub fn after_refusal(refused: &[Option<u16>], assignment: &Assignment, pins: Pins) -> AfterRefusal {
    let port = assignment.port;
    let web_port = assignment.effective_web_port().unwrap_or(port);
    let named: Vec<u16> = refused.iter().flatten().copied().collect();
    if let Some(&foreign) = named
        .iter()
        .find(|&&refused| refused != port && refused != web_port)
    {
        return AfterRefusal::Foreign { port: foreign };
    }
    if named.is_empty() {
        if pins.port || pins.web_port {
            return AfterRefusal::Pinned { port: None };
        }
        return AfterRefusal::Retry {
            avoid: vec![port, web_port],
        };
    }
    let mut avoid = Vec::new();
    for refused in named {
        // A superserver pin fixes the paired web port too, unless that is pinned.
        let pinned = if refused == port {
            pins.port
        } else {
            pins.web_port || pins.port
        };
        if pinned {
            return AfterRefusal::Pinned {
                port: Some(refused),
            };
        }
        if !avoid.contains(&refused) {
            avoid.push(refused);
        }
    }
    AfterRefusal::Retry { avoid }
}

/// What `up` does after `compose up` failed, from the refusals in its output
/// ([`after_refusal`] for the IRIS ports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextAttempt {
    /// Nothing was refused: compose failed for another reason.
    GiveUp,
    /// Try again with these IRIS ports and these stack ports (`isolate: all`)
    /// avoided: the engine refused them, and they are iris-dev's to move.
    Retry {
        avoid: Vec<u16>,
        stack_avoid: Vec<u16>,
    },
    /// See [`AfterRefusal::Pinned`].
    Pinned { port: Option<u16> },
    /// See [`AfterRefusal::Foreign`].
    Foreign { port: u16 },
}

/// Decides what `up` does after a failed `compose up`. `refused` holds one
/// entry per refusal line of compose's output (the port it names, or `None`).
/// A refused stack port of the assignment moves, like an unpinned IRIS port;
/// any other port is judged by [`after_refusal`].
pub fn next_attempt(refused: &[Option<u16>], assignment: &Assignment, pins: Pins) -> NextAttempt {
    let is_stack = |port: &u16| assignment.stack_ports.values().any(|own| own == port);
    let mut stack_avoid: Vec<u16> = Vec::new();
    for port in refused.iter().flatten().copied().filter(is_stack) {
        if !stack_avoid.contains(&port) {
            stack_avoid.push(port);
        }
    }
    let rest: Vec<Option<u16>> = refused
        .iter()
        .copied()
        .filter(|port| !port.as_ref().is_some_and(is_stack))
        .collect();
    if rest.is_empty() {
        return if stack_avoid.is_empty() {
            NextAttempt::GiveUp
        } else {
            NextAttempt::Retry {
                avoid: Vec::new(),
                stack_avoid,
            }
        };
    }
    match after_refusal(&rest, assignment, pins) {
        AfterRefusal::Retry { avoid } => NextAttempt::Retry { avoid, stack_avoid },
        AfterRefusal::Pinned { port } => NextAttempt::Pinned { port },
        AfterRefusal::Foreign { port } => NextAttempt::Foreign { port },
    }
}

#[cfg(test)]
mod tests {
    use crate::core::registry::transition::{mark_stale_project as mark_stale, release};
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    fn stamp(minute: u32) -> Timestamp {
        Timestamp::parse(&format!("2026-11-29T10:{minute:02}:00")).unwrap()
    }

    fn request<'a>(project: &'a str, now: &'a Timestamp) -> Request<'a> {
        Request {
            project,
            port: None,
            web_port: None,
            range: PortRange {
                start: 12_000,
                end: 12_004,
            },
            now,
            engine: None,
            tunneled: false,
            avoid: &[],
        }
    }

    fn all_free(_: u16) -> bool {
        true
    }

    fn assign(registry: &mut Registry, project: &str) -> Assignment {
        let now = stamp(0);
        resolve(registry, &request(project, &now), &all_free)
            .unwrap()
            .assignment
    }

    #[test]
    fn ranges_pair_up_to_the_last_port_whose_web_port_fits() {
        assert_eq!(MAX_PAIRED_PORT, 14_734);
        assert_eq!(paired_web_port(MAX_PAIRED_PORT), Some(65_535));
        assert_eq!(paired_web_port(MAX_PAIRED_PORT + 1), None);
        let range = |start, end| PortRange { start, end };
        assert!(range(1, 1).is_paired());
        assert!(range(1972, MAX_PAIRED_PORT).is_paired());
        assert!(range(MAX_PAIRED_PORT, MAX_PAIRED_PORT).is_paired());
        assert!(!range(1972, MAX_PAIRED_PORT + 1).is_paired());
        assert!(!range(30_000, 30_010).is_paired());
        assert!(DEFAULT_RANGE.is_paired());

        let mut registry = Registry::empty();
        let now = stamp(0);
        let top = Request {
            range: range(MAX_PAIRED_PORT, MAX_PAIRED_PORT),
            ..request("/top", &now)
        };
        let outcome = resolve(&mut registry, &top, &all_free).unwrap();
        assert_eq!(outcome.assignment.web_port, Some(65_535));
        let bottom = Request {
            range: range(1, 1),
            ..request("/bottom", &now)
        };
        let outcome = resolve(&mut registry, &bottom, &all_free).unwrap();
        assert_eq!(outcome.assignment.web_port, Some(50_802));
    }

    #[test]
    fn lowest_free_port_with_paired_web_port() {
        let mut registry = Registry::empty();
        let alpha = assign(&mut registry, "/alpha");
        let beta = assign(&mut registry, "/beta");
        assert_eq!((alpha.port, alpha.web_port), (12_000, Some(62_801)));
        assert_eq!((beta.port, beta.web_port), (12_001, Some(62_802)));
        assert_eq!(alpha.assignment_type, AssignmentType::Auto);
    }

    #[test]
    fn sticky_across_calls_and_release() {
        let mut registry = Registry::empty();
        let first = assign(&mut registry, "/alpha");
        let now = stamp(5);
        let again = resolve(&mut registry, &request("/alpha", &now), &all_free).unwrap();
        assert!(!again.changed);
        assert_eq!(again.assignment, first);
        assert!(release(&mut registry, "/alpha", &now));
        assert_eq!(registry.find("/alpha").unwrap().status, Status::Released);
        let back = resolve(&mut registry, &request("/alpha", &now), &all_free).unwrap();
        assert!(back.changed);
        assert_eq!(back.assignment.port, first.port);
        assert_eq!(back.assignment.status, Status::Active);
        assert_eq!(back.assignment.inactive_since, None);
    }

    #[test]
    fn busy_host_ports_are_skipped() {
        let mut registry = Registry::empty();
        let now = stamp(0);
        let busy = |port: u16| port != 12_000 && port != 62_802;
        let outcome = resolve(&mut registry, &request("/alpha", &now), &busy).unwrap();
        assert_eq!(outcome.assignment.port, 12_002);
    }

    #[test]
    fn released_ports_are_reused_only_when_nothing_untouched_is_left_oldest_first() {
        let mut registry = Registry::empty();
        for project in ["/a", "/b", "/c", "/d", "/e"] {
            assign(&mut registry, project);
        }
        release(&mut registry, "/d", &stamp(30));
        release(&mut registry, "/b", &stamp(40));
        let now = stamp(50);
        let outcome = resolve(&mut registry, &request("/f", &now), &all_free).unwrap();
        assert_eq!(outcome.assignment.port, 12_003);
        assert_eq!(outcome.evicted.len(), 1);
        assert_eq!(outcome.evicted[0].project_path, "/d");
        assert!(registry.find("/d").is_none());
        let outcome = resolve(&mut registry, &request("/g", &now), &all_free).unwrap();
        assert_eq!(outcome.assignment.port, 12_001);

        let mut fresh = Registry::empty();
        assign(&mut fresh, "/a");
        release(&mut fresh, "/a", &stamp(1));
        let outcome = resolve(&mut fresh, &request("/b", &now), &all_free).unwrap();
        assert_eq!(
            outcome.assignment.port, 12_001,
            "untouched ports come first"
        );
        assert!(outcome.evicted.is_empty());
    }

    fn reasons(outcome: &Outcome) -> Vec<(u16, u16, String)> {
        outcome
            .skipped
            .iter()
            .map(|skip| {
                let reason = match &skip.reason {
                    SkipReason::Held(holder) => format!("held {}", holder.project_path),
                    SkipReason::Kept(holder) => format!("kept {}", holder.project_path),
                    SkipReason::RecentlyUsed(holder) => format!("recent {}", holder.project_path),
                    other => format!("{other:?}"),
                };
                (skip.port, skip.blocked, reason)
            })
            .collect()
    }

    #[test]
    fn a_free_port_is_preferred_over_a_released_one() {
        let mut registry = Registry::empty();
        assign(&mut registry, "/shop");
        release(&mut registry, "/shop", &stamp(1));
        let now = stamp(2);
        let outcome = resolve(&mut registry, &request("/new", &now), &all_free).unwrap();
        assert_eq!(outcome.assignment.port, 12_001);
        assert!(outcome.evicted.is_empty() && outcome.recorded.is_empty());
        assert!(registry.evictions.is_empty());
        assert_eq!(registry.find("/shop").unwrap().status, Status::Released);
        assert_eq!(
            reasons(&outcome),
            [(12_000, 12_000, "kept /shop".to_owned())]
        );
        // Also when the free port is the range's last and others are busy.
        let busy = |port: u16| ![12_002, 62_804].contains(&port);
        let outcome = resolve(&mut registry, &request("/third", &now), &busy).unwrap();
        assert_eq!(outcome.assignment.port, 12_004);
        assert!(outcome.evicted.is_empty());
        assert_eq!(
            reasons(&outcome),
            [
                (12_000, 12_000, "kept /shop".to_owned()),
                (12_001, 12_001, "held /new".to_owned()),
                (12_002, 12_002, "Listener".to_owned()),
                (12_003, 62_804, "Listener".to_owned()),
            ],
            "12003's web port 62804 is busy too"
        );
    }

    #[test]
    fn released_ports_move_only_when_the_range_is_full_and_the_loser_is_told() {
        let range = PortRange {
            start: 12_000,
            end: 12_002,
        };
        let ranged = |project, now| Request {
            range,
            ..request(project, now)
        };
        let mut registry = Registry::empty();
        let early = stamp(0);
        for project in ["/shop", "/running"] {
            resolve(&mut registry, &ranged(project, &early), &all_free).unwrap();
        }
        release(&mut registry, "/shop", &stamp(1));
        let now = stamp(2);
        let listener_on_12002 = |port: u16| port != 12_002;
        let outcome =
            resolve(&mut registry, &ranged("/billing", &now), &listener_on_12002).unwrap();
        assert_eq!(outcome.assignment.port, 12_000);
        assert_eq!(outcome.evicted.len(), 1);
        assert_eq!(outcome.evicted[0].project_path, "/shop");
        assert!(registry.find("/shop").is_none());
        assert_eq!(
            reasons(&outcome),
            [
                (12_001, 12_001, "held /running".to_owned()),
                (12_002, 12_002, "Listener".to_owned()),
            ]
        );
        let record = &registry.evictions[0];
        assert_eq!(outcome.recorded, registry.evictions);
        assert_eq!(registry.evictions.len(), 1);
        assert_eq!(
            (record.project_path.as_str(), record.taken_by.as_str()),
            ("/shop", "/billing")
        );
        assert_eq!((record.port, record.web_port), (12_000, Some(62_801)));
        assert_eq!(record.range.as_deref(), Some("12000-12002"));
        assert_eq!(record.at, now);

        // Still full: `/shop` fails and keeps its record for the next try.
        let later = stamp(3);
        let before = registry.clone();
        let error =
            resolve(&mut registry, &ranged("/shop", &later), &listener_on_12002).unwrap_err();
        assert!(matches!(error, AllocError::Exhausted { .. }), "{error:?}");
        assert_eq!(registry, before);
        // The listener is gone: `/shop` gets 12002 and is told once.
        let outcome = resolve(&mut registry, &ranged("/shop", &later), &all_free).unwrap();
        assert_eq!(outcome.assignment.port, 12_002);
        assert!(outcome.changed);
        assert_eq!(outcome.moved.as_ref(), Some(&before.evictions[0]));
        assert!(registry.evictions.is_empty());
        let again = resolve(&mut registry, &ranged("/shop", &later), &all_free).unwrap();
        assert_eq!((again.moved, again.changed), (None, false));
    }

    #[test]
    fn a_pin_takes_a_released_port_and_says_it_was_asked_for() {
        let mut registry = Registry::empty();
        assign(&mut registry, "/shop");
        release(&mut registry, "/shop", &stamp(1));
        let now = stamp(2);
        let pinned = Request {
            port: Some(12_000),
            ..request("/pinner", &now)
        };
        let outcome = resolve(&mut registry, &pinned, &all_free).unwrap();
        assert_eq!(outcome.evicted[0].project_path, "/shop");
        assert_eq!(registry.evictions[0].range, None);
        assert_eq!(registry.evictions[0].taken_by, "/pinner");
    }

    #[test]
    fn skipped_ports_say_why() {
        let mut registry = Registry::empty();
        let early = stamp(0);
        let pinned = Request {
            port: Some(12_000),
            ..request("/pinned", &early)
        };
        resolve(&mut registry, &pinned, &all_free).unwrap();
        for project in ["/old", "/newer", "/auto"] {
            assign(&mut registry, project);
        }
        release(&mut registry, "/old", &stamp(1));
        release(&mut registry, "/newer", &stamp(2));
        let now = stamp(3);
        // 12004 is avoided (a container publishes it): the range is full, so
        // `/old`'s released ports go, and `/newer`'s are kept.
        let avoid = [12_004];
        let full = Request {
            avoid: &avoid,
            ..request("/new", &now)
        };
        let outcome = resolve(&mut registry, &full, &all_free).unwrap();
        assert_eq!(outcome.assignment.port, 12_001);
        assert_eq!(
            reasons(&outcome),
            [
                (12_000, 12_000, "held /pinned".to_owned()),
                (12_002, 12_002, "recent /newer".to_owned()),
                (12_003, 12_003, "held /auto".to_owned()),
                (12_004, 12_004, "Avoided".to_owned()),
            ]
        );
        let outcome = resolve(&mut registry, &full, &all_free).unwrap();
        assert!(outcome.skipped.is_empty(), "kept ports are not searched");

        // A pinned web port inside the range is never the superserver port.
        let mut registry = Registry::empty();
        let web = Request {
            web_port: Some(12_000),
            ..request("/web", &now)
        };
        let listener_on_12001 = |port: u16| port != 12_001;
        let outcome = resolve(&mut registry, &web, &listener_on_12001).unwrap();
        assert_eq!(outcome.assignment.port, 12_002);
        assert_eq!(
            reasons(&outcome),
            [
                (12_000, 12_000, "PinnedWebPort".to_owned()),
                (12_001, 12_001, "Listener".to_owned()),
            ]
        );
        // The project's own old port says why it moved, once.
        let avoid = [12_002];
        let refused = Request {
            avoid: &avoid,
            ..request("/web", &now)
        };
        let outcome = resolve(&mut registry, &refused, &all_free).unwrap();
        assert_eq!(outcome.moved_from, Some(12_002));
        assert_eq!(outcome.assignment.port, 12_000);
        assert_eq!(reasons(&outcome), [(12_002, 12_002, "Avoided".to_owned())]);
    }

    #[test]
    fn exhausted_range_lists_every_assignment() {
        let mut registry = Registry::empty();
        for project in ["/a", "/b", "/c", "/d", "/e"] {
            assign(&mut registry, project);
        }
        let now = stamp(1);
        let error = resolve(&mut registry, &request("/f", &now), &all_free).unwrap_err();
        let AllocError::Exhausted {
            range, assignments, ..
        } = &error
        else {
            panic!("{error:?}");
        };
        assert_eq!(range.to_string(), "12000-12004");
        assert_eq!(assignments.len(), 5);
        assert_eq!(error.to_string(), "no port in 12000-12004 is free");
    }

    #[test]
    fn manual_pin_anywhere_and_conflict_names_the_holder() {
        let mut registry = Registry::empty();
        let alpha = assign(&mut registry, "/alpha");
        let now = stamp(2);
        let pinned = Request {
            port: Some(2100),
            ..request("/beta", &now)
        };
        let beta = resolve(&mut registry, &pinned, &all_free)
            .unwrap()
            .assignment;
        assert_eq!((beta.port, beta.web_port), (2100, Some(52_901)));
        assert_eq!(beta.assignment_type, AssignmentType::Manual);

        let taken = Request {
            port: Some(alpha.port),
            ..request("/gamma", &now)
        };
        let error = resolve(&mut registry, &taken, &all_free).unwrap_err();
        assert!(
            matches!(&error, AllocError::Held { port: 12_000, holder } if holder.project_path == "/alpha")
        );
        assert!(registry.find("/gamma").is_none());

        let busy = Request {
            port: Some(3000),
            ..request("/gamma", &now)
        };
        let error = resolve(&mut registry, &busy, &|port: u16| port != 3000).unwrap_err();
        assert_eq!(error, AllocError::Busy { port: 3000 });
    }

    #[test]
    fn pinning_the_port_you_hold_does_not_probe_the_host() {
        let mut registry = Registry::empty();
        let alpha = assign(&mut registry, "/alpha");
        let now = stamp(2);
        let pinned = Request {
            port: Some(alpha.port),
            ..request("/alpha", &now)
        };
        let outcome = resolve(&mut registry, &pinned, &|_: u16| false).unwrap();
        assert_eq!(outcome.assignment.port, alpha.port);
        assert_eq!(outcome.assignment.assignment_type, AssignmentType::Manual);
    }

    #[test]
    fn released_project_moves_when_python_took_its_port() {
        let mut registry = Registry::empty();
        assign(&mut registry, "/alpha");
        release(&mut registry, "/alpha", &stamp(1));
        let mut python = registry.assignments[0].clone();
        python.project_path = "/python".into();
        python.status = Status::Active;
        python.web_port = None;
        registry.assignments.push(python);
        let now = stamp(3);
        let outcome = resolve(&mut registry, &request("/alpha", &now), &all_free).unwrap();
        assert_eq!(outcome.moved_from, Some(12_000));
        assert_eq!(outcome.assignment.port, 12_001);
        assert_eq!(registry.assignments.len(), 2);
    }

    #[test]
    fn missing_web_port_is_filled_in_and_overflow_is_an_error() {
        let mut registry = Registry::empty();
        let now = stamp(0);
        let high = Request {
            port: Some(40_000),
            ..request("/high", &now)
        };
        let error = resolve(&mut registry, &high, &all_free).unwrap_err();
        assert_eq!(error, AllocError::NoPairedWebPort { port: 40_000 });
        let pinned = Request {
            web_port: Some(40_001),
            ..high
        };
        let outcome = resolve(&mut registry, &pinned, &all_free).unwrap();
        assert_eq!(outcome.assignment.web_port, Some(40_001));
    }

    #[test]
    fn an_avoided_port_moves_the_project_and_fails_a_pin() {
        let mut registry = Registry::empty();
        let alpha = assign(&mut registry, "/alpha");
        let now = stamp(1);
        let avoid = [alpha.port];
        let retry = Request {
            avoid: &avoid,
            ..request("/alpha", &now)
        };
        let outcome = resolve(&mut registry, &retry, &all_free).unwrap();
        assert_eq!(outcome.moved_from, Some(12_000));
        assert_eq!(outcome.assignment.port, 12_001);
        assert_eq!(registry.assignments.len(), 1);

        let pinned = Request {
            port: Some(12_001),
            avoid: &[12_001],
            ..request("/alpha", &now)
        };
        let error = resolve(&mut registry, &pinned, &all_free).unwrap_err();
        assert_eq!(error, AllocError::Busy { port: 12_001 });
    }

    #[test]
    fn ports_are_only_compared_on_the_same_engine() {
        let mut registry = Registry::empty();
        let local = assign(&mut registry, "/local");
        let now = stamp(1);
        let remote = Request {
            engine: Some("tcp://build-box:2375"),
            ..request("/remote", &now)
        };
        let outcome = resolve(&mut registry, &remote, &all_free).unwrap();
        assert_eq!(outcome.assignment.port, local.port);
        assert_eq!(
            outcome.assignment.engine.as_deref(),
            Some("tcp://build-box:2375")
        );
        let second = assign(&mut registry, "/local-two");
        assert_eq!(second.port, 12_001);
    }

    #[test]
    fn a_tunneled_remote_assignment_avoids_this_machines_active_ports() {
        let mut registry = Registry::empty();
        let local = assign(&mut registry, "/local");
        assert_eq!(local.port, 12_000);
        let now = stamp(1);
        let tunneled = Request {
            engine: Some("ssh://me@build-box"),
            tunneled: true,
            ..request("/remote", &now)
        };
        let outcome = resolve(&mut registry, &tunneled, &all_free).unwrap();
        assert_eq!(outcome.assignment.port, 12_001);
        // This machine's bind test counts too: the tunnel listens here.
        let busy_here = |port: u16| port != 12_002;
        let other = Request {
            engine: Some("ssh://me@build-box"),
            tunneled: true,
            ..request("/remote-two", &now)
        };
        let outcome = resolve(&mut registry, &other, &busy_here).unwrap();
        assert_eq!(outcome.assignment.port, 12_003);
    }

    proptest! {
        /// However projects come, go and pin, no two active assignments share a
        /// host port and every project has at most one assignment.
        #[test]
        fn active_assignments_never_share_a_port(
            steps in prop::collection::vec((0..8usize, 0..4u8, 11_998..12_008u16), 1..60),
            busy in prop::collection::btree_set(11_995..12_010u16, 0..4),
        ) {
            let mut registry = Registry::empty();
            let host = |port: u16| !busy.contains(&port);
            for (minute, (project, action, port)) in steps.into_iter().enumerate() {
                let project = format!("/p{project}");
                let now = stamp(minute as u32 % 60);
                let mut request = request(&project, &now);
                request.range = PortRange { start: 12_000, end: 12_005 };
                match action {
                    0 => { release(&mut registry, &project, &now); }
                    1 => { mark_stale(&mut registry, &project, &now); }
                    action => {
                        if action == 2 { request.port = Some(port); }
                        let before = registry.clone();
                        if let Err(error) = resolve(&mut registry, &request, &host) {
                            prop_assert!(
                                matches!(error, AllocError::Held { .. } | AllocError::Busy { .. } | AllocError::Exhausted { .. }),
                                "unexpected {error:?}"
                            );
                            prop_assert_eq!(&registry, &before, "a failed resolve changes nothing");
                        }
                    }
                }
                let mut ports = BTreeSet::new();
                for assignment in registry.assignments.iter().filter(|a| a.is_active()) {
                    for port in assignment.ports() {
                        prop_assert!(ports.insert(port), "port {} twice in {:?}", port, registry.assignments);
                    }
                }
                let projects: BTreeSet<_> = registry.assignments.iter().map(|a| &a.project_path).collect();
                prop_assert_eq!(projects.len(), registry.assignments.len());
            }
        }
    }

    #[test]
    fn after_a_refusal_pins_stay_and_the_rest_moves() {
        let assignment = Registry::parse(
            br#"{"schema_version": "1.0", "assignments": [{"project_path": "/p", "port": 1975, "assigned_at": "2026-01-01T00:00:00+00:00", "assignment_type": "auto", "status": "active", "container_name": null, "web_port": 52776}]}"#,
        )
        .unwrap()
        .assignments
        .remove(0);
        let none = Pins::default();
        let port = Pins {
            port: true,
            web_port: false,
        };
        let web = Pins {
            port: false,
            web_port: true,
        };
        let both = Pins {
            port: true,
            web_port: true,
        };
        let retry = |avoid: &[u16]| AfterRefusal::Retry {
            avoid: avoid.to_vec(),
        };
        let pinned = |port| AfterRefusal::Pinned { port };

        // Unnamed refusals: both IRIS ports move unless one is pinned.
        assert_eq!(
            after_refusal(&[None], &assignment, none),
            retry(&[1975, 52_776])
        );
        for pins in [port, web, both] {
            assert_eq!(after_refusal(&[None], &assignment, pins), pinned(None));
        }
        // The superserver port refused moves unless it is pinned; the web port
        // refused moves unless either is pinned (it is paired with a pinned
        // superserver port).
        let cases = [
            (1975, none, retry(&[1975])),
            (1975, web, retry(&[1975])),
            (1975, port, pinned(Some(1975))),
            (1975, both, pinned(Some(1975))),
            (52_776, none, retry(&[52_776])),
            (52_776, port, pinned(Some(52_776))),
            (52_776, web, pinned(Some(52_776))),
            (52_776, both, pinned(Some(52_776))),
        ];
        for (refused, pins, expected) in cases {
            assert_eq!(
                after_refusal(&[Some(refused)], &assignment, pins),
                expected,
                "{refused} refused with {pins:?}"
            );
        }
        // Another port: never the IRIS ports' fault.
        assert_eq!(
            after_refusal(&[Some(1975), Some(8080)], &assignment, none),
            AfterRefusal::Foreign { port: 8080 }
        );
    }

    #[test]
    fn stack_ports_are_sticky_and_never_shared() {
        let now = stamp(1);
        let range = PortRange {
            start: 21_000,
            end: 21_003,
        };
        let mut registry = Registry::empty();
        let free = |_: u16| true;
        let keys = |names: &[&str]| {
            names
                .iter()
                .map(|name| (*name).to_owned())
                .collect::<Vec<_>>()
        };
        for project in ["/a", "/b"] {
            resolve(&mut registry, &request(project, &now), &free).unwrap();
        }
        let a = isolate(
            &mut registry,
            "/a",
            &keys(&["db:5432", "web:80"]),
            range,
            &[],
            &free,
        )
        .unwrap();
        assert_eq!(
            a.ports.values().copied().collect::<Vec<_>>(),
            [21_000, 21_001]
        );
        assert_eq!(a.assigned, ["db:5432", "web:80"]);
        let b = isolate(&mut registry, "/b", &keys(&["web:80"]), range, &[], &free).unwrap();
        assert_eq!(b.ports["web:80"], 21_002, "never another project's port");

        // Sticky across a release.
        release(&mut registry, "/a", &now);
        resolve(&mut registry, &request("/a", &now), &free).unwrap();
        let again = isolate(
            &mut registry,
            "/a",
            &keys(&["db:5432", "web:80"]),
            range,
            &[],
            &free,
        )
        .unwrap();
        assert_eq!(again.ports, a.ports);
        assert!(again.assigned.is_empty());
        // A port to avoid moves, and so does one the host no longer has free.
        let avoided = isolate(
            &mut registry,
            "/a",
            &keys(&["db:5432", "web:80"]),
            range,
            &[21_001],
            &free,
        )
        .unwrap();
        assert_eq!(avoided.ports["web:80"], 21_003);
        assert_eq!(avoided.assigned, ["web:80"]);
        let busy = |port: u16| port != 21_000;
        let moved = isolate(
            &mut registry,
            "/a",
            &keys(&["db:5432", "web:80"]),
            range,
            &[],
            &busy,
        )
        .unwrap();
        assert_eq!(moved.ports["db:5432"], 21_001);
        assert_eq!(moved.ports["web:80"], 21_003);
        assert_eq!(moved.assigned, ["db:5432"]);
        // Full: the error names the range.
        let error = isolate(
            &mut registry,
            "/b",
            &keys(&["web:80", "x:1", "y:2"]),
            range,
            &[],
            &free,
        )
        .unwrap_err();
        assert!(matches!(error, AllocError::Exhausted { .. }));
        // Lost (Python rewrote the file without our fields): assigned again.
        registry.find_mut("/b").unwrap().stack_ports.clear();
        let b = isolate(&mut registry, "/b", &keys(&["web:80"]), range, &[], &free).unwrap();
        assert_eq!(b.assigned, ["web:80"]);
    }

    #[test]
    fn after_a_failed_up_refused_stack_ports_move_with_the_iris_ports() {
        let mut assignment = Registry::parse(
            br#"{"schema_version": "1.0", "assignments": [{"project_path": "/p", "port": 10000, "assigned_at": "2026-01-01T00:00:00+00:00", "assignment_type": "auto", "status": "active", "container_name": null, "web_port": 10001}]}"#,
        )
        .unwrap()
        .assignments
        .remove(0);
        assignment.stack_ports = std::collections::BTreeMap::from([("web:80".to_owned(), 10_500)]);
        let unpinned = Pins::default();
        let pinned = Pins {
            port: true,
            web_port: false,
        };
        let cases: &[(&[Option<u16>], Pins, NextAttempt)] = &[
            (&[], unpinned, NextAttempt::GiveUp),
            (
                &[Some(10_500), Some(10_500)],
                pinned,
                NextAttempt::Retry {
                    avoid: vec![],
                    stack_avoid: vec![10_500],
                },
            ),
            (
                &[Some(10_500), Some(10_000)],
                unpinned,
                NextAttempt::Retry {
                    avoid: vec![10_000],
                    stack_avoid: vec![10_500],
                },
            ),
            (
                &[Some(10_500), Some(10_000)],
                pinned,
                NextAttempt::Pinned { port: Some(10_000) },
            ),
            (
                &[Some(10_500), Some(8_080)],
                unpinned,
                NextAttempt::Foreign { port: 8_080 },
            ),
            (
                &[None],
                unpinned,
                NextAttempt::Retry {
                    avoid: vec![10_000, 10_001],
                    stack_avoid: vec![],
                },
            ),
        ];
        for (refused, pins, expected) in cases {
            assert_eq!(
                &next_attempt(refused, &assignment, *pins),
                expected,
                "{refused:?} with {pins:?}"
            );
        }
    }
}
