//! `iris-dev ports who PORT...`: who holds each port ([`who::lookup_each`]).

use serde::Serialize;

use crate::cli::WhoArgs;
use crate::cli::error::Error;
use crate::core::engine::Engine;
use crate::core::owner::Owner;
use crate::edges::docker::DockerEngine;
use crate::workflows::context::Context;
use crate::workflows::who;

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
    let ports: Vec<u16> = ports.into_iter().map(|port| port.get()).collect();
    let owners = who::lookup_each(&registry, containers.as_deref(), &endpoint, &ports);
    let held: Vec<Held> = ports
        .into_iter()
        .zip(owners)
        .map(|(port, owners)| Held { port, owners })
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
