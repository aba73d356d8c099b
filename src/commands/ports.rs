//! `iris-dev ports list|inspect|clear|reset`: the registry itself.

use std::path::Path;

use crate::cli::error::Error;
use crate::cli::{ClearArgs, InspectArgs, ListArgs, PruneArgs};
use crate::core::engine::{Engine, Listing, live_state};
use crate::core::project::Project;
use crate::core::registry::{Assignment, Registry, transition};
use crate::core::table;
use crate::edges::docker::DockerEngine;
use crate::workflows::context::Context;
use crate::workflows::project_stack::{Volumes, remove_leftovers};

pub fn list(args: ListArgs, context: &Context<'_>) -> Result<(), Error> {
    let ListArgs { json } = args;
    let endpoint = context.endpoint();
    let listed = DockerEngine::connect(&endpoint)
        .and_then(|engine| Listing::of(&engine, context.now()).map(|listing| (engine, listing)));
    if let Ok((_, listing)) = &listed {
        crate::workflows::assign::recover_running(context, &endpoint, listing)?;
    }
    let registry = context.store().read()?;
    if registry.assignments.is_empty() && !json {
        context
            .printer
            .info("no ports are assigned yet; `iris-dev port` assigns one");
        return Ok(());
    }
    let states = live_states(&registry.assignments, listed, context);
    if json {
        let assignments: Vec<serde_json::Value> = registry
            .assignments
            .iter()
            .zip(&states)
            .map(|(assignment, state)| {
                let mut value = serde_json::to_value(assignment).expect("assignments serialise");
                if let Some(object) = value.as_object_mut() {
                    object.insert("state".to_owned(), (*state).into());
                }
                value
            })
            .collect();
        return context.printer.data(to_json(&assignments));
    }
    let row = |assignment: &Assignment, state: &str| {
        [
            assignment.project_path.clone(),
            assignment.port.to_string(),
            web_port(assignment),
            assignment.status.to_string(),
            state.to_owned(),
            assignment.assignment_type.to_string(),
            assignment.assigned_at.to_string(),
        ]
    };
    let assignments = registry.assignments.iter().zip(&states);
    let text = if engines_differ(&registry.assignments) {
        let rows: Vec<_> = assignments
            .map(|(assignment, state)| {
                let [project, port, web, status, state, kind, assigned] = row(assignment, state);
                [
                    project,
                    engine_name(assignment).to_owned(),
                    port,
                    web,
                    status,
                    state,
                    kind,
                    assigned,
                ]
            })
            .collect();
        table::render(
            [
                "PROJECT", "ENGINE", "PORT", "WEB", "STATUS", "STATE", "TYPE", "ASSIGNED",
            ],
            &rows,
        )
    } else {
        let rows: Vec<_> = assignments
            .map(|(assignment, state)| row(assignment, state))
            .collect();
        table::render(
            [
                "PROJECT", "PORT", "WEB", "STATUS", "STATE", "TYPE", "ASSIGNED",
            ],
            &rows,
        )
    };
    context.printer.data(text)
}

/// The ENGINE column's value: the endpoint an assignment's ports belong to,
/// `local` for this host's engines.
fn engine_name(assignment: &Assignment) -> &str {
    assignment.engine.as_deref().unwrap_or("local")
}

/// Whether `ports list` needs an ENGINE column: only when the registry holds
/// assignments of more than one engine, so the common table stays narrow.
fn engines_differ(assignments: &[Assignment]) -> bool {
    assignments
        .split_first()
        .is_some_and(|(first, rest)| rest.iter().any(|other| other.engine != first.engine))
}

/// Each assignment's live state on the engine, from one container listing
/// (and a health look-up per running IRIS container); `unknown` for all when
/// the engine does not answer, and for assignments on another engine.
/// Each assignment's live state, from the engine's listing (or why there is none).
fn live_states(
    assignments: &[Assignment],
    listed: Result<(DockerEngine, Listing), crate::core::engine::EngineError>,
    context: &Context<'_>,
) -> Vec<&'static str> {
    if assignments.is_empty() {
        return Vec::new();
    }
    let endpoint = context.endpoint();
    let key = endpoint.registry_key();
    let (engine, containers) = match listed {
        Ok((engine, listing)) => (engine, listing.containers),
        Err(err) => {
            context
                .printer
                .warn(format_args!("{err}; the STATE of every project is unknown"));
            return vec!["unknown"; assignments.len()];
        }
    };
    assignments
        .iter()
        .map(|assignment| {
            if assignment.engine.as_deref() != key {
                return "unknown";
            }
            live_state(
                &containers,
                &assignment.project_path,
                assignment.compose_project.as_deref(),
                assignment.compose_service.as_deref(),
                |id| engine.health(id).ok(),
            )
        })
        .collect()
}

pub fn inspect(args: InspectArgs, context: &Context<'_>) -> Result<(), Error> {
    let InspectArgs { project, json } = args;
    let project = match project {
        Some(path) => Project::from_argument(&path, context.directory())?,
        None => context.project()?,
    };
    let registry = context.store().read()?;
    let assignment = Context::assignment_of(&registry, &project)?;
    let stack = context.stack(&project)?;
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
        ["compose project", stack.compose_project()],
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
    let cleared = context.store().update(|registry| {
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

/// What `ports prune` changes: computed and applied in one update (or on a copy
/// with `--dry-run`), then printed.
struct Pruned {
    stale: Vec<Assignment>,
    removed: Vec<Assignment>,
}

pub fn prune(args: PruneArgs, context: &Context<'_>) -> Result<(), Error> {
    let PruneArgs { dry_run } = args;
    let endpoint = context.endpoint();
    let engine = endpoint.registry_key();
    let listing =
        DockerEngine::connect(&endpoint).and_then(|engine| Listing::of(&engine, context.now()));
    if let Err(err) = &listing {
        context
            .printer
            .warn(format_args!("{err}; nothing is marked stale"));
    }
    let now = context.now();
    let plan = |registry: &mut Registry| Pruned {
        stale: listing
            .as_ref()
            .map(|listing| transition::mark_stale(registry, listing, engine, &now))
            .unwrap_or_default(),
        removed: transition::prune_missing(registry, |path| Path::new(path).exists()),
    };
    let pruned = if dry_run {
        plan(&mut context.store().read()?)
    } else {
        context
            .store()
            .update(|registry| Ok::<_, Error>(plan(registry)))?
    };

    let (mark, remove) = if dry_run {
        ("would mark", "would remove")
    } else {
        ("marked", "removed")
    };
    for assignment in &pruned.stale {
        context.printer.status(
            mark,
            format_args!(
                "`{}` stale: its containers are gone (port {})",
                assignment.project_path, assignment.port
            ),
        );
    }
    for assignment in &pruned.removed {
        context.printer.status(
            remove,
            format_args!(
                "`{}`: the directory no longer exists (port {})",
                assignment.project_path, assignment.port
            ),
        );
    }
    // The networks compose left of every stale stack and every removed one
    // (nothing of a stack goes while one of its containers is left); the
    // volumes of a removed project are named, since nothing else will.
    if !dry_run && let Ok(client) = DockerEngine::connect(&endpoint) {
        let stale = context
            .store()
            .read()?
            .assignments
            .into_iter()
            .filter(|assignment| assignment.status == crate::core::registry::Status::Stale);
        let stacks = (stale.map(|stale| (stale, Volumes::Keep)))
            .chain(
                pruned
                    .removed
                    .iter()
                    .cloned()
                    .map(|gone| (gone, Volumes::KeepAndName)),
            )
            .filter(|(assignment, _)| assignment.engine.as_deref() == engine);
        for (assignment, volumes) in stacks {
            if let Some(name) = &assignment.compose_project {
                remove_leftovers(context, &client, name, volumes);
            }
        }
    }
    if pruned.stale.is_empty() && pruned.removed.is_empty() {
        context.printer.info("nothing to prune");
    }
    Ok(())
}

pub fn reset(context: &Context<'_>) -> Result<(), Error> {
    let now = context.now();
    let store = context.store();
    let aside = store.reset(&now)?;
    let registry = store.registry_path();
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
