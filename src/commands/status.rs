//! `iris-dev status`: the project's assignment, its containers and its URLs.

use serde_json::{Value, json};

use crate::cli::StatusArgs;
use crate::commands::{Context, load_stack};
use crate::connection::DEFAULT_HOST;
use crate::engine::{DockerEngine, Engine};
use crate::error::Error;
use crate::table;

pub fn run(args: StatusArgs, context: &Context<'_>) -> Result<(), Error> {
    let StatusArgs { json } = args;
    let project = context.project()?;
    let stack = load_stack(context, &project)?;
    let registry = context.with_store(|store| Ok(store.read()?))?;
    let assignment = registry.find(project.key()).cloned();
    let compose_project = assignment
        .as_ref()
        .and_then(|assignment| assignment.compose_project.clone())
        .unwrap_or_else(|| stack.name.clone());
    let endpoint = context.endpoint();

    let containers = DockerEngine::connect(&endpoint).and_then(|engine| {
        let containers = engine.containers()?;
        Ok(containers
            .into_iter()
            .filter(|container| container.belongs_to(project.key(), Some(&compose_project)))
            .map(|container| {
                let health = engine
                    .health(&container.id)
                    .map(|health| health.to_string())
                    .unwrap_or_default();
                (container, health)
            })
            .collect::<Vec<_>>())
    });
    let urls = assignment.as_ref().map(|assignment| {
        (
            format!("{DEFAULT_HOST}:{}", assignment.port),
            format!(
                "http://{DEFAULT_HOST}:{}/csp/sys/UtilHome.csp",
                assignment.effective_web_port().unwrap_or_default()
            ),
        )
    });

    if json {
        let engine_error = containers.as_ref().err().map(ToString::to_string);
        let containers = match &containers {
            Ok(containers) => Value::Array(
                containers
                    .iter()
                    .map(|(container, health)| {
                        json!({
                            "name": container.name,
                            "state": container.state,
                            "health": health,
                            "ports": container.ports.iter().map(|port| json!({
                                "host_ip": port.host_ip,
                                "host_port": port.host_port,
                                "container_port": port.container_port,
                            })).collect::<Vec<_>>(),
                        })
                    })
                    .collect(),
            ),
            Err(_) => Value::Null,
        };
        let status = json!({
            "project": project.key(),
            "compose_project": compose_project,
            "assignment": assignment,
            "containers": containers,
            "engine_error": engine_error,
            "superserver": urls.as_ref().map(|urls| &urls.0),
            "portal": urls.as_ref().map(|urls| &urls.1),
        });
        return context
            .printer
            .data(serde_json::to_string_pretty(&status).expect("JSON values serialise"));
    }

    let mut rows = vec![
        ["project".to_owned(), project.key().to_owned()],
        ["compose project".to_owned(), compose_project],
    ];
    match &assignment {
        Some(assignment) => {
            rows.push([
                "ports".to_owned(),
                format!(
                    "{} (web {}), {} {}",
                    assignment.port,
                    assignment.effective_web_port().unwrap_or_default(),
                    assignment.status,
                    assignment.assignment_type
                ),
            ]);
        }
        None => rows.push([
            "ports".to_owned(),
            "none assigned; `iris-dev up` assigns them".to_owned(),
        ]),
    }
    if let Some((superserver, portal)) = &urls {
        rows.push(["superserver".to_owned(), superserver.clone()]);
        rows.push(["portal".to_owned(), portal.clone()]);
    }
    match &containers {
        Ok(containers) if containers.is_empty() => {
            rows.push(["containers".to_owned(), "none".to_owned()])
        }
        Ok(containers) => {
            for (container, health) in containers {
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
                let state = match health.as_str() {
                    "" | "none" => container.state.clone(),
                    health => format!("{}, {health}", container.state),
                };
                rows.push([
                    format!("container {}", container.name),
                    format!("{state}  {ports}"),
                ]);
            }
        }
        Err(err) => rows.push(["containers".to_owned(), format!("unknown: {err}")]),
    }
    context.printer.data(table::key_values(&rows))
}
