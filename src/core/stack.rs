//! A project's compose stack: its base files, compose project name and IRIS
//! service hint.
//!
//! Pure: [`Stack::resolve`] works on the base files' text, which
//! `Stack::load` ([`crate::edges::discover`]) reads. Writing the generated
//! files is [`crate::edges::state_dir`]'s job.

use std::path::PathBuf;

use clap::ValueEnum;
use serde::Deserialize;

use crate::core::compose::config::{ComposeConfig, ServiceError};
use crate::core::dotenv;
use crate::core::env_vars;
use crate::core::project::Project;
use crate::core::registry::Registry;
use crate::core::selection::NameOrigin;
use crate::core::shell::join;
use crate::core::state_paths;

/// Which host ports `up` gives per-project numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Isolate {
    /// IRIS's superserver and web ports
    Iris,
    /// Every fixed host port of every service
    All,
}

/// The built-in compose file for a project that has none.
pub const TEMPLATE: &str = include_str!("../../templates/compose.yaml");
/// A project's own override files, which compose merges over the base by itself
/// when run without `-f`; the first that exists is used.
pub const LOCAL_OVERRIDE_NAMES: [&str; 4] = [
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Stack {
    pub root: PathBuf,
    /// The `-f` files before the override.
    pub base_files: Vec<PathBuf>,
    /// Whether the base is the built-in template.
    pub template: bool,
    /// The compose project name passed with `-p`; see [`choose_name`].
    pub name: String,
    /// Why [`Stack::name`] is what it is.
    pub name_source: NameSource,
    /// The name plain `docker compose`, typed in [`Stack::root`], gives the
    /// project: `COMPOSE_PROJECT_NAME` from the environment or the root's `.env`
    /// (iris-dev's own line included), else the file's `name:`, else the
    /// directory's.
    pub plain_name: String,
    /// The `COMPOSE_PROJECT_NAME` on iris-dev's own line in the root's `.env`.
    pub managed_name: Option<String>,
    /// The name compose gives the project from its directory alone.
    pub directory_name: String,
    /// `--profile`, else `COMPOSE_PROFILES` (environment, then `.env`): passed to
    /// every compose command as `--profile`.
    pub profiles: Vec<String>,
    /// `--env-file`, passed to every compose command.
    pub env_file: Option<PathBuf>,
    /// The IRIS service named by `x-iris-dev: {service: ...}`.
    pub service_hint: Option<String>,
    /// `x-iris-dev: {isolate: all}`.
    pub isolate: Option<Isolate>,
}

/// Where a stack's compose project name comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameSource {
    /// The user's: `COMPOSE_PROJECT_NAME` (environment or `.env`) or the
    /// file's `name:`.
    Explicit(NameOrigin),
    /// The project's assignment records the stack `up` started under it.
    Recorded,
    /// The directory's name, as compose itself would name the project.
    Directory,
    /// `<directory>-<hash>`, because another registered project on the same
    /// engine records the directory's name.
    Unique {
        /// That other project's path.
        taken_by: String,
    },
}

/// The parts of a compose file iris-dev reads itself (v1's `config` drops both).
#[derive(Debug, Default, Deserialize)]
struct Header {
    name: Option<String>,
    #[serde(rename = "x-iris-dev")]
    iris_dev: Option<Extension>,
}

#[derive(Debug, Default, Deserialize)]
struct Extension {
    service: Option<String>,
    isolate: Option<Isolate>,
}

#[derive(Debug, thiserror::Error)]
pub enum StackError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("cannot read the compose file `{}`", file.display())]
    Parse { file: PathBuf, message: String },
    #[error(
        "the compose project name `{name}` ({origin}) is `{other}`'s; iris-dev will not run `{project}` under it"
    )]
    NameOwned {
        name: String,
        origin: NameOrigin,
        /// The project whose stack runs, or ran, under that name.
        other: String,
        project: String,
    },
    #[error(
        "`{project}` and `{other}` both run their stacks as compose project `{name}`; iris-dev will not act on it for `{project}`"
    )]
    NameShared {
        name: String,
        other: String,
        project: String,
    },
    #[error("cannot pick the IRIS service in `{}`", file.display())]
    Service {
        file: PathBuf,
        #[source]
        source: ServiceError,
    },
}

/// The compose project name for `project`, in this order:
/// 1. `explicit` (`COMPOSE_PROJECT_NAME`, then the file's `name:`), as compose;
///    refused when another project registered on the same `engine` records it,
///    since every compose command would then act on that project's containers
///    and volumes (a name left in the shell by another project, issue 16 §1);
/// 2. the name the project's assignment records, so a running stack is never
///    orphaned by a new rule or a renamed directory;
/// 3. the directory's name, normalized as compose does, so plain `docker
///    compose` in the project finds the stack;
/// 4. `<name>-<hash>` when another project registered on the same `engine`
///    records that name already (two checkouts both called `app`), or when the
///    directory's name has no character compose allows.
pub fn choose_name(
    explicit: Option<(&str, &NameOrigin)>,
    project: &Project,
    seen: &Seen<'_>,
) -> Result<(String, NameSource), StackError> {
    let normalized = crate::core::project::normalize_project_name;
    let owner = |name: &str| {
        let recorded = seen.registry.assignments.iter().find(|other| {
            other.project_path != project.key()
                && other.engine.as_deref() == seen.engine
                && other
                    .compose_project
                    .as_deref()
                    .is_some_and(|other| normalized(other) == normalized(name))
        });
        recorded
            .map(|other| other.project_path.clone())
            .or_else(|| {
                crate::core::stale::compose_project_owner(seen.containers, name, project.key())
                    .map(str::to_owned)
            })
    };
    if let Some((name, origin)) = explicit {
        if let Some(other) = owner(name) {
            return Err(StackError::NameOwned {
                name: name.to_owned(),
                origin: origin.clone(),
                other,
                project: project.key().to_owned(),
            });
        }
        return Ok((name.to_owned(), NameSource::Explicit(origin.clone())));
    }
    if let Some(recorded) = seen
        .registry
        .find(project.key())
        .and_then(|assignment| assignment.compose_project.as_deref())
    {
        // Two projects recording one name (a registry an older iris-dev
        // wrote after a leaked `COMPOSE_PROJECT_NAME`): the stack under it is
        // not this project's alone, so no command may act on it.
        if let Some(other) = owner(recorded) {
            return Err(StackError::NameShared {
                name: recorded.to_owned(),
                other,
                project: project.key().to_owned(),
            });
        }
        return Ok((recorded.to_owned(), NameSource::Recorded));
    }
    let directory = project.directory_name();
    let taken_by = owner(&directory);
    Ok(match taken_by {
        None if !directory.is_empty() => (directory, NameSource::Directory),
        _ => (
            project.compose_name(),
            NameSource::Unique {
                taken_by: taken_by.unwrap_or_default(),
            },
        ),
    })
}

/// What naming a stack takes into account besides the project: the registry,
/// the engine it is for, and that engine's containers (none when it was not
/// asked), so that a name in use by another project is never taken.
pub struct Seen<'a> {
    pub registry: &'a Registry,
    pub engine: Option<&'a str>,
    pub containers: &'a [crate::core::engine::Container],
}

/// How iris-dev's line in the root's `.env` must change ([`Stack::dotenv_change`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DotenvChange<'a> {
    /// Write `COMPOSE_PROJECT_NAME` with this name.
    Write(&'a str),
    /// Remove it: plain compose finds the stack without it.
    Remove,
}

/// What [`Stack::load`] reads for [`Stack::resolve`].
pub struct Sources<'a> {
    /// The project's compose files' texts, none for the template; a file that
    /// does not parse is an error naming it.
    pub base_texts: &'a [&'a str],
    /// The project's own override file (`compose.override.yaml` and the like),
    /// which compose reads by itself only when no `-f` is given, so iris-dev
    /// passes it on.
    pub local_override: Option<PathBuf>,
    /// The root's `.env`, when there is one: plain compose reads its
    /// `COMPOSE_PROJECT_NAME`.
    pub dotenv: Option<&'a str>,
}

impl Stack {
    /// The stack from what [`Stack::load`] read; see [`Sources`].
    pub fn resolve(
        project: &Project,
        sources: Sources<'_>,
        seen: &Seen<'_>,
    ) -> Result<Self, StackError> {
        let Sources {
            base_texts,
            local_override,
            dotenv,
        } = sources;
        let template = project.compose_files.is_empty() || base_texts.is_empty();
        let (base_files, texts): (Vec<PathBuf>, Vec<&str>) = if template {
            (
                vec![state_paths::template_file(&project.root)],
                vec![TEMPLATE],
            )
        } else {
            let files = project
                .compose_files
                .iter()
                .cloned()
                .chain(local_override)
                .collect();
            (files, base_texts.to_vec())
        };
        let mut file_name = None;
        let (mut service_hint, mut isolate) = (None, None);
        for (index, text) in texts.iter().enumerate() {
            let header: Header = serde_norway::from_str::<Option<Header>>(text)
                .map_err(|err| StackError::Parse {
                    file: base_files.get(index).cloned().unwrap_or_default(),
                    message: err.to_string(),
                })?
                .unwrap_or_default();
            if let Some(name) = header.name {
                file_name = Some((name, NameOrigin::File(base_files[index].clone())));
            }
            if let Some(extension) = header.iris_dev {
                service_hint = extension.service.or(service_hint);
                isolate = extension.isolate.or(isolate);
            }
        }
        let explicit = project.selection.project_name.clone().or(file_name.clone());
        let explicit = explicit
            .as_ref()
            .map(|(name, origin)| (name.as_str(), origin));
        let (name, name_source) = choose_name(explicit, project, seen)?;
        let from_environment = match &project.selection.project_name {
            Some((name, NameOrigin::Environment)) => Some(name.clone()),
            _ => None,
        };
        let plain_name = from_environment
            .or_else(|| dotenv.and_then(dotenv::compose_project_name))
            .or(file_name.map(|(name, _)| name))
            .unwrap_or_else(|| project.directory_name());
        Ok(Self {
            root: project.root.clone(),
            base_files,
            template,
            name,
            name_source,
            plain_name,
            managed_name: dotenv.and_then(dotenv::managed_name),
            directory_name: project.directory_name(),
            profiles: project.selection.profiles.clone(),
            env_file: project.env_file.clone(),
            service_hint,
            isolate,
        })
    }

    pub fn override_file(&self) -> PathBuf {
        state_paths::override_file(&self.root)
    }

    /// The IRIS service in the stack's merged config: `requested` (`--service`,
    /// or the one `up` recorded), else `x-iris-dev: {service: ...}`, else the one
    /// [`ComposeConfig::iris_service`] recognises.
    pub fn iris_service<'c>(
        &self,
        config: &'c ComposeConfig,
        requested: Option<&str>,
    ) -> Result<&'c str, StackError> {
        config
            .iris_service(requested.or(self.service_hint.as_deref()))
            .map_err(|source| StackError::Service {
                file: self.base_files[0].clone(),
                source,
            })
    }

    /// The compose project name of this stack, as [`choose_name`] decided it
    /// when the stack was loaded: an explicit name (`COMPOSE_PROJECT_NAME`,
    /// `.env`, the file's `name:`), else the one `up` recorded, else compose's
    /// own from the directory. `up`, `down`, `status`, `env`, `compose` and
    /// `ports inspect` all ask this, and only this.
    pub fn compose_project(&self) -> &str {
        &self.name
    }

    /// What iris-dev's line in the root's `.env` must become for plain `docker
    /// compose` in the project to find this stack; `None` when the file is right
    /// as it is, or not iris-dev's to touch (the template has no compose file
    /// there, and a name from the environment wins over the file anyway).
    pub fn dotenv_change(&self) -> Option<DotenvChange<'_>> {
        let wanted = match &self.name_source {
            _ if self.template => return None,
            NameSource::Explicit(NameOrigin::Environment) => return None,
            NameSource::Recorded | NameSource::Unique { .. }
                if self.name != self.directory_name =>
            {
                Some(self.name.as_str())
            }
            _ => None,
        };
        if wanted == self.managed_name.as_deref() {
            return None;
        }
        Some(wanted.map_or(DotenvChange::Remove, DotenvChange::Write))
    }

    /// Whether plain `docker compose` in the project would act on another
    /// compose project than this stack's (see [`Stack::plain_name`]); never for
    /// the template, which has no compose file for plain compose to find.
    pub fn plain_compose_misses(&self) -> bool {
        !self.template && self.plain_name != self.name
    }

    /// What `status` and `doctor` say while [`Stack::plain_compose_misses`]:
    /// the problem, and the commands that fix it, ready to paste. `plain` is
    /// the compose the user types (`docker compose`, `docker-compose`).
    pub fn plain_compose_warning(&self, plain: &str) -> (String, String) {
        let root = self.root.display().to_string();
        let line = format!(
            "{}={}",
            crate::core::env_vars::COMPOSE_PROJECT_NAME,
            self.name
        );
        let dotenv = self.root.join(".env").display().to_string();
        (
            format!(
                "plain `{plain}` in `{root}` acts on compose project `{}`, not on this stack's `{}`",
                self.plain_name, self.name
            ),
            format!(
                "`{}` puts `{line}` in `{dotenv}` (or add it yourself: `printf '%s\\n' {} >> {}`)",
                crate::core::shell::join(["iris-dev", "up", "-C", &root]),
                crate::core::shell::quote(&line),
                crate::core::shell::quote(&dotenv),
            ),
        )
    }

    /// Base files and the override, in `-f` order.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut files = self.base_files.clone();
        files.push(self.override_file());
        files
    }
}

impl StackError {
    /// What to change, as the user would type it. `exists` says whether a
    /// project directory is still there (a name another project owns is
    /// shown with `status`, or forgotten when its directory is gone).
    pub fn hints(&self, exists: &dyn Fn(&str) -> bool) -> Vec<String> {
        let variable = env_vars::COMPOSE_PROJECT_NAME;
        match self {
            Self::NameOwned {
                name,
                origin,
                other,
                ..
            } => {
                let first = match origin {
                    NameOrigin::Environment => format!(
                        "the shell may have kept it from another project (an older iris-dev's \
                         `eval \"$(iris-dev env)\"` exported it): `unset {variable}`, then run the \
                         command again"
                    ),
                    NameOrigin::DotEnv(file) => format!(
                        "remove the `{variable}` line from `{}`, or give this project a name of \
                         its own there",
                        file.display()
                    ),
                    NameOrigin::File(file) => format!(
                        "give this project a name of its own in `{}` (`name: ...`), or remove \
                         the `name:` line",
                        file.display()
                    ),
                };
                vec![first, other_project_hint(other, name, exists(other))]
            }
            Self::NameShared {
                name,
                other,
                project,
            } => vec![
                format!(
                    "the registry records `{name}` for both (an older iris-dev did so when \
                     `{variable}` was left in a shell); `{}` forgets it for this project, whose \
                     next `iris-dev up` starts its own stack",
                    join(["iris-dev", "ports", "clear", project])
                ),
                other_project_hint(other, name, exists(other)),
            ],
            Self::Service { source, .. } => source.hints(),
            Self::Io(_) | Self::Parse { .. } => Vec::new(),
        }
    }
}

/// What a refusal to run under another project's compose name says last: that
/// nothing happened, and how to see (or, when its directory is gone, forget)
/// the other project.
fn other_project_hint(other: &str, name: &str, exists: bool) -> String {
    if exists {
        format!(
            "nothing was started or changed; `{}` shows the stack that name belongs to",
            join(["iris-dev", "status", "-C", other])
        )
    } else {
        format!(
            "nothing was started or changed; `{other}` no longer exists: `{}` forgets its entry, \
             `{}` removes what it left",
            join(["iris-dev", "ports", "clear", other]),
            join(["docker", "compose", "-p", name, "down"])
        )
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::core::compose::config::ComposeConfig;
    use crate::core::selection::Selection;

    fn project(compose: bool) -> Project {
        Project {
            root: PathBuf::from("/home/dev/shop"),
            compose_files: if compose {
                vec![PathBuf::from("/home/dev/shop/compose.yaml")]
            } else {
                Vec::new()
            },
            selection: Selection::default(),
            env_file: None,
        }
    }

    fn registry(entries: &[(&str, Option<&str>, Option<&str>)]) -> Registry {
        let assignments: Vec<String> = entries
            .iter()
            .enumerate()
            .map(|(index, (path, compose_project, engine))| {
                let mut entry = serde_json::json!({"project_path": path, "port": 1972 + index,
                    "assigned_at": "2026-01-01T00:00:00", "assignment_type": "auto",
                    "status": "active", "container_name": null});
                if let Some(name) = compose_project {
                    entry["compose_project"] = (*name).into();
                }
                if let Some(engine) = engine {
                    entry["engine"] = (*engine).into();
                }
                entry.to_string()
            })
            .collect();
        let text = format!(
            "{{\"schema_version\": \"1.0\", \"assignments\": [{}]}}",
            assignments.join(",")
        );
        Registry::parse(text.as_bytes()).unwrap()
    }

    fn resolve_with(
        project: &Project,
        texts: &[&str],
        local: Option<PathBuf>,
        dotenv: Option<&str>,
        registry: &Registry,
    ) -> Result<Stack, StackError> {
        let sources = Sources {
            base_texts: texts,
            local_override: local,
            dotenv,
        };
        let seen = Seen {
            registry,
            engine: None,
            containers: &[],
        };
        Stack::resolve(project, sources, &seen)
    }

    fn seen<'a>(registry: &'a Registry, engine: Option<&'a str>) -> Seen<'a> {
        Seen {
            registry,
            engine,
            containers: &[],
        }
    }

    fn resolve(project: &Project, texts: &[&str], local: Option<PathBuf>) -> Stack {
        resolve_with(project, texts, local, None, &Registry::empty()).unwrap()
    }

    #[test]
    fn template_when_there_is_no_compose_file() {
        let stack = resolve(&project(false), &[], Some("/x".into()));
        assert!(stack.template);
        assert_eq!(
            stack.base_files,
            [PathBuf::from("/home/dev/shop/.iris-dev/compose.yaml")]
        );
        assert_eq!(stack.service_hint.as_deref(), Some("iris"));
        assert_eq!(stack.name, "shop");
        assert!(!stack.plain_compose_misses());
        assert_eq!(stack.dotenv_change(), None);
        let config = ComposeConfig::parse(TEMPLATE).unwrap();
        assert_eq!(config.iris_service(None), Ok("iris"));
    }

    #[test]
    fn name_from_env_then_file_then_directory() {
        let text = "name: shop-dev\nx-iris-dev:\n  service: db\n  isolate: all\nservices: {}\n";
        let stack = resolve(&project(true), &[text], None);
        assert_eq!(
            (stack.name.as_str(), stack.service_hint.as_deref()),
            ("shop-dev", Some("db"))
        );
        assert_eq!(
            stack.name_source,
            NameSource::Explicit(NameOrigin::File("/home/dev/shop/compose.yaml".into()))
        );
        assert_eq!(stack.plain_name, "shop-dev");
        assert_eq!(stack.isolate, Some(Isolate::All));
        let mut named = project(true);
        named.selection.project_name = Some(("ci-7".into(), NameOrigin::Environment));
        named.selection.profiles = vec!["debug".into()];
        let stack = resolve(&named, &[text], None);
        assert_eq!(stack.name, "ci-7");
        assert_eq!(stack.plain_name, "ci-7");
        assert_eq!(stack.profiles, ["debug"]);
        let local = PathBuf::from("/home/dev/shop/compose.override.yaml");
        let stack = resolve(&project(true), &[""], Some(local));
        assert_eq!(stack.name, "shop");
        assert_eq!(stack.name_source, NameSource::Directory);
        assert!(matches!(
            resolve_with(&project(true), &["services: [unclosed"], None, None, &Registry::empty()),
            Err(StackError::Parse { file, .. }) if file == Path::new("/home/dev/shop/compose.yaml")
        ));
        assert_eq!(
            stack.files(),
            [
                PathBuf::from("/home/dev/shop/compose.yaml"),
                PathBuf::from("/home/dev/shop/compose.override.yaml"),
                PathBuf::from("/home/dev/shop/.iris-dev/compose.override.yaml")
            ]
        );
    }

    #[test]
    fn a_name_another_project_records_is_refused_wherever_it_comes_from() {
        let other = registry(&[("/home/dev/billing", Some("billing"), None)]);
        let env_file = PathBuf::from("/home/dev/shop/.env");
        let origins = [
            NameOrigin::Environment,
            NameOrigin::DotEnv(env_file.clone()),
            NameOrigin::File("/home/dev/shop/compose.yaml".into()),
        ];
        for origin in origins {
            let mut shop = project(true);
            let text = match &origin {
                NameOrigin::File(_) => "name: billing\nservices: {}\n",
                _ => {
                    shop.selection.project_name = Some(("billing".into(), origin.clone()));
                    "services: {}\n"
                }
            };
            match resolve_with(&shop, &[text], None, None, &other) {
                Err(StackError::NameOwned {
                    name,
                    origin: found,
                    other,
                    project,
                }) => {
                    assert_eq!(
                        (name.as_str(), other.as_str(), project.as_str()),
                        ("billing", "/home/dev/billing", "/home/dev/shop")
                    );
                    assert_eq!(found, origin);
                }
                unexpected => panic!("{origin}: {unexpected:?}"),
            }
        }
        // Its own record, or another engine's project, is no obstacle.
        let mut shop = project(true);
        shop.selection.project_name = Some(("billing".into(), NameOrigin::Environment));
        let remote = registry(&[("/home/dev/billing", Some("billing"), Some("ssh://far"))]);
        assert!(resolve_with(&shop, &["services: {}\n"], None, None, &remote).is_ok());
        let own = registry(&[("/home/dev/shop", Some("billing"), None)]);
        assert!(resolve_with(&shop, &["services: {}\n"], None, None, &own).is_ok());
    }

    #[test]
    fn the_dotenv_line_follows_a_name_plain_compose_would_not_find() {
        let other = registry(&[("/elsewhere/shop", Some("shop"), None)]);
        let hashed = project(true).compose_name();
        let stack = resolve_with(&project(true), &["services: {}\n"], None, None, &other).unwrap();
        assert_eq!(stack.name, hashed);
        assert!(
            stack.plain_compose_misses(),
            "plain compose would use `shop`"
        );
        assert_eq!(stack.dotenv_change(), Some(DotenvChange::Write(&hashed)));

        let written = dotenv::with_managed_name("A=1\n", Some(&hashed));
        let stack = resolve_with(
            &project(true),
            &["services: {}\n"],
            None,
            Some(&written),
            &other,
        )
        .unwrap();
        assert_eq!(
            stack.name, hashed,
            "iris-dev's own line is not the user's choice"
        );
        assert!(!stack.plain_compose_misses());
        assert_eq!(stack.dotenv_change(), None);

        // A line another checkout wrote (a committed `.env`) is corrected, and
        // one that is no longer needed is removed.
        let foreign = dotenv::with_managed_name("", Some("shop-0badc0de"));
        let stack = resolve_with(
            &project(true),
            &["services: {}\n"],
            None,
            Some(&foreign),
            &other,
        )
        .unwrap();
        assert!(stack.plain_compose_misses());
        assert_eq!(stack.dotenv_change(), Some(DotenvChange::Write(&hashed)));
        let alone = resolve_with(
            &project(true),
            &["services: {}\n"],
            None,
            Some(&foreign),
            &Registry::empty(),
        )
        .unwrap();
        assert_eq!(alone.name, "shop");
        assert_eq!(alone.dotenv_change(), Some(DotenvChange::Remove));

        // The user's own line wins and is never touched.
        let mut own = project(true);
        own.selection.project_name = Some((
            "mine".into(),
            NameOrigin::DotEnv("/home/dev/shop/.env".into()),
        ));
        let stack = resolve_with(
            &own,
            &["services: {}\n"],
            None,
            Some("COMPOSE_PROJECT_NAME=mine\n"),
            &other,
        )
        .unwrap();
        assert_eq!(
            (stack.name.as_str(), stack.plain_name.as_str()),
            ("mine", "mine")
        );
        assert_eq!(stack.dotenv_change(), None);
    }

    #[test]
    fn a_name_another_project_records_on_the_same_engine_gets_a_hash() {
        let shop = project(true);
        let hashed = shop.compose_name();
        let choose = |registry: &Registry, engine| {
            choose_name(None, &shop, &seen(registry, engine)).unwrap()
        };

        let other = registry(&[("/elsewhere/shop", Some("shop"), None)]);
        assert_eq!(
            choose(&other, None),
            (
                hashed.clone(),
                NameSource::Unique {
                    taken_by: "/elsewhere/shop".into()
                }
            )
        );
        assert_eq!(
            choose(&other, Some("ssh://remote")),
            ("shop".to_owned(), NameSource::Directory),
            "another engine's stacks do not collide"
        );
        let unstarted = registry(&[("/elsewhere/shop", None, None)]);
        assert_eq!(choose(&unstarted, None).1, NameSource::Directory);

        // The project's own record wins: a running stack keeps its name.
        let own = registry(&[
            ("/elsewhere/shop", Some("shop"), None),
            ("/home/dev/shop", Some("shop-0a1b2c3d"), None),
        ]);
        assert_eq!(
            choose(&own, None),
            ("shop-0a1b2c3d".to_owned(), NameSource::Recorded)
        );
        assert_eq!(
            choose_name(
                Some(("mine", &NameOrigin::Environment)),
                &shop,
                &seen(&own, None)
            )
            .unwrap(),
            (
                "mine".to_owned(),
                NameSource::Explicit(NameOrigin::Environment)
            )
        );

        let mut odd = project(true);
        odd.root = PathBuf::from("/home/dev/...");
        assert!(matches!(
            choose_name(None, &odd, &seen(&Registry::empty(), None))
                .unwrap()
                .1,
            NameSource::Unique { .. }
        ));
    }

    #[test]
    fn names_in_use_on_the_engine_count_as_the_registrys_do() {
        use crate::core::engine::{
            COMPOSE_PROJECT_LABEL, COMPOSE_WORKING_DIR_LABEL, Container, PROJECT_LABEL,
        };
        let container = |name: &str, label: &str, owner: &str| {
            let mut container = Container::default();
            container
                .labels
                .insert(COMPOSE_PROJECT_LABEL.into(), name.into());
            container.labels.insert(label.into(), owner.into());
            container
        };
        let shop = project(true);
        let empty = Registry::empty();
        // Another user's iris-dev stack, and a plain `docker compose up` in
        // another directory, both under `shop`.
        for other in [
            container("shop", PROJECT_LABEL, "/home/other/shop"),
            container("Shop", COMPOSE_WORKING_DIR_LABEL, "/tmp/shop"),
        ] {
            let containers = [other];
            let seen = Seen {
                registry: &empty,
                engine: None,
                containers: &containers,
            };
            let (name, source) = choose_name(None, &shop, &seen).unwrap();
            assert_eq!(name, shop.compose_name());
            assert!(matches!(source, NameSource::Unique { .. }));
            let explicit = choose_name(Some(("shop", &NameOrigin::Environment)), &shop, &seen);
            assert!(
                matches!(explicit, Err(StackError::NameOwned { .. })),
                "{explicit:?}"
            );
        }
        // Its own containers, by label or by directory, are no obstacle.
        for own in [
            container("shop", PROJECT_LABEL, "/home/dev/shop"),
            container("shop", COMPOSE_WORKING_DIR_LABEL, "/home/dev/shop"),
        ] {
            let containers = [own];
            let seen = Seen {
                registry: &empty,
                engine: None,
                containers: &containers,
            };
            assert_eq!(
                choose_name(None, &shop, &seen).unwrap(),
                ("shop".to_owned(), NameSource::Directory)
            );
        }
    }

    #[test]
    fn a_name_two_projects_record_is_refused_and_names_compare_as_compose_normalizes() {
        let shared = registry(&[
            ("/home/dev/shop", Some("shop"), None),
            ("/home/dev/billing", Some("shop"), None),
        ]);
        assert!(matches!(
            choose_name(None, &project(true), &seen(&shared, None)),
            Err(StackError::NameShared { other, .. }) if other == "/home/dev/billing"
        ));
        let billing = registry(&[("/home/dev/billing", Some("billing"), None)]);
        assert!(matches!(
            choose_name(
                Some(("Billing", &NameOrigin::Environment)),
                &project(true),
                &seen(&billing, None)
            ),
            Err(StackError::NameOwned { .. })
        ));
    }

    #[test]
    fn a_name_another_project_owns_is_shown_or_forgotten_as_its_directory_is_there_or_gone() {
        let error = StackError::NameOwned {
            name: "shop".into(),
            origin: NameOrigin::Environment,
            other: "/work/shop".into(),
            project: "/home/dev/shop".into(),
        };
        let there = error.hints(&|path| path == "/work/shop");
        assert!(
            there[0].contains("`unset COMPOSE_PROJECT_NAME`"),
            "{there:?}"
        );
        assert!(
            there[1]
                .ends_with("`iris-dev status -C /work/shop` shows the stack that name belongs to"),
            "{there:?}"
        );
        let gone = error.hints(&|_| false);
        assert!(
            gone[1].contains("`iris-dev ports clear /work/shop` forgets its entry, `docker compose -p shop down` removes what it left"),
            "{gone:?}"
        );
    }
}
