//! `iris-dev status`: the project's assignment, its containers and its URLs.

use crate::cli::StatusArgs;
use crate::cli::error::Error;
use crate::core::connection::assignment_host;
use crate::core::engine::Engine;
use crate::core::engine::LOOPBACK;
use crate::core::status_report::StatusReport;
use crate::edges::docker::DockerEngine;
use crate::edges::state_dir::StateDir;
use crate::workflows::context::Context;
use crate::workflows::ready;

pub fn run(args: StatusArgs, context: &Context<'_>) -> Result<(), Error> {
    let StatusArgs { json } = args;
    let project = context.project()?;
    let registry = context.store().read()?;
    let assignment = registry.find(project.key()).cloned();
    let endpoint = context.endpoint();
    // One listing names the stack and shows its containers.
    let listed = DockerEngine::connect(&endpoint)
        .and_then(|engine| engine.containers().map(|containers| (engine, containers)));
    let all: &[crate::core::engine::Container] = listed.as_ref().map_or(&[], |(_, all)| all);
    let stack = context.stack_with(&project, &registry, all)?;
    let compose_project = stack.compose_project();

    let mut warnings = Vec::new();
    if stack.plain_compose_misses() {
        let (message, fix) = stack.plain_compose_warning("docker compose");
        warnings.push(format!("{message}; {fix}"));
    }
    let containers = listed.map(|(engine, containers)| {
        warnings.extend(
            crate::core::stale::disagreement(project.key(), assignment.as_ref(), &containers)
                .map(|disagreement| disagreement.to_string()),
        );
        containers
            .into_iter()
            .filter(|container| container.belongs_to(project.key(), Some(compose_project)))
            .map(|container| {
                // An exited container's health is the last check before it
                // stopped, or the image's check that never suited it (a
                // one-shot such as the template's `iris-init`): not news. A
                // running one's `starting` is checked here (Podman without
                // systemd timers never runs the check itself).
                let health = if container.state == "running" {
                    ready::health_now(&engine, &container.id)
                        .map(|health| health.to_string())
                        .unwrap_or_default()
                } else {
                    String::new()
                };
                (container, health)
            })
            .collect::<Vec<_>>()
    });
    let host = assignment.as_ref().map_or_else(
        || endpoint.client_host(context.settings.bind.unwrap_or(LOOPBACK)),
        |assignment| assignment_host(assignment, &endpoint),
    );
    let mut report = StatusReport::new(
        project.key(),
        compose_project,
        assignment.clone(),
        containers.map_err(|err| err.to_string()),
        &host,
    )
    .with_engine(&endpoint);
    if let Some(assignment) = &assignment {
        let mut state = StateDir::open(&project.root);
        report = report.with_login(&context.login(&stack, assignment, &mut state));
    }
    for warning in &warnings {
        context.printer.warn(warning);
    }
    report.warnings = warnings;
    if json {
        context.printer.data(report.to_json())
    } else {
        context.printer.data(report.to_text())
    }
}
