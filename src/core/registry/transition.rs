//! Every change of an assignment's state after allocation, as pure functions on
//! a [`Registry`] in memory: reserve, record started, release, mark stale, prune
//! missing, remember and hand over evictions, and put back what a failed `up`
//! changed.
//!
//! The caller holds the exclusive lock, reads the clock, lists the engine's
//! containers (outside the lock) and writes the result back; commands never
//! change an assignment's fields themselves.

use crate::core::engine::Listing;
use crate::core::registry::{Assignment, Eviction, Registry, Status};
use crate::core::stale;
use crate::core::timestamp::Timestamp;

/// Marks `project`'s assignment as not started yet, under the compose project
/// name `up` is about to use: `compose_service` is set only once compose has
/// started the containers, so a concurrent stale check never sees an assignment
/// whose containers are still coming, while the name stays taken for any other
/// checkout that would pick the same one. Returns the assignment.
pub fn reserve(
    registry: &mut Registry,
    project: &str,
    compose_project: &str,
) -> Option<Assignment> {
    let assignment = registry.find_mut(project)?;
    assignment.compose_project = Some(compose_project.to_owned());
    assignment.compose_service = None;
    Some(assignment.clone())
}

/// What `up` started for a project.
#[derive(Debug, Clone, PartialEq)]
pub struct Started<'a> {
    pub compose_project: &'a str,
    pub service: &'a str,
    /// The IRIS container's name, when the engine said it.
    pub container_name: Option<&'a str>,
    /// The host address the ports were published on.
    pub bind: std::net::IpAddr,
    /// A time after the containers were created.
    pub at: &'a Timestamp,
}

/// Records that `up` started the project's containers, which makes the
/// assignment able to go stale. Python's `container_name` is filled only for
/// `iris_*` containers: iris-devtester's `cleanup_stale` deletes entries naming
/// anything else. Returns whether the project had an assignment.
pub fn record_started(registry: &mut Registry, project: &str, started: &Started<'_>) -> bool {
    let Some(assignment) = registry.find_mut(project) else {
        return false;
    };
    assignment.status = Status::Active;
    assignment.inactive_since = None;
    assignment.compose_project = Some(started.compose_project.to_owned());
    assignment.compose_service = Some(started.service.to_owned());
    assignment.started_at = Some(started.at.clone());
    assignment.bind = (started.bind.to_string() != crate::core::engine::DEFAULT_HOST)
        .then(|| started.bind.to_string());
    if let Some(name) = started
        .container_name
        .filter(|name| name.starts_with("iris_"))
    {
        assignment.container_name = Some(name.to_owned());
    }
    true
}

/// Marks the project's assignment released (sticky: it keeps its ports until
/// another project needs them). Returns whether anything changed.
pub fn release(registry: &mut Registry, project: &str, now: &Timestamp) -> bool {
    deactivate(registry, project, Status::Released, now)
}

/// Marks one project's assignment stale. Returns whether anything changed.
pub fn mark_stale_project(registry: &mut Registry, project: &str, now: &Timestamp) -> bool {
    deactivate(registry, project, Status::Stale, now)
}

/// Marks stale every assignment on `engine` whose containers are all gone from
/// `listing` (see [`stale::stale_projects`]); returns them as they are now.
pub fn mark_stale(
    registry: &mut Registry,
    listing: &Listing,
    engine: Option<&str>,
    now: &Timestamp,
) -> Vec<Assignment> {
    let mut marked = Vec::new();
    for project in stale::stale_projects(registry, listing, engine) {
        mark_stale_project(registry, &project, now);
        marked.extend(registry.find(&project).cloned());
    }
    marked
}

/// Puts back the assignment of every project whose IRIS container runs on
/// `engine` labelled by iris-dev (`dev.iris-dev.project`, `dev.iris-dev.port`)
/// while the registry has no entry for it: after `ports reset`, a deleted file,
/// or iris-devtester's `clear_all`, so that a running stack keeps answering its
/// own ports (issue 16 §3). The web port, bind address, compose project and
/// service come from the container; a port another assignment holds is never
/// taken back, and only containers labelled with `label` (this registry's
/// [`crate::core::engine::REGISTRY_LABEL`]) count. Returns the assignments recovered,
/// with their container's name.
pub fn recover(
    registry: &mut Registry,
    listing: &Listing,
    engine: Option<&str>,
    label: &str,
    now: &Timestamp,
) -> Vec<(Assignment, String)> {
    let mut recovered: Vec<(Assignment, String)> = Vec::new();
    for container in &listing.containers {
        let Some(running) = stale::RunningIris::of_registry(container, Some(label)) else {
            continue;
        };
        let held = |registry: &Registry, port: u16| {
            registry.assignments.iter().any(|other| {
                other.engine.as_deref() == engine && other.ports().any(|held| held == port)
            })
        };
        // A port another assignment holds is never taken back: the stack
        // stays unrecovered (and `status` says the registry lost it).
        let web_held = running.web_port.is_some_and(|web| held(registry, web));
        if registry.find(running.project).is_some() || held(registry, running.port) || web_held {
            continue;
        }
        let web_port = running.web_port;
        let assignment = Assignment {
            project_path: running.project.to_owned(),
            port: running.port,
            assigned_at: now.clone(),
            assignment_type: crate::core::registry::AssignmentType::Auto,
            status: Status::Active,
            container_name: Some(container.name.clone()).filter(|name| name.starts_with("iris_")),
            web_port: web_port
                .filter(|&web| Some(web) != crate::core::registry::paired_web_port(running.port)),
            inactive_since: None,
            engine: engine.map(str::to_owned),
            compose_project: running.compose_project.map(str::to_owned),
            compose_service: running.compose_service.map(str::to_owned),
            // The container existed when the engine was asked.
            started_at: Some(listing.asked_at.clone()),
            stack_ports: Default::default(),
            bind: running
                .bind
                .filter(|bind| *bind != crate::core::engine::DEFAULT_HOST)
                .map(str::to_owned),
            extra: Default::default(),
        };
        registry.assignments.push(assignment.clone());
        recovered.push((assignment, container.name.clone()));
    }
    recovered
}

/// Remembers that `taken_by` took over the ports of `evicted`, released or stale
/// assignments of other projects just removed from the registry, so that each
/// of those projects' next resolution says where its ports went
/// ([`take_eviction`]). `range` is the range that had no other port free, `None`
/// when `taken_by` asked for the ports by number. A project's older record is
/// replaced. Returns the records written.
pub fn record_evictions(
    registry: &mut Registry,
    evicted: &[Assignment],
    taken_by: &str,
    range: Option<&str>,
    at: &Timestamp,
) -> Vec<Eviction> {
    let records: Vec<Eviction> = evicted
        .iter()
        .map(|assignment| Eviction {
            project_path: assignment.project_path.clone(),
            port: assignment.port,
            web_port: assignment.effective_web_port(),
            engine: assignment.engine.clone(),
            taken_by: taken_by.to_owned(),
            at: at.clone(),
            range: range.map(str::to_owned),
        })
        .collect();
    registry.evictions.retain(|old| {
        !records
            .iter()
            .any(|new| new.project_path == old.project_path)
    });
    registry.evictions.extend(records.iter().cloned());
    records
}

/// Removes and returns `project`'s eviction record: its resolution is the one
/// that tells it its ports moved.
pub fn take_eviction(registry: &mut Registry, project: &str) -> Option<Eviction> {
    let index = registry
        .evictions
        .iter()
        .position(|eviction| eviction.project_path == project)?;
    let record = registry.evictions.remove(index);
    registry
        .evictions
        .retain(|eviction| eviction.project_path != project);
    Some(record)
}

/// Removes the assignments whose project directory no longer exists
/// (`exists` asks), and those projects' eviction records; returns the
/// assignments.
pub fn prune_missing(registry: &mut Registry, exists: impl Fn(&str) -> bool) -> Vec<Assignment> {
    registry
        .evictions
        .retain(|eviction| exists(&eviction.project_path));
    let missing: Vec<String> = registry
        .assignments
        .iter()
        .filter(|assignment| !exists(&assignment.project_path))
        .map(|assignment| assignment.project_path.clone())
        .collect();
    missing
        .iter()
        .filter_map(|project| registry.remove(project))
        .collect()
}

/// Puts back what a failed `up` changed: the project's assignment as it was
/// (same ports, same status), or none when it had none, the eviction record its
/// resolution took (`moved`), and the inactive assignments of other projects
/// whose ports the attempts took over, unless their project has an assignment
/// again or an active one holds those ports now; an assignment put back loses
/// the eviction record this `up` wrote for it.
pub fn restore(
    registry: &mut Registry,
    project: &str,
    previous: Option<&Assignment>,
    evicted: &[Assignment],
    moved: Option<&Eviction>,
) {
    registry.remove(project);
    registry.assignments.extend(previous.cloned());
    if let Some(moved) = moved
        && !registry
            .evictions
            .iter()
            .any(|eviction| eviction.project_path == project)
    {
        registry.evictions.push(moved.clone());
    }
    for assignment in evicted {
        let taken = registry.find(&assignment.project_path).is_some()
            || registry.assignments.iter().any(|other| {
                other.is_active()
                    && other.engine == assignment.engine
                    && other
                        .ports()
                        .any(|port| assignment.ports().any(|own| own == port))
            });
        if !taken {
            registry.assignments.push(assignment.clone());
            registry.evictions.retain(|eviction| {
                eviction.project_path != assignment.project_path || eviction.taken_by != project
            });
        }
    }
}

fn deactivate(registry: &mut Registry, project: &str, status: Status, now: &Timestamp) -> bool {
    let Some(assignment) = registry.find_mut(project) else {
        return false;
    };
    if assignment.status == status {
        return false;
    }
    assignment.status = status;
    assignment.inactive_since = Some(now.clone());
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::engine::{COMPOSE_PROJECT_LABEL, Container};

    fn registry() -> Registry {
        let text = r#"{"schema_version": "1.0", "assignments": [
          {"project_path": "/shop", "port": 1972, "assigned_at": "2026-01-01T00:00:00+00:00", "assignment_type": "auto", "status": "active", "container_name": null, "web_port": 52773},
          {"project_path": "/gone", "port": 1973, "assigned_at": "2026-01-01T00:00:00+00:00", "assignment_type": "auto", "status": "active", "container_name": null, "compose_project": "gone-1", "compose_service": "iris"},
          {"project_path": "/kept", "port": 1974, "assigned_at": "2026-01-01T00:00:00+00:00", "assignment_type": "manual", "status": "active", "container_name": null, "compose_project": "kept-1", "compose_service": "iris"}
        ]}"#;
        Registry::parse(text.as_bytes()).unwrap()
    }

    fn now() -> Timestamp {
        Timestamp::parse("2026-02-01T00:00:00+00:00").unwrap()
    }

    #[test]
    fn reserve_then_record_started() {
        let mut registry = registry();
        registry.find_mut("/shop").unwrap().compose_project = Some("old".into());
        registry.find_mut("/shop").unwrap().compose_service = Some("iris".into());
        let reserved = reserve(&mut registry, "/shop", "shop").unwrap();
        assert_eq!(reserved.compose_project.as_deref(), Some("shop"));
        assert_eq!(reserved.compose_service, None, "not started yet");
        assert_eq!(reserve(&mut registry, "/nobody", "x"), None);

        let started = Started {
            compose_project: "shop",
            service: "iris",
            container_name: Some("shop-iris-1"),
            bind: std::net::Ipv4Addr::LOCALHOST.into(),
            at: &now(),
        };
        assert!(record_started(&mut registry, "/shop", &started));
        let shop = registry.find("/shop").unwrap();
        assert_eq!(shop.compose_project.as_deref(), Some("shop"));
        assert_eq!(shop.compose_service.as_deref(), Some("iris"));
        assert_eq!(shop.started_at, Some(now()));
        assert_eq!(shop.container_name, None, "only iris_* names are Python's");
        assert_eq!(shop.bind, None, "the default address is not stored");
        let python_name = Started {
            container_name: Some("iris_shop"),
            bind: std::net::Ipv4Addr::UNSPECIFIED.into(),
            ..started
        };
        record_started(&mut registry, "/shop", &python_name);
        assert_eq!(
            registry.find("/shop").unwrap().bind.as_deref(),
            Some("0.0.0.0")
        );
        assert_eq!(
            registry.find("/shop").unwrap().container_name.as_deref(),
            Some("iris_shop")
        );
        assert!(!record_started(&mut registry, "/nobody", &python_name));
    }

    #[test]
    fn release_and_stale_keep_the_ports_and_say_when() {
        let mut registry = registry();
        assert!(release(&mut registry, "/shop", &now()));
        assert!(!release(&mut registry, "/shop", &now()), "already released");
        let shop = registry.find("/shop").unwrap();
        assert_eq!((shop.status, shop.port), (Status::Released, 1972));
        assert_eq!(shop.inactive_since, Some(now()));

        let mut running = Container::default();
        running
            .labels
            .insert(COMPOSE_PROJECT_LABEL.into(), "kept-1".into());
        let listing = Listing {
            asked_at: now(),
            containers: vec![running],
        };
        let marked = mark_stale(&mut registry, &listing, None, &now());
        assert_eq!(marked.len(), 1);
        assert_eq!(marked[0].project_path, "/gone");
        assert_eq!(marked[0].status, Status::Stale);
        assert!(registry.find("/kept").unwrap().is_active());
    }

    #[test]
    fn prune_removes_only_missing_directories() {
        let mut registry = registry();
        let removed = prune_missing(&mut registry, |path| path != "/gone");
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].project_path, "/gone");
        assert!(registry.find("/gone").is_none());
        assert_eq!(registry.assignments.len(), 2);
    }

    #[test]
    fn restore_puts_back_the_previous_assignment_or_none() {
        let mut registry = registry();
        let before = registry.find("/shop").cloned();
        let evicted = registry.remove("/gone").unwrap();
        let shop = registry.find_mut("/shop").unwrap();
        shop.port = 1973;
        shop.web_port = Some(52_774);
        restore(
            &mut registry,
            "/shop",
            before.as_ref(),
            std::slice::from_ref(&evicted),
            None,
        );
        assert_eq!(registry.find("/shop"), before.as_ref());
        assert_eq!(registry.find("/gone"), Some(&evicted));

        restore(&mut registry, "/kept", None, &[], None);
        assert!(registry.find("/kept").is_none());

        // An evicted assignment whose ports an active one holds now stays out.
        let mut taker = evicted.clone();
        taker.project_path = "/taker".into();
        registry.remove("/gone");
        registry.assignments.push(taker);
        restore(&mut registry, "/shop", before.as_ref(), &[evicted], None);
        assert!(registry.find("/gone").is_none());
    }

    fn iris_container(name: &str, project: &str, port: u16, web_port: u16, ip: &str) -> Container {
        use crate::core::engine::{
            COMPOSE_SERVICE_LABEL, PORT_LABEL, PROJECT_LABEL, PublishedPort, REGISTRY_LABEL,
        };
        let published = |host_port, container_port| PublishedPort {
            host_ip: ip.into(),
            host_port,
            container_port,
        };
        Container {
            name: name.into(),
            state: "running".into(),
            labels: [
                (PROJECT_LABEL, project.to_owned()),
                (PORT_LABEL, port.to_string()),
                (COMPOSE_PROJECT_LABEL, "billing".to_owned()),
                (COMPOSE_SERVICE_LABEL, "iris".to_owned()),
                (REGISTRY_LABEL, REGISTRY.to_owned()),
            ]
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect(),
            ports: vec![published(port, 1972), published(web_port, 52773)],
            ..Container::default()
        }
    }

    const REGISTRY: &str = "/home/dev/.iris-devtester";

    #[test]
    fn a_running_stack_the_registry_lost_is_recovered_from_its_labels() {
        let mut registry = registry();
        let asked_at = Timestamp::parse("2026-01-31T00:00:00+00:00").unwrap();
        let mut stopped = iris_container("old", "/stopped", 1990, 52791, "127.0.0.1");
        stopped.state = "exited".into();
        let listing = Listing {
            asked_at: asked_at.clone(),
            containers: vec![
                iris_container("billing-iris-1", "/billing", 1977, 52790, "0.0.0.0"),
                // Its entry is there: nothing to recover, whatever the port.
                iris_container("shop-iris-1", "/shop", 1980, 52800, "127.0.0.1"),
                // Another assignment holds the port: never taken back.
                iris_container("x-iris-1", "/elsewhere", 1973, 52801, "127.0.0.1"),
                stopped,
            ],
        };
        let recovered = recover(&mut registry, &listing, None, REGISTRY, &now());
        assert_eq!(recovered.len(), 1, "{recovered:?}");
        let (billing, container) = &recovered[0];
        assert_eq!(container, "billing-iris-1");
        assert_eq!(registry.find("/billing"), Some(billing));
        assert_eq!(
            (billing.port, billing.effective_web_port(), billing.status),
            (1977, Some(52790), Status::Active)
        );
        assert_eq!(billing.compose_project.as_deref(), Some("billing"));
        assert_eq!(billing.compose_service.as_deref(), Some("iris"));
        assert_eq!(billing.bind.as_deref(), Some("0.0.0.0"));
        assert_eq!(billing.started_at, Some(asked_at));
        assert_eq!(registry.find("/shop").unwrap().port, 1972);
        assert_eq!(registry.find("/elsewhere"), None);
        assert_eq!(registry.find("/stopped"), None);
        // The entries iris-dev published count, not a base file's `- "1972"`
        // beside them; a web port another assignment holds keeps it unrecovered.
        let mut beside = iris_container("beside-iris-1", "/beside", 1985, 52786, "127.0.0.1");
        let ephemeral = |host_port, container_port| crate::core::engine::PublishedPort {
            host_ip: "0.0.0.0".into(),
            host_port,
            container_port,
        };
        beside.ports.insert(0, ephemeral(32768, 1972));
        beside.ports.insert(1, ephemeral(32769, 52773));
        let web_held = iris_container("held-iris-1", "/held", 1986, 52773, "127.0.0.1");
        let listing2 = Listing {
            asked_at: now(),
            containers: vec![beside, web_held],
        };
        let recovered = recover(&mut registry, &listing2, None, REGISTRY, &now());
        assert_eq!(recovered.len(), 1, "{recovered:?}");
        let beside = &recovered[0].0;
        assert_eq!(
            (beside.bind.as_deref(), beside.effective_web_port()),
            (None, Some(52786))
        );
        assert_eq!(registry.find("/held"), None, "/shop holds 52773");

        // Another registry's stacks (another user's, on a shared engine) are not
        // this one's.
        let mut empty = Registry::empty();
        assert!(
            recover(
                &mut empty,
                &listing,
                None,
                "/home/other/.iris-devtester",
                &now()
            )
            .is_empty()
        );
        // Once back, a second pass changes nothing; another engine's stacks
        // are not this engine's.
        assert!(recover(&mut registry, &listing, None, REGISTRY, &now()).is_empty());
        let mut other = Registry::empty();
        let recovered = recover(&mut other, &listing, Some("ssh://far"), REGISTRY, &now());
        assert_eq!(recovered[0].0.engine.as_deref(), Some("ssh://far"));
    }

    #[test]
    fn the_registry_and_a_running_container_disagree() {
        use crate::core::stale::disagreement;
        let registry = registry();
        let containers = [iris_container(
            "shop-iris-1",
            "/shop",
            1977,
            52778,
            "127.0.0.1",
        )];
        let shop = registry.find("/shop");
        let found = disagreement("/shop", shop, &containers).unwrap();
        assert!(found.message.contains("gives `/shop` port 1972"), "{found}");
        assert!(found.message.contains("runs on port 1977"), "{found}");
        assert!(
            found
                .fix
                .contains("`iris-dev up -C /shop` starts it again on port 1972"),
            "{found}"
        );
        let lost = disagreement("/shop", None, &containers).unwrap();
        assert!(lost.message.contains("no entry for `/shop`"), "{lost}");
        assert_eq!(
            disagreement("/kept", registry.find("/kept"), &containers),
            None
        );
        let agreeing = [iris_container(
            "shop-iris-1",
            "/shop",
            1972,
            52773,
            "127.0.0.1",
        )];
        assert_eq!(disagreement("/shop", shop, &agreeing), None);
    }

    #[test]
    fn an_eviction_is_recorded_once_per_project_and_taken_once() {
        let mut registry = registry();
        let mut gone = registry.remove("/gone").unwrap();
        gone.status = Status::Released;
        let written = record_evictions(
            &mut registry,
            std::slice::from_ref(&gone),
            "/new",
            Some("1972-1973"),
            &now(),
        );
        assert_eq!(registry.evictions, written);
        let record = &registry.evictions[0];
        assert_eq!(record.project_path, "/gone");
        assert_eq!((record.port, record.web_port), (1973, Some(52_774)));
        assert_eq!(record.taken_by, "/new");
        assert_eq!(record.at, now());
        assert_eq!(record.range.as_deref(), Some("1972-1973"));
        // A later eviction of the same project replaces its record.
        record_evictions(&mut registry, &[gone], "/pinner", None, &now());
        assert_eq!(registry.evictions.len(), 1);
        assert_eq!(registry.evictions[0].taken_by, "/pinner");
        assert_eq!(registry.evictions[0].range, None);

        assert_eq!(take_eviction(&mut registry, "/shop"), None);
        let taken = take_eviction(&mut registry, "/gone").unwrap();
        assert_eq!(taken.taken_by, "/pinner");
        assert!(registry.evictions.is_empty());
        assert_eq!(take_eviction(&mut registry, "/gone"), None, "taken once");
    }

    #[test]
    fn restore_undoes_the_records_of_a_failed_up() {
        let mut registry = registry();
        let shop = registry.remove("/shop").unwrap();
        let kept = registry.find("/kept").cloned().unwrap();
        // Earlier, `/old` took `/shop`'s ports and another project `/kept`'s.
        record_evictions(&mut registry, &[shop, kept], "/old", None, &now());
        // Now `/shop`'s `up` is told (its record taken) and takes `/gone`'s ports.
        let moved = take_eviction(&mut registry, "/shop").unwrap();
        let gone = registry.remove("/gone").unwrap();
        record_evictions(
            &mut registry,
            std::slice::from_ref(&gone),
            "/shop",
            None,
            &now(),
        );
        // It fails: `/gone` gets its ports back and `/shop` its record.
        restore(
            &mut registry,
            "/shop",
            None,
            std::slice::from_ref(&gone),
            Some(&moved),
        );
        assert_eq!(registry.find("/gone"), Some(&gone));
        assert!(registry.find("/shop").is_none());
        let left: Vec<_> = registry
            .evictions
            .iter()
            .map(|eviction| (eviction.project_path.as_str(), eviction.taken_by.as_str()))
            .collect();
        assert_eq!(left, [("/kept", "/old"), ("/shop", "/old")]);
    }

    #[test]
    fn prune_drops_the_records_of_missing_directories() {
        let mut registry = registry();
        let gone = registry.remove("/gone").unwrap();
        record_evictions(&mut registry, &[gone], "/shop", None, &now());
        prune_missing(&mut registry, |path| path != "/gone");
        assert!(registry.evictions.is_empty());
    }
}
