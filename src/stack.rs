//! A project's compose stack: its base files, compose project name and IRIS
//! service hint.
//!
//! [`Stack::resolve`] is pure over the base file's text; [`Stack::load`] reads
//! the files for it. Writing the generated files is [`StateDir`]'s job.

use std::path::PathBuf;

use serde::Deserialize;

use crate::cli::Isolate;
use crate::compose::config::{ComposeConfig, ServiceError};
use crate::project::Project;
use crate::registry::Registry;
use crate::state_dir::StateDir;

/// The built-in compose file for a project that has none.
pub const TEMPLATE: &str = include_str!("../templates/compose.yaml");
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
    /// `COMPOSE_PROJECT_NAME` (environment or `.env`) or the file's `name:`.
    Explicit,
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
    #[error("cannot pick the IRIS service in `{}`", file.display())]
    Service {
        file: PathBuf,
        #[source]
        source: ServiceError,
    },
}

/// The compose project name for `project`, in this order:
/// 1. `explicit` (`COMPOSE_PROJECT_NAME`, then the file's `name:`), as compose;
/// 2. the name the project's assignment records, so a running stack is never
///    orphaned by a new rule or a renamed directory;
/// 3. the directory's name, normalized as compose does, so plain `docker
///    compose` in the project finds the stack;
/// 4. `<name>-<hash>` when another project registered on the same `engine`
///    records that name already (two checkouts both called `app`), or when the
///    directory's name has no character compose allows.
pub fn choose_name(
    explicit: Option<&str>,
    project: &Project,
    registry: &Registry,
    engine: Option<&str>,
) -> (String, NameSource) {
    if let Some(name) = explicit {
        return (name.to_owned(), NameSource::Explicit);
    }
    if let Some(recorded) = registry
        .find(project.key())
        .and_then(|assignment| assignment.compose_project.as_deref())
    {
        return (recorded.to_owned(), NameSource::Recorded);
    }
    let directory = project.directory_name();
    let taken_by = registry.assignments.iter().find(|other| {
        other.project_path != project.key()
            && other.engine.as_deref() == engine
            && other.compose_project.as_deref() == Some(directory.as_str())
    });
    match taken_by {
        None if !directory.is_empty() => (directory, NameSource::Directory),
        _ => (
            project.compose_name(),
            NameSource::Unique {
                taken_by: taken_by
                    .map(|other| other.project_path.clone())
                    .unwrap_or_default(),
            },
        ),
    }
}

impl Stack {
    /// Reads the project's compose files (for `name` and `x-iris-dev`), finds its
    /// own override file, and names the stack with `registry`'s help (see
    /// [`choose_name`]).
    pub fn load(
        project: &Project,
        registry: &Registry,
        engine: Option<&str>,
    ) -> Result<Self, StackError> {
        let texts = project
            .compose_files
            .iter()
            .map(fs_err::read_to_string)
            .collect::<Result<Vec<_>, _>>()?;
        // Compose adds the project's own override only to the files it finds
        // itself, not to `-f` or `COMPOSE_FILE`.
        let local_override = (!project.selection.explicit_files)
            .then(|| {
                LOCAL_OVERRIDE_NAMES
                    .iter()
                    .map(|name| project.root.join(name))
                    .find(|path| path.is_file())
            })
            .flatten();
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        Self::resolve(project, &texts, local_override, registry, engine).map_err(
            |(index, message)| StackError::Parse {
                file: project
                    .compose_files
                    .get(index)
                    .cloned()
                    .unwrap_or_default(),
                message,
            },
        )
    }

    /// `base_texts` are the project's compose files' texts, none for the
    /// template; a file that does not parse is an error with its index.
    ///
    /// `local_override` is the project's own override file (`compose.override.yaml`
    /// and the like), which compose reads by itself only when no `-f` is given, so
    /// iris-dev passes it on.
    pub fn resolve(
        project: &Project,
        base_texts: &[&str],
        local_override: Option<PathBuf>,
        registry: &Registry,
        engine: Option<&str>,
    ) -> Result<Self, (usize, String)> {
        let template = project.compose_files.is_empty() || base_texts.is_empty();
        let (base_files, texts): (Vec<PathBuf>, Vec<&str>) = if template {
            (vec![StateDir::template_file(&project.root)], vec![TEMPLATE])
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
                .map_err(|err| (index, err.to_string()))?
                .unwrap_or_default();
            file_name = header.name.or(file_name);
            if let Some(extension) = header.iris_dev {
                service_hint = extension.service.or(service_hint);
                isolate = extension.isolate.or(isolate);
            }
        }
        let explicit = project.selection.project_name.clone().or(file_name);
        let (name, name_source) = choose_name(explicit.as_deref(), project, registry, engine);
        Ok(Self {
            root: project.root.clone(),
            base_files,
            template,
            name,
            name_source,
            profiles: project.selection.profiles.clone(),
            env_file: project.env_file.clone(),
            service_hint,
            isolate,
        })
    }

    pub fn override_file(&self) -> PathBuf {
        StateDir::override_file(&self.root)
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

    /// Base files and the override, in `-f` order.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut files = self.base_files.clone();
        files.push(self.override_file());
        files
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::config::ComposeConfig;
    use crate::settings::Selection;

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

    fn resolve(project: &Project, texts: &[&str], local: Option<PathBuf>) -> Stack {
        Stack::resolve(project, texts, local, &Registry::empty(), None).unwrap()
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
        assert_eq!(stack.name_source, NameSource::Explicit);
        assert_eq!(stack.isolate, Some(Isolate::All));
        let mut named = project(true);
        named.selection.project_name = Some("ci-7".into());
        named.selection.profiles = vec!["debug".into()];
        let stack = resolve(&named, &[text], None);
        assert_eq!(stack.name, "ci-7");
        assert_eq!(stack.profiles, ["debug"]);
        let local = PathBuf::from("/home/dev/shop/compose.override.yaml");
        let stack = resolve(&project(true), &[""], Some(local));
        assert_eq!(stack.name, "shop");
        assert_eq!(stack.name_source, NameSource::Directory);
        assert_eq!(
            Stack::resolve(
                &project(true),
                &["services: [unclosed"],
                None,
                &Registry::empty(),
                None
            )
            .unwrap_err()
            .0,
            0
        );
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
    fn a_name_another_project_records_on_the_same_engine_gets_a_hash() {
        let shop = project(true);
        let hashed = shop.compose_name();
        let choose = |registry: &Registry, engine| choose_name(None, &shop, registry, engine);

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
            choose_name(Some("mine"), &shop, &own, None),
            ("mine".to_owned(), NameSource::Explicit)
        );

        let mut odd = project(true);
        odd.root = PathBuf::from("/home/dev/...");
        assert!(matches!(
            choose_name(None, &odd, &Registry::empty(), None).1,
            NameSource::Unique { .. }
        ));
    }
}
