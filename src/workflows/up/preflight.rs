//! `up`'s preflight: before compose runs, every fixed host port the stack
//! publishes and every name it fixes is checked against the attempt's listing,
//! the registry and the host, so that one error names every entry to fix
//! instead of compose failing half-way.

use super::Up;
use crate::cli::error::{Error, FixedPort};
use crate::core::compose::config::{self, ComposeConfig, NameKind};
use crate::core::compose::{override_file, port_advice};
use crate::core::engine::{Container, Engine, Listing};
use crate::core::owner::{self, Owner};
use crate::workflows::who;

impl Up<'_> {
    /// Checks every fixed host port the stack publishes, before compose runs:
    /// other containers on the engine, other projects' ports in the registry, and
    /// (for a local engine) the bind test. The project's own containers and
    /// assignment are no obstacle. Without an engine client only the registry
    /// and the bind test speak.
    pub(super) fn preflight(
        &self,
        config: &ComposeConfig,
        service: &str,
        listing: Option<&Listing>,
        env: &[(String, String)],
    ) -> Result<Vec<FixedPort>, Error> {
        let fixed = config.fixed_host_ports(service);
        if fixed.is_empty() {
            return Ok(Vec::new());
        }
        let (own, others): (Vec<Container>, Vec<Container>) = listing
            .map(|listing| listing.containers.clone())
            .unwrap_or_default()
            .into_iter()
            .partition(|container| self.is_own(container));
        let own_ports: Vec<u16> = own
            .iter()
            .flat_map(|container| container.ports.iter().map(|port| port.host_port))
            .collect();
        let registry = self.context.store().read()?;
        let ports: Vec<u16> = fixed.iter().map(|published| published.port).collect();
        let owners = who::lookup_each(&registry, Some(&others), self.endpoint, &ports);
        let mut taken = Vec::new();
        for (published, owners) in fixed.iter().zip(owners) {
            let port = published.port;
            let owners = owner::others(owners, self.project.key());
            let bind_test = || self.host.is_free(port);
            let lands_here = self.endpoint.is_local() && !own_ports.contains(&port);
            let busy = owner::taken_for_up(
                &owners,
                lands_here.then_some(&bind_test as &dyn Fn() -> bool),
            );
            if busy {
                taken.push(self.port_taken(port, Some(published), owners, env));
            }
        }
        Ok(taken)
    }

    /// Stops before compose runs when a name the stack fixes (`container_name`,
    /// a volume's or network's `name:`) is already another compose project's on
    /// this engine: compose would fail half-way, or share the volume.
    pub(super) fn shared_names(
        &self,
        config: &ComposeConfig,
        engine: &dyn Engine,
        listing: Option<&Listing>,
    ) -> Result<(), Error> {
        let own = self.stack.name.as_str();
        let fixed = config.fixed_names(own);
        if fixed.is_empty() {
            return Ok(());
        }
        let mut containers = listing.map(|listing| listing.containers.clone());
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

    pub(super) fn is_own(&self, container: &Container) -> bool {
        container.belongs_to(self.project.key(), Some(self.stack.compose_project()))
    }

    /// A fixed host port someone else holds, with the file and line that
    /// publishes it and the fix.
    pub(super) fn port_taken(
        &self,
        port: u16,
        published: Option<&config::FixedPort>,
        owners: Vec<Owner>,
        env: &[(String, String)],
    ) -> FixedPort {
        let mapping = published.map(|published| config::PortMapping {
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
}
