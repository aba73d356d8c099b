//! The registry against the engine's containers: which assignments are stale
//! (`up` started their containers and the engine no longer has any of them),
//! what a running IRIS container that `up` labelled says of its project
//! ([`RunningIris`], from which a lost entry is recovered), and where the two
//! disagree ([`disagreement`]).
//!
//! Pure: the caller lists the engine's containers (and never calls this when the
//! engine cannot be reached) and applies the verdict under the registry lock.
//! The listing may be older than the registry it is applied to (it is asked for
//! before the lock is taken, and waiting processes share one), so a stack
//! whose start was recorded after the listing was asked for is never judged by it.

use crate::core::compose::config::{SUPERSERVER_PORT, WEB_PORT};
use crate::core::engine::{
    COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL, COMPOSE_WORKING_DIR_LABEL, Container, Listing,
    PORT_LABEL, PROJECT_LABEL, REGISTRY_LABEL, WEB_PORT_LABEL,
};
use crate::core::registry::{Assignment, Registry};

/// Whether `assignment` can go stale at all on this engine: it is active, `up`
/// started containers for it (`compose_service` is recorded once they started;
/// a reservation, even one `up` named, has none), and it is for the engine being
/// looked at.
pub fn is_candidate(assignment: &Assignment, engine: Option<&str>) -> bool {
    assignment.is_active()
        && assignment.compose_service.is_some()
        && assignment.engine.as_deref() == engine
}

/// The projects whose containers are all gone from `listing`.
pub fn stale_projects(registry: &Registry, listing: &Listing, engine: Option<&str>) -> Vec<String> {
    registry
        .assignments
        .iter()
        .filter(|assignment| is_candidate(assignment, engine))
        .filter(|assignment| {
            assignment
                .started_at
                .as_ref()
                .is_none_or(|started| *started < listing.asked_at)
        })
        .filter(|assignment| {
            !listing.containers.iter().any(|container| {
                container.belongs_to(
                    &assignment.project_path,
                    assignment.compose_project.as_deref(),
                )
            })
        })
        .map(|assignment| assignment.project_path.clone())
        .collect()
}

/// What a running IRIS container that `iris-dev up` labelled says of its
/// project, from its labels and published ports alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningIris<'a> {
    pub project: &'a str,
    /// The superserver port `up` published ([`PORT_LABEL`]).
    pub port: u16,
    /// The host port the container publishes IRIS's web port 52773 on.
    pub web_port: Option<u16>,
    /// The address the superserver port is published on (`0.0.0.0` for every
    /// interface).
    pub bind: Option<&'a str>,
    pub compose_project: Option<&'a str>,
    pub compose_service: Option<&'a str>,
}

impl<'a> RunningIris<'a> {
    /// `None` for a container that is not running or that iris-dev did not label.
    pub fn of(container: &'a Container) -> Option<Self> {
        Self::of_registry(container, None)
    }

    /// [`RunningIris::of`], and only when `up` labelled it with `registry`
    /// ([`REGISTRY_LABEL`]) when one is given.
    pub fn of_registry(container: &'a Container, registry: Option<&str>) -> Option<Self> {
        if registry.is_some()
            && container.labels.get(REGISTRY_LABEL).map(String::as_str) != registry
        {
            return None;
        }
        if container.state != "running" {
            return None;
        }
        let label = |name: &str| container.labels.get(name).map(String::as_str);
        let port: u16 = label(PORT_LABEL)?.parse().ok().filter(|&port| port != 0)?;
        // The entry iris-dev published, not one a base file added beside it
        // (`- "1972"` on a port Docker picks, on every interface).
        let superserver = container.ports.iter().find(|published| {
            published.container_port == SUPERSERVER_PORT && published.host_port == port
        });
        let web_port = label(WEB_PORT_LABEL)
            .and_then(|web| web.parse().ok())
            .or_else(|| {
                container
                    .ports
                    .iter()
                    .find(|published| {
                        published.container_port == WEB_PORT
                            && published.host_port != 0
                            && superserver.is_none_or(|own| own.host_ip == published.host_ip)
                    })
                    .map(|published| published.host_port)
            });
        Some(Self {
            project: label(PROJECT_LABEL)?,
            port,
            web_port,
            bind: superserver
                .map(|published| published.host_ip.as_str())
                .filter(|ip| !ip.is_empty()),
            compose_project: label(COMPOSE_PROJECT_LABEL),
            compose_service: label(COMPOSE_SERVICE_LABEL),
        })
    }
}

/// Where the registry and a project's running IRIS container disagree: the
/// registry has no entry for a stack that runs, or gives it another superserver
/// port than the one it runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    pub message: String,
    /// The command that settles it.
    pub fix: String,
}

impl std::fmt::Display for Disagreement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}; {}", self.message, self.fix)
    }
}

/// The [`Disagreement`] between `assignment` (the registry's entry for
/// `project`) and the project's running IRIS container, if there is one.
/// `containers` may be the engine's whole listing; only `project`'s own count.
pub fn disagreement(
    project: &str,
    assignment: Option<&Assignment>,
    containers: &[Container],
) -> Option<Disagreement> {
    let (container, running) = containers.iter().find_map(|container| {
        RunningIris::of(container)
            .filter(|running| running.project == project)
            .map(|running| (container, running))
    })?;
    match assignment {
        None => Some(Disagreement {
            message: format!(
                "the registry has no entry for `{project}`, but its container `{}` runs on port {}",
                container.name, running.port
            ),
            fix: format!(
                "`{}` records it again",
                crate::core::shell::join(["iris-dev", "port", "-C", project])
            ),
        }),
        Some(assignment) if assignment.port != running.port => Some(Disagreement {
            message: format!(
                "the registry gives `{project}` port {}, but its container `{}` runs on port {}",
                assignment.port, container.name, running.port
            ),
            fix: format!(
                "`{}` starts it again on port {}, or `{}` then `{}` keeps port {}",
                crate::core::shell::join(["iris-dev", "up", "-C", project]),
                assignment.port,
                crate::core::shell::join(["iris-dev", "ports", "clear", project]),
                crate::core::shell::join(["iris-dev", "port", "-C", project]),
                running.port
            ),
        }),
        Some(_) => None,
    }
}

/// The project (its path) whose containers on the engine run under compose
/// project `name`, when that is not `project`: iris-dev's own label says it,
/// else the directory compose ran in. Names compare as compose normalizes them.
/// This sees what the registry cannot: another user's stacks, another
/// `IRIS_DEV_HOME`'s, a plain `docker compose up` in another directory, and
/// stacks whose entries were lost.
pub fn compose_project_owner<'c>(
    containers: &'c [Container],
    name: &str,
    project: &str,
) -> Option<&'c str> {
    let name = crate::core::project::normalize_project_name(name);
    containers.iter().find_map(|container| {
        let label = |key: &str| container.labels.get(key).map(String::as_str);
        let runs_under = label(COMPOSE_PROJECT_LABEL)
            .is_some_and(|other| crate::core::project::normalize_project_name(other) == name);
        let owner = label(PROJECT_LABEL).or_else(|| label(COMPOSE_WORKING_DIR_LABEL))?;
        (runs_under && owner != project).then_some(owner)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::engine::{COMPOSE_PROJECT_LABEL, Container, PROJECT_LABEL};
    use crate::core::registry::Status;
    use crate::core::timestamp::Timestamp;

    fn listing(asked_at: &str, containers: Vec<Container>) -> Listing {
        Listing {
            asked_at: Timestamp::parse(asked_at).unwrap(),
            containers,
        }
    }

    fn registry() -> Registry {
        let text = r#"{"schema_version": "1.0", "assignments": [
          {"project_path": "/up-gone", "port": 1, "assigned_at": "2026-01-01T00:00:00", "assignment_type": "auto", "status": "active", "compose_project": "gone-1", "compose_service": "iris"},
          {"project_path": "/up-running", "port": 2, "assigned_at": "2026-01-01T00:00:00", "assignment_type": "auto", "status": "active", "compose_project": "running-1", "compose_service": "iris"},
          {"project_path": "/up-labelled", "port": 3, "assigned_at": "2026-01-01T00:00:00", "assignment_type": "auto", "status": "active", "compose_project": "renamed", "compose_service": "iris"},
          {"project_path": "/reservation", "port": 4, "assigned_at": "2026-01-01T00:00:00", "assignment_type": "auto", "status": "active"},
          {"project_path": "/released", "port": 5, "assigned_at": "2026-01-01T00:00:00", "assignment_type": "auto", "status": "released", "compose_project": "r", "compose_service": "iris"},
          {"project_path": "/remote", "port": 6, "assigned_at": "2026-01-01T00:00:00", "assignment_type": "auto", "status": "active", "compose_project": "x", "compose_service": "iris", "engine": "tcp://far:2375"}
        ]}"#;
        Registry::parse(text.as_bytes()).unwrap()
    }

    fn container(label: &str, value: &str) -> Container {
        let mut container = Container::default();
        container.labels.insert(label.into(), value.into());
        container
    }

    #[test]
    fn only_up_assignments_without_containers_on_this_engine_go_stale() {
        let registry = registry();
        let containers = vec![
            container(COMPOSE_PROJECT_LABEL, "running-1"),
            container(PROJECT_LABEL, "/up-labelled"),
        ];
        let now = "2026-01-02T00:00:00+00:00";
        assert_eq!(
            stale_projects(&registry, &listing(now, containers), None),
            ["/up-gone"]
        );
        assert_eq!(
            stale_projects(&registry, &listing(now, vec![]), Some("tcp://far:2375")),
            ["/remote"]
        );
        assert_eq!(registry.find("/released").unwrap().status, Status::Released);
    }

    #[test]
    fn a_listing_older_than_a_recorded_start_judges_nothing_of_that_stack() {
        let mut registry = registry();
        let started = Timestamp::parse("2026-01-02T00:00:00.000500+00:00").unwrap();
        registry.find_mut("/up-gone").unwrap().started_at = Some(started);
        let before = listing("2026-01-02T00:00:00.000400+00:00", vec![]);
        assert!(
            !stale_projects(&registry, &before, None).contains(&"/up-gone".to_owned()),
            "its containers may have been created after the listing"
        );
        let after = listing("2026-01-02T00:00:00.000600+00:00", vec![]);
        assert!(stale_projects(&registry, &after, None).contains(&"/up-gone".to_owned()));
    }
}
