//! `iris-dev ports who PORT...`: who holds each port, and the same lookup for the
//! errors that say a port is taken. Never on `port`'s fast path: it reads the
//! registry, lists the engine's containers and scans the host's sockets.

use serde::Serialize;

use crate::allocate::HostPorts;
use crate::cli::WhoArgs;
use crate::commands::Context;
use crate::engine::{Container, DockerEngine, Endpoint, Engine};
use crate::error::Error;
use crate::owner::{self, Owner};
use crate::platform;
use crate::probe::BindProbe;

pub fn run(args: WhoArgs, context: &Context<'_>) -> Result<(), Error> {
    let WhoArgs { ports, json } = args;
    let endpoint = context.endpoint();
    let containers = match DockerEngine::connect(&endpoint).and_then(|engine| engine.containers()) {
        Ok(containers) => Some(containers),
        Err(err) => {
            context
                .printer
                .warn(format_args!("{err}; containers are not looked at"));
            None
        }
    };
    let registry = context.store().read()?;
    #[derive(Serialize)]
    struct Held {
        port: u16,
        owners: Vec<Owner>,
    }
    let held: Vec<Held> = ports
        .into_iter()
        .map(|port| {
            let port = port.get();
            let owners = lookup(&registry, containers.as_deref(), &endpoint, port);
            Held { port, owners }
        })
        .collect();
    if json {
        let text = serde_json::to_string_pretty(&held).expect("owners serialise");
        return context.printer.data(text);
    }
    let mut lines = Vec::new();
    for Held { port, owners } in &held {
        if owners.is_empty() {
            lines.push(format!(
                "{port}  free: no assignment, container or listening process holds it"
            ));
        }
        for owner in owners {
            lines.push(format!("{port}  {owner}"));
        }
    }
    context.printer.data(lines.join("\n"))
}

/// Every owner of `port` iris-dev can find: assignments, containers of this
/// endpoint, host processes (only when the endpoint's ports land here).
pub(crate) fn lookup(
    registry: &crate::registry::Registry,
    containers: Option<&[Container]>,
    endpoint: &Endpoint,
    port: u16,
) -> Vec<Owner> {
    let mut owners = owner::in_registry(registry, port, endpoint.registry_key());
    if let Some(containers) = containers {
        owners.extend(owner::in_containers(containers, port, &endpoint.url));
    }
    if endpoint.is_local() {
        owners.extend(host(port));
    }
    owners
}

/// The host's listeners on `port`, or why they cannot be named.
fn host(port: u16) -> Vec<Owner> {
    let listeners = platform::host_listeners(port).unwrap_or_default();
    if listeners.is_empty() && !BindProbe.is_free(port) {
        return vec![Owner::Unknown {
            reason: format!(
                "port {port} cannot be bound, but no listening process could be found; `lsof -nP -iTCP:{port} -sTCP:LISTEN` may say more"
            ),
        }];
    }
    listeners
}

/// The owners of a port an error says is taken, for the error to name. Reads the
/// registry under the shared lock: the caller must not hold the lock.
pub fn owners_for_error(context: &Context<'_>, port: u16) -> Vec<Owner> {
    let endpoint = context.endpoint();
    let containers = DockerEngine::connect(&endpoint)
        .and_then(|engine| engine.containers())
        .ok();
    let registry = context
        .store()
        .read()
        .unwrap_or_else(|_| crate::registry::Registry::empty());
    lookup(&registry, containers.as_deref(), &endpoint, port)
}
