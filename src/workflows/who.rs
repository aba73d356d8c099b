//! Who holds a port, for `iris-dev ports who PORT...` and for the errors that
//! say a port is taken. Never on `port`'s fast path: it reads the
//! registry, lists the engine's containers and scans the host's sockets, once
//! for all the ports it is asked about.

use std::collections::BTreeSet;

use crate::cli::error::Error;
use crate::core::allocate::{AllocError, HostPorts, PortRange, RangeKind};
use crate::core::engine::{Container, Endpoint};
use crate::core::owner::{self, Owner};
use crate::core::registry::Registry;
use crate::edges::platform;
use crate::edges::probe::BindProbe;
use crate::workflows::context::Context;

/// The most ports of an exhausted range that the bind test tries (about 12
/// µs each), after the registry, the containers and the host's listeners have
/// explained what they can: enough for every default range, and no seconds of
/// binding for a range of 60000 ports.
const RANGE_BIND_TESTS: usize = 1024;

/// Every owner of `port` iris-dev can find: assignments, containers of this
/// endpoint, host processes (only when the endpoint's ports land here).
fn lookup(
    registry: &Registry,
    containers: Option<&[Container]>,
    endpoint: &Endpoint,
    port: u16,
) -> Vec<Owner> {
    lookup_each(registry, containers, endpoint, &[port])
        .pop()
        .unwrap_or_default()
}

/// [`lookup`] for each of `ports`, in their order, with one scan of the host.
pub(crate) fn lookup_each(
    registry: &Registry,
    containers: Option<&[Container]>,
    endpoint: &Endpoint,
    ports: &[u16],
) -> Vec<Vec<Owner>> {
    let host = if endpoint.is_local() {
        host(&ports.iter().copied().collect(), usize::MAX, |port| {
            owner::unbindable(port, &platform::listeners_command(Some(port)))
        })
    } else {
        Vec::new()
    };
    ports
        .iter()
        .map(|&port| {
            let mut owners = owner::in_registry(registry, port, endpoint.registry_key());
            if let Some(containers) = containers {
                owners.extend(owner::in_containers(containers, port, &endpoint.url));
            }
            let listening = host.iter().filter(|(held, _)| *held == port);
            let listening = listening.map(|(_, owner)| owner.clone()).collect();
            owners.extend(owner::name_helpers(port, listening, containers));
            owners
        })
        .collect()
}

/// The host's listeners on `ports`, from one scan; a port with none that still
/// cannot be bound is held by `unbound(port)`. The bind test tries at most
/// `bind_tests` ports, lowest first. In port order.
fn host(
    ports: &BTreeSet<u16>,
    bind_tests: usize,
    unbound: impl Fn(u16) -> Owner,
) -> Vec<(u16, Owner)> {
    let mut held = platform::host_listeners(ports).unwrap_or_default();
    let listening: BTreeSet<u16> = held.iter().map(|&(port, _)| port).collect();
    let taken: Vec<u16> = ports
        .iter()
        .copied()
        .filter(|port| !listening.contains(port))
        .take(bind_tests)
        .filter(|&port| !BindProbe.is_free(port))
        .collect();
    held.extend(taken.into_iter().map(|port| (port, unbound(port))));
    held.sort_by_key(|&(port, _)| port);
    held
}

/// The owners of a port an error says is taken, for the error to name. Reads the
/// registry under the shared lock: the caller must not hold the lock.
pub fn owners_for_error(context: &Context<'_>, port: u16) -> Vec<Owner> {
    let endpoint = context.endpoint();
    let containers = containers(context, &endpoint);
    let registry = registry(context);
    lookup(&registry, containers.as_deref(), &endpoint, port)
}

/// `error`, naming who holds the ports it says are taken when it is an
/// allocation error. Reads the registry under the shared lock: the caller must
/// not hold the lock.
pub fn with_owners(context: &Context<'_>, error: Error) -> Error {
    match error {
        Error::Alloc {
            project,
            source,
            owners: _,
            pinned_by,
        } => Error::Alloc {
            owners: owners_for_alloc(context, &source),
            project,
            source,
            pinned_by,
        },
        error => error,
    }
}

/// Who holds the ports an allocation error says are taken, for it to name:
/// the pinned port of `Held` (another project's) and `Busy` (another
/// program's), and the ports of an exhausted range that the registry does not
/// explain. Reads the registry under the shared lock: the caller must not hold
/// the lock.
fn owners_for_alloc(context: &Context<'_>, error: &AllocError) -> Vec<(u16, Owner)> {
    match error {
        AllocError::Held { port, .. } | AllocError::Busy { port } => {
            let owners = owners_for_error(context, *port);
            owners.into_iter().map(|owner| (*port, owner)).collect()
        }
        AllocError::Exhausted { range, kind, .. } => range_owners(context, *range, *kind),
        AllocError::NoPairedWebPort { .. } => Vec::new(),
    }
}

/// Who holds the ports of `range` that no assignment explains (the error lists
/// the assignments itself): containers, then the host's listeners, then the
/// bind test for what is left (at most [`RANGE_BIND_TESTS`] ports).
fn range_owners(context: &Context<'_>, range: PortRange, kind: RangeKind) -> Vec<(u16, Owner)> {
    let endpoint = context.endpoint();
    let containers = containers(context, &endpoint).unwrap_or_default();
    let registry = registry(context);
    let owner::RangeScan {
        mut held,
        unexplained,
    } = owner::scan_range(
        &registry,
        endpoint.registry_key(),
        &containers,
        &endpoint.url,
        range,
        kind,
    );
    if endpoint.is_local() {
        let listening = host(&unexplained, RANGE_BIND_TESTS, |_| {
            owner::unbindable_in_range(&platform::listeners_command(None))
        });
        held.extend(listening.into_iter().flat_map(|(port, found)| {
            owner::name_helpers(port, vec![found], Some(&containers))
                .into_iter()
                .map(move |found| (port, found))
        }));
        held.sort_by_key(|&(port, _)| port);
    }
    held
}

/// The engine's containers, when it answers; an error names owners without
/// them. Shared: the resolution that failed has just asked, or has waited for
/// an engine that does not answer.
fn containers(context: &Context<'_>, endpoint: &Endpoint) -> Option<Vec<Container>> {
    context
        .shared_listing(endpoint)
        .ok()
        .map(|listing| listing.containers)
}

/// The registry, or an empty one when it cannot be read: an error names owners
/// without it.
fn registry(context: &Context<'_>) -> Registry {
    context.store().read().unwrap_or_else(|_| Registry::empty())
}
