//! `iris-dev ports list|inspect|clear|reset`: the registry itself.

use std::path::Path;

use crate::cli::{ClearArgs, InspectArgs, ListArgs, PruneArgs};
use crate::commands::Context;
use crate::error::Error;
use crate::project::{Project, compose_project_name};
use crate::registry::Assignment;
use crate::stale;
use crate::table;

pub fn list(args: ListArgs, context: &Context<'_>) -> Result<(), Error> {
    let ListArgs { json } = args;
    let registry = context.with_store(|store| Ok(store.read()?))?;
    if json {
        return context.printer.data(to_json(&registry.assignments));
    }
    if registry.assignments.is_empty() {
        context
            .printer
            .info("no ports are assigned yet; `iris-dev port` assigns one");
        return Ok(());
    }
    let rows: Vec<_> = registry
        .assignments
        .iter()
        .map(|assignment| {
            [
                assignment.project_path.clone(),
                assignment.port.to_string(),
                web_port(assignment),
                assignment.status.to_string(),
                assignment.assignment_type.to_string(),
                assignment.assigned_at.to_string(),
            ]
        })
        .collect();
    context.printer.data(table::render(
        ["PROJECT", "PORT", "WEB", "STATUS", "TYPE", "ASSIGNED"],
        &rows,
    ))
}

pub fn inspect(args: InspectArgs, context: &Context<'_>) -> Result<(), Error> {
    let InspectArgs { project, json } = args;
    let project = match project {
        Some(path) => Project::from_argument(&path, context.directory())?,
        None => context.project()?,
    };
    let registry = context.with_store(|store| Ok(store.read()?))?;
    let assignment = registry
        .find(project.key())
        .ok_or_else(|| Error::NotAssigned {
            projects: vec![project.key().to_owned()],
        })?;
    if json {
        return context.printer.data(to_json(assignment));
    }
    let rows = [
        ["project", &assignment.project_path],
        ["port", &assignment.port.to_string()],
        ["web port", &web_port(assignment)],
        ["status", &assignment.status.to_string()],
        ["type", &assignment.assignment_type.to_string()],
        ["assigned", assignment.assigned_at.as_str()],
        [
            "compose project",
            &compose_project_name(&assignment.project_path),
        ],
        [
            "container",
            assignment.container_name.as_deref().unwrap_or("-"),
        ],
    ]
    .map(|row| row.map(str::to_owned));
    let text = table::render(["", ""], &rows);
    context
        .printer
        .data(text.split_once('\n').map_or("", |(_, body)| body))
}

pub fn clear(args: ClearArgs, context: &Context<'_>) -> Result<(), Error> {
    let ClearArgs { projects, all } = args;
    let keys: Vec<String> = if projects.is_empty() {
        vec![context.project()?.key().to_owned()]
    } else {
        projects
            .iter()
            .map(|path| {
                Ok(Project::from_argument(path, context.directory())?
                    .key()
                    .to_owned())
            })
            .collect::<Result<_, Error>>()?
    };
    let cleared = context.with_store(|store| {
        store.update(|registry| {
            if all {
                return Ok(std::mem::take(&mut registry.assignments));
            }
            let missing: Vec<String> = keys
                .iter()
                .filter(|key| registry.find(key).is_none())
                .cloned()
                .collect();
            if !missing.is_empty() {
                return Err(Error::NotAssigned { projects: missing });
            }
            Ok(keys.iter().filter_map(|key| registry.remove(key)).collect())
        })
    })?;
    if cleared.is_empty() {
        context
            .printer
            .status("cleared", "nothing: the registry was already empty");
    }
    for assignment in cleared {
        context.printer.status(
            "cleared",
            format_args!("`{}` (port {})", assignment.project_path, assignment.port),
        );
    }
    Ok(())
}

pub fn prune(args: PruneArgs, context: &Context<'_>) -> Result<(), Error> {
    let PruneArgs { dry_run } = args;
    let endpoint = context.endpoint();
    let engine = endpoint.registry_key();
    let registry = context.with_store(|store| Ok(store.read()?))?;
    let mut changes = 0;

    match context.engine_containers(&endpoint) {
        Ok(containers) => {
            let stale: Vec<Assignment> = if dry_run {
                stale::stale_projects(&registry, &containers, engine)
                    .iter()
                    .filter_map(|project| registry.find(project).cloned())
                    .collect()
            } else {
                context.mark_stale(&containers, engine)?
            };
            let verb = if dry_run { "would mark" } else { "marked" };
            for assignment in &stale {
                context.printer.status(
                    verb,
                    format_args!(
                        "`{}` stale: its containers are gone (port {})",
                        assignment.project_path, assignment.port
                    ),
                );
            }
            changes += stale.len();
        }
        Err(err) => context
            .printer
            .warn(format_args!("{err}; nothing is marked stale")),
    }

    let missing: Vec<String> = registry
        .assignments
        .iter()
        .filter(|assignment| !Path::new(&assignment.project_path).exists())
        .map(|assignment| assignment.project_path.clone())
        .collect();
    let removed = if dry_run || missing.is_empty() {
        missing
            .iter()
            .filter_map(|project| registry.find(project).cloned())
            .collect()
    } else {
        context.with_store(|store| {
            store.update(|registry| {
                Ok::<_, Error>(
                    missing
                        .iter()
                        .filter(|project| !Path::new(project).exists())
                        .filter_map(|project| registry.remove(project))
                        .collect::<Vec<_>>(),
                )
            })
        })?
    };
    let verb = if dry_run { "would remove" } else { "removed" };
    for assignment in &removed {
        context.printer.status(
            verb,
            format_args!(
                "`{}`: the directory no longer exists (port {})",
                assignment.project_path, assignment.port
            ),
        );
    }
    changes += removed.len();
    if changes == 0 {
        context.printer.info("nothing to prune");
    }
    Ok(())
}

pub fn reset(context: &Context<'_>) -> Result<(), Error> {
    let now = context.now();
    let (registry, aside) =
        context.with_store(|store| Ok((store.registry_path(), store.reset(&now)?)))?;
    if let Some(aside) = aside {
        context.printer.status(
            "moved",
            format_args!("the old registry to `{}`", aside.display()),
        );
    }
    context.printer.status(
        "reset",
        format_args!("`{}` is an empty registry", registry.display()),
    );
    Ok(())
}

fn web_port(assignment: &Assignment) -> String {
    assignment
        .effective_web_port()
        .map_or_else(|| "-".to_owned(), |port| port.to_string())
}

fn to_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).expect("assignments serialise to JSON")
}
