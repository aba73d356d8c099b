//! Which assignments are stale: `up` started their containers and the engine no
//! longer has any of them.
//!
//! Pure: the caller lists the engine's containers (and never calls this when the
//! engine cannot be reached) and applies the verdict under the registry lock.
//! The listing may be older than the registry it is applied to (it is asked for
//! before the lock is taken, and waiting processes share one), so a stack
//! whose start was recorded after the listing was asked for is never judged by it.

use crate::engine::Listing;
use crate::registry::{Assignment, Registry};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{COMPOSE_PROJECT_LABEL, Container, PROJECT_LABEL};
    use crate::registry::Status;
    use crate::timestamp::Timestamp;

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
