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
use crate::registry::Assignment;
use crate::settings::ComposeSettings;
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
    /// The compose project name passed with `-p`.
    pub name: String,
    /// The IRIS service named by `x-iris-dev: {service: ...}`.
    pub service_hint: Option<String>,
    /// `x-iris-dev: {isolate: all}`.
    pub isolate: Option<Isolate>,
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

impl Stack {
    /// Reads the project's compose file (for `name` and `x-iris-dev`) and finds
    /// its own override file.
    pub fn load(project: &Project, compose: &ComposeSettings) -> Result<Self, StackError> {
        let text = match &project.compose_file {
            Some(file) => Some(fs_err::read_to_string(file)?),
            None => None,
        };
        let local_override = LOCAL_OVERRIDE_NAMES
            .iter()
            .map(|name| project.root.join(name))
            .find(|path| path.is_file());
        Self::resolve(
            project,
            text.as_deref(),
            local_override,
            compose.project_name.clone(),
        )
        .map_err(|message| StackError::Parse {
            file: project.compose_file.clone().unwrap_or_default(),
            message,
        })
    }

    /// `base_text` is the project's compose file, `None` for the template;
    /// `env_name` is `COMPOSE_PROJECT_NAME`, which wins over the file's `name`.
    ///
    /// `local_override` is the project's own override file (`compose.override.yaml`
    /// and the like), which compose reads by itself only when no `-f` is given, so
    /// iris-dev passes it on.
    pub fn resolve(
        project: &Project,
        base_text: Option<&str>,
        local_override: Option<PathBuf>,
        env_name: Option<String>,
    ) -> Result<Self, String> {
        let (base_files, template, text) = match (&project.compose_file, base_text) {
            (Some(file), Some(text)) => {
                let files = std::iter::once(file.clone())
                    .chain(local_override)
                    .collect();
                (files, false, text)
            }
            _ => (vec![StateDir::template_file(&project.root)], true, TEMPLATE),
        };
        let header: Header = serde_norway::from_str::<Option<Header>>(text)
            .map_err(|err| err.to_string())?
            .unwrap_or_default();
        let name = env_name
            .or(header.name)
            .unwrap_or_else(|| project.compose_name());
        Ok(Self {
            root: project.root.clone(),
            base_files,
            template,
            name,
            service_hint: header
                .iris_dev
                .as_ref()
                .and_then(|extension| extension.service.clone()),
            isolate: header.iris_dev.and_then(|extension| extension.isolate),
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

    /// The compose project name of this stack: the one `up` recorded in the
    /// assignment when there is one (so `down`, `status` and `env` find the
    /// containers even after `COMPOSE_PROJECT_NAME` or the file changed), else
    /// the name `up` would use now. Every command asks this, and only this.
    pub fn compose_project<'a>(&'a self, assignment: Option<&'a Assignment>) -> &'a str {
        assignment
            .and_then(|assignment| assignment.compose_project.as_deref())
            .unwrap_or(&self.name)
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

    fn project(compose: bool) -> Project {
        Project {
            root: PathBuf::from("/home/dev/shop"),
            compose_file: compose.then(|| PathBuf::from("/home/dev/shop/compose.yaml")),
        }
    }

    #[test]
    fn template_when_there_is_no_compose_file() {
        let stack = Stack::resolve(&project(false), None, Some("/x".into()), None).unwrap();
        assert!(stack.template);
        assert_eq!(
            stack.base_files,
            [PathBuf::from("/home/dev/shop/.iris-dev/compose.yaml")]
        );
        assert_eq!(stack.service_hint.as_deref(), Some("iris"));
        assert_eq!(stack.name, project(false).compose_name());
        let config = ComposeConfig::parse(TEMPLATE).unwrap();
        assert_eq!(config.iris_service(None), Ok("iris"));
    }

    #[test]
    fn name_from_env_then_file_then_path() {
        let text = "name: shop-dev\nx-iris-dev:\n  service: db\n  isolate: all\nservices: {}\n";
        let stack = Stack::resolve(&project(true), Some(text), None, None).unwrap();
        assert_eq!(
            (stack.name.as_str(), stack.service_hint.as_deref()),
            ("shop-dev", Some("db"))
        );
        assert_eq!(stack.isolate, Some(Isolate::All));
        let stack = Stack::resolve(&project(true), Some(text), None, Some("ci-7".into())).unwrap();
        assert_eq!(stack.name, "ci-7");
        let local = PathBuf::from("/home/dev/shop/compose.override.yaml");
        let stack = Stack::resolve(&project(true), Some(""), Some(local), None).unwrap();
        assert_eq!(stack.name, project(true).compose_name());
        assert!(Stack::resolve(&project(true), Some("services: [unclosed"), None, None).is_err());
        assert_eq!(
            stack.files(),
            [
                PathBuf::from("/home/dev/shop/compose.yaml"),
                PathBuf::from("/home/dev/shop/compose.override.yaml"),
                PathBuf::from("/home/dev/shop/.iris-dev/compose.override.yaml")
            ]
        );
    }
}
