//! What `iris-dev status` reports, as one serializable value rendered either as
//! JSON (`--json`) or as the key-value text people read.
//!
//! Pure: the command gathers the assignment and the containers; this module only
//! shapes and renders them.

use serde::Serialize;

use crate::core::connection::{Login, portal_url, stack_port_variable};
use crate::core::engine::Container;
use crate::core::registry::Assignment;
use crate::core::table;

#[derive(Debug, Serialize)]
pub struct StatusReport {
    pub project: String,
    pub compose_project: String,
    /// The engine asked, and why it was the one (`DOCKER_HOST`, a context,
    /// Docker's or Podman's socket).
    pub engine: Option<EngineStatus>,
    pub assignment: Option<Assignment>,
    /// `None` when the engine could not be asked (see `engine_error`).
    pub containers: Option<Vec<ContainerStatus>>,
    pub engine_error: Option<String>,
    pub superserver: Option<String>,
    pub portal: Option<String>,
    /// Where a client on this machine dials the ports.
    #[serde(skip)]
    pub host: String,
    /// `IRIS_NAMESPACE` and `IRIS_USERNAME` from the IRIS service's environment;
    /// the password is never part of the report.
    pub namespace: Option<String>,
    pub username: Option<String>,
    /// Where the registry, the running containers and plain compose disagree,
    /// each with its fix (also printed to standard error).
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct EngineStatus {
    pub url: String,
    pub chosen: String,
}

#[derive(Debug, Serialize)]
pub struct ContainerStatus {
    pub name: String,
    pub state: String,
    /// `healthy`, `starting`, `unhealthy`, `none`, or empty when unknown.
    pub health: String,
    pub ports: Vec<PortStatus>,
}

#[derive(Debug, Serialize)]
pub struct PortStatus {
    pub host_ip: String,
    pub host_port: u16,
    pub container_port: u16,
}

impl StatusReport {
    pub fn new(
        project: &str,
        compose_project: &str,
        assignment: Option<Assignment>,
        containers: Result<Vec<(Container, String)>, String>,
        host: &str,
    ) -> Self {
        let (containers, engine_error) = match containers {
            Ok(containers) => (
                Some(
                    containers
                        .into_iter()
                        .map(|(container, health)| ContainerStatus {
                            ports: container
                                .ports
                                .iter()
                                .map(|port| PortStatus {
                                    host_ip: port.host_ip.clone(),
                                    host_port: port.host_port,
                                    container_port: port.container_port,
                                })
                                .collect(),
                            name: container.name,
                            state: container.state,
                            health,
                        })
                        .collect(),
                ),
                None,
            ),
            Err(error) => (None, Some(error)),
        };
        let superserver = assignment
            .as_ref()
            .map(|assignment| format!("{host}:{}", assignment.port));
        let portal = assignment.as_ref().map(|assignment| {
            portal_url(host, assignment.effective_web_port().unwrap_or_default())
        });
        Self {
            project: project.to_owned(),
            compose_project: compose_project.to_owned(),
            engine: None,
            assignment,
            containers,
            engine_error,
            superserver,
            portal,
            host: host.to_owned(),
            namespace: None,
            username: None,
            warnings: Vec::new(),
        }
    }

    /// Adds the engine asked and why it was chosen.
    #[must_use]
    pub fn with_engine(mut self, endpoint: &crate::core::engine::Endpoint) -> Self {
        self.engine = Some(EngineStatus {
            url: endpoint.url.clone(),
            chosen: endpoint.origin.to_string(),
        });
        self
    }

    /// Adds the namespace and user (not the password) the service sets.
    #[must_use]
    pub fn with_login(mut self, login: &Login) -> Self {
        self.namespace.clone_from(&login.namespace);
        self.username.clone_from(&login.username);
        self
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the report serialises")
    }

    pub fn to_text(&self) -> String {
        let mut rows = vec![
            ["project".to_owned(), self.project.clone()],
            ["compose project".to_owned(), self.compose_project.clone()],
        ];
        if let Some(engine) = &self.engine {
            rows.push([
                "engine".to_owned(),
                format!("{} ({})", engine.url, engine.chosen),
            ]);
        }
        rows.push([
            "ports".to_owned(),
            match &self.assignment {
                Some(assignment) => format!(
                    "{} (web {}), {} {}",
                    assignment.port,
                    assignment.effective_web_port().unwrap_or_default(),
                    assignment.status,
                    assignment.assignment_type
                ),
                None => "none assigned; `iris-dev up` assigns them".to_owned(),
            },
        ]);
        if let (Some(superserver), Some(portal)) = (&self.superserver, &self.portal) {
            rows.push(["superserver".to_owned(), superserver.clone()]);
            rows.push(["portal".to_owned(), portal.clone()]);
        }
        for (key, port) in self
            .assignment
            .iter()
            .flat_map(|assignment| &assignment.stack_ports)
        {
            rows.push([
                format!("stack port {key}"),
                format!("{}:{port} ({})", self.host, stack_port_variable(key)),
            ]);
        }
        if let Some(namespace) = &self.namespace {
            rows.push(["namespace".to_owned(), namespace.clone()]);
        }
        if let Some(username) = &self.username {
            rows.push(["user".to_owned(), username.clone()]);
        }
        match (&self.containers, &self.engine_error) {
            (Some(containers), _) if containers.is_empty() => {
                rows.push(["containers".to_owned(), "none".to_owned()]);
            }
            (Some(containers), _) => {
                for container in containers {
                    let ports = container
                        .ports
                        .iter()
                        .map(|port| {
                            format!(
                                "{}:{}->{}",
                                port.host_ip, port.host_port, port.container_port
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    let state = match container.health.as_str() {
                        "" | "none" => container.state.clone(),
                        _ if container.state != "running" => container.state.clone(),
                        health => format!("{}, {health}", container.state),
                    };
                    rows.push([
                        format!("container {}", container.name),
                        format!("{state}  {ports}"),
                    ]);
                }
            }
            (None, error) => rows.push([
                "containers".to_owned(),
                format!("unknown: {}", error.as_deref().unwrap_or_default()),
            ]),
        }
        table::key_values(&rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::engine::PublishedPort;
    use crate::core::registry::Registry;

    fn assignment() -> Assignment {
        Registry::parse(
            br#"{"schema_version": "1.0", "assignments": [{"project_path": "/shop", "port": 1973, "assigned_at": "2026-01-01T00:00:00+00:00", "assignment_type": "auto", "status": "active", "container_name": null, "web_port": 52774, "compose_project": "shop"}]}"#,
        )
        .unwrap()
        .assignments
        .remove(0)
    }

    #[test]
    fn text_and_json_say_the_same() {
        let container = Container {
            name: "shop-iris-1".into(),
            state: "running".into(),
            ports: vec![PublishedPort {
                host_ip: "127.0.0.1".into(),
                host_port: 1973,
                container_port: 1972,
            }],
            ..Container::default()
        };
        let report = StatusReport::new(
            "/shop",
            "shop",
            Some(assignment()),
            Ok(vec![(container, "healthy".into())]),
            "127.0.0.1",
        )
        .with_login(&Login {
            namespace: Some("APP".into()),
            username: Some("dev".into()),
            password: Some("s3cret".into()),
        });
        insta::assert_snapshot!(report.to_text(), @r"
        project                /shop
        compose project        shop
        ports                  1973 (web 52774), active auto
        superserver            127.0.0.1:1973
        portal                 http://127.0.0.1:52774/csp/sys/UtilHome.csp
        namespace              APP
        user                   dev
        container shop-iris-1  running, healthy  127.0.0.1:1973->1972
        ");
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(json["containers"][0]["ports"][0]["host_port"], 1973);
        assert_eq!(json["assignment"]["compose_project"], "shop");
        assert_eq!(json["engine_error"], serde_json::Value::Null);
        assert_eq!(json["namespace"], "APP");
        assert_eq!(json["username"], "dev");
        assert!(!report.to_json().contains("s3cret"));

        let exited = Container {
            name: "shop-iris-init-1".into(),
            state: "exited".into(),
            ..Container::default()
        };
        let report = StatusReport::new(
            "/shop",
            "shop",
            None,
            Ok(vec![(exited, "unhealthy".into())]),
            "127.0.0.1",
        );
        assert!(
            report
                .to_text()
                .ends_with("container shop-iris-init-1  exited"),
            "an exited one-shot is not called unhealthy: {}",
            report.to_text()
        );

        let down = StatusReport::new("/shop", "shop", None, Err("no engine".into()), "127.0.0.1");
        assert!(
            down.to_text()
                .contains("containers       unknown: no engine")
        );
        assert!(down.to_text().contains("none assigned"));
        let json: serde_json::Value = serde_json::from_str(&down.to_json()).unwrap();
        assert_eq!(json["containers"], serde_json::Value::Null);
        assert_eq!(json["engine_error"], "no engine");
    }
}
