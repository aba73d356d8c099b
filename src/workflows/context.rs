//! [`Context`], what every command gets: the settings resolved once, the one
//! registry store, the printer, and the project, stack, compose and engine
//! found on first use and kept.

use std::path::Path;

use fs_err as fs;

use crate::cli::error::Error;
use crate::cli::printer::Printer;
use crate::cli::settings::Settings;
use crate::core::compose::Compose;
use crate::core::compose::cache::{Key, referenced_variables};
use crate::core::compose::config::{self, ComposeConfig};
use crate::core::connection::{Login, compose_env};
use crate::core::engine::{self, Endpoint, Engine, EngineError, Listing};
use crate::core::env_vars;
use crate::core::invocation::Invocation;
use crate::core::project::Project;
use crate::core::registry::{Assignment, Registry};
use crate::core::stack::{self, Stack};
use crate::core::timestamp::{Clock, Timestamp};
use crate::edges::clock::SystemClock;
use crate::edges::docker::DockerEngine;
use crate::edges::process::{DuctRunner, Runner};
use crate::edges::registry_file::Store;
use crate::edges::state_dir::StateDir;

/// The effects workflows reach the world through besides the registry and the
/// engine: the process runner and the clock. Tests pass fakes.
pub struct Effects {
    pub runner: Box<dyn Runner>,
    pub clock: Box<dyn Clock>,
}

impl Effects {
    /// The real ones: processes through duct, the system clock.
    pub fn real() -> Self {
        Self {
            runner: Box::new(DuctRunner),
            clock: Box::new(SystemClock),
        }
    }
}

/// What every command gets: the settings resolved once, the one registry store,
/// the printer, and the [`Effects`].
pub struct Context<'a> {
    pub settings: Settings<'a>,
    pub printer: Printer,
    store: Store,
    effects: Effects,
    /// The endpoint, found once: naming the stack needs it as well as the engine.
    endpoint: std::cell::OnceCell<Endpoint>,
}

impl<'a> Context<'a> {
    pub fn new(settings: Settings<'a>, printer: Printer) -> Self {
        Self::with_effects(settings, printer, Effects::real())
    }

    pub fn with_effects(settings: Settings<'a>, printer: Printer, effects: Effects) -> Self {
        let announcer = printer.clone();
        let store = Store::new(
            settings.registry.dir.clone(),
            settings.registry.lock_timeout,
            Box::new(move |path: &Path| announcer.waiting_for_lock(path)),
        );
        Self {
            settings,
            printer,
            store,
            effects,
            endpoint: std::cell::OnceCell::new(),
        }
    }

    /// The registry, with lock waits announced through the printer.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The value of [`engine::REGISTRY_LABEL`] for this registry
    /// ([`Store::identity`]), made when it has none yet: what `up` labels its
    /// IRIS container with.
    pub fn registry_label(&self) -> Result<String, Error> {
        Ok(self.store().identity(true)?.unwrap_or_default())
    }

    /// [`Context::registry_label`] when the registry has one: which labelled
    /// stacks are this registry's to recover. `None` (no stack ever started
    /// from it, or it cannot be read) recovers nothing.
    pub fn registry_identity(&self) -> Option<String> {
        self.store().identity(false).ok().flatten()
    }

    /// The directory the command runs in (`-C`), which relative paths start from.
    pub fn directory(&self) -> &Path {
        &self.settings.global.directory
    }

    /// The project compose would run here, with `-f`, `COMPOSE_FILE` and `.env`.
    pub fn project(&self) -> Result<Project, Error> {
        Ok(Project::discover(self.directory(), &self.settings.compose)?)
    }

    /// The project's compose stack: files, profiles, compose project name (which
    /// depends on the names other projects on this engine use, in the registry
    /// and on the engine itself, see [`stack::choose_name`]), service hint. The
    /// engine is asked for its containers when it answers; without it only the
    /// registry speaks.
    pub fn stack(&self, project: &Project) -> Result<Stack, Error> {
        Ok(self.stack_listed(project)?.0)
    }

    /// [`Context::stack`], with the listing it was named from (`None` when the
    /// engine did not answer): `up`'s first attempt reads the same one.
    pub fn stack_listed(&self, project: &Project) -> Result<(Stack, Option<Listing>), Error> {
        let registry = self.store().read()?;
        let endpoint = self.endpoint();
        let listing = self.shared_listing(&endpoint).ok();
        let containers = listing
            .as_ref()
            .map(|listing| listing.containers.as_slice())
            .unwrap_or_default();
        let stack = self.stack_with(project, &registry, containers)?;
        Ok((stack, listing))
    }

    /// [`Context::stack`] with the registry the caller has read already, and
    /// no engine: the fast path of `env` and `vscode`.
    pub fn stack_in(&self, project: &Project, registry: &Registry) -> Result<Stack, Error> {
        self.stack_with(project, registry, &[])
    }

    /// [`Context::stack`] with the registry and the engine's containers the
    /// caller has already.
    pub fn stack_with(
        &self,
        project: &Project,
        registry: &Registry,
        containers: &[crate::core::engine::Container],
    ) -> Result<Stack, Error> {
        let endpoint = self.endpoint();
        let mut containers = containers.to_vec();
        if endpoint.is_local() {
            // Compose records the directory as it was typed (through a
            // symlink, say); the project's key is canonical.
            for container in &mut containers {
                if let Some(dir) = container.labels.get_mut(engine::COMPOSE_WORKING_DIR_LABEL)
                    && let Ok(canonical) = fs::canonicalize(&*dir)
                    && let Some(canonical) = canonical.to_str()
                {
                    *dir = canonical.to_owned();
                }
            }
        }
        let seen = stack::Seen {
            registry,
            engine: endpoint.registry_key(),
            containers: &containers,
        };
        Ok(Stack::load(project, &seen)?)
    }

    /// The project's assignment in `registry`, or the error that says it has none.
    pub fn assignment_of<'r>(
        registry: &'r crate::core::registry::Registry,
        project: &Project,
    ) -> Result<&'r crate::core::registry::Assignment, Error> {
        registry
            .find(project.key())
            .ok_or_else(|| Error::NotAssigned {
                projects: vec![project.key().to_owned()],
            })
    }

    pub fn now(&self) -> Timestamp {
        self.effects.clock.now()
    }

    /// Every process a workflow starts goes through this runner.
    pub fn runner(&self) -> &dyn Runner {
        self.effects.runner.as_ref()
    }

    /// The compose command, from `IRIS_DEV_COMPOSE` or found on the PATH;
    /// remembered in the project's cache while the binaries it could be stay the
    /// same.
    pub fn compose(&self, project: &Project, state: &mut StateDir) -> Result<Compose, Error> {
        let settings = &self.settings;
        let key = crate::edges::compose_detect::cache_key(&settings.compose, &settings.docker);
        let compose = match state.cache().compose(&key) {
            Some(compose) => compose,
            None => {
                let compose = crate::edges::compose_detect::detect(
                    self.runner(),
                    settings.compose.command.as_deref(),
                    &project.root,
                )?;
                state.update_cache(|cache| cache.set_compose(key, &compose));
                compose
            }
        };
        let compose = self.on_engine(compose);
        self.printer
            .note(format_args!("using {}", compose.describe()));
        Ok(compose)
    }

    /// `compose`, told of the engine when iris-dev found a Podman socket that
    /// compose, looking only at Docker's, would not find.
    pub fn on_engine(&self, mut compose: Compose) -> Compose {
        let endpoint = self.endpoint();
        if endpoint.origin.found_podman() {
            compose.docker_host = Some(endpoint.url);
        }
        compose
    }

    /// The engine's endpoint, as Docker's CLI would pick it, else the first
    /// Docker or Podman socket there; `-v` says which and why.
    pub fn endpoint(&self) -> Endpoint {
        self.endpoint
            .get_or_init(|| {
                let endpoint = crate::edges::docker::discover_endpoint(
                    &self.settings.docker,
                    self.runner(),
                    self.directory(),
                );
                self.printer
                    .note(format_args!("engine {}", endpoint.describe()));
                endpoint
            })
            .clone()
    }

    /// The engine's containers, asked for after this call began, by this
    /// process or by another that was asking already (see
    /// [`Store::shared_listing`]): what `port` and `env` choose ports from, and
    /// what errors that say a port is taken name holders from.
    pub fn shared_listing(&self, endpoint: &Endpoint) -> Result<Listing, EngineError> {
        self.store()
            .shared_listing(&endpoint.url, &|| self.now(), || {
                DockerEngine::connect(endpoint)?.containers()
            })
    }

    /// Connects to the engine before compose runs, so that an engine that is down
    /// (or an ssh login, host key, remote `docker` or TLS handshake that fails)
    /// gets a clear error before any port is chosen, instead of compose's
    /// traceback.
    pub fn require_engine(&self, endpoint: &Endpoint) -> Result<Option<DockerEngine>, Error> {
        Ok(Some(DockerEngine::connect(endpoint)?))
    }

    /// The merged configuration of the stack's base files, as `up` passes them to
    /// compose with `env` (`IRIS_PORT`, `IRIS_WEB_PORT`). The template's is known
    /// without asking compose (interpolated from `env` and iris-dev's
    /// environment); an unchanged project's comes from the cache. `compose` is
    /// found when not given and needed.
    pub fn compose_config(
        &self,
        stack: &Stack,
        compose: Option<&Compose>,
        env: &[(String, String)],
        state: &mut StateDir,
    ) -> Result<ComposeConfig, Error> {
        if stack.template {
            // As compose fills it in: iris-dev's own variables, then the
            // environment, then the project's `.env` (or `--env-file`), which
            // `stack_invocation` makes compose read for the template too.
            let env_file = stack
                .env_file
                .clone()
                .unwrap_or_else(|| stack.root.join(".env"));
            let dotenv = fs_err::read_to_string(&env_file)
                .map(|text| crate::core::dotenv::parse(&text))
                .unwrap_or_default();
            let lookup = |name: &str| {
                env.iter()
                    .find(|(key, _)| key == name)
                    .map(|(_, value)| value.clone())
                    .or_else(|| {
                        self.settings
                            .interpolated(name)
                            .map(|value| value.to_string_lossy().into_owned())
                    })
                    .or_else(|| crate::core::dotenv::get(&dotenv, name).map(str::to_owned))
            };
            let text = config::interpolate(stack::TEMPLATE, &lookup);
            // A value such as a password with `: ` or `[` can break the YAML.
            return ComposeConfig::parse(&text).map_err(|message| Error::ComposeConfig {
                command: format!(
                    "the built-in template with the values of `{}` and the environment",
                    env_file.display()
                ),
                message,
            });
        }
        let detected;
        let compose = match compose {
            Some(compose) => compose,
            None => {
                let project = self.project()?;
                detected = self.compose(&project, state)?;
                &detected
            }
        };
        let mut invocation = compose.stack_invocation(
            stack,
            &stack.name,
            &stack.base_files,
            &["config".to_owned()],
        );
        invocation.env.extend(env.iter().cloned());
        let key = self.config_key(stack, &invocation)?;
        let yaml = match state.cache().config(&key) {
            Some(yaml) => yaml.to_owned(),
            None => {
                let output = self.runner().capture(&invocation)?;
                if output.code != 0 {
                    for line in output.stderr.lines().chain(output.stdout.lines()) {
                        self.printer.passthrough(line);
                    }
                    return Err(Error::ComposeFailed {
                        command: invocation.to_string(),
                        code: output.code,
                    });
                }
                let yaml = output.stdout;
                state.update_cache(|cache| cache.set_config(key, yaml.clone()));
                yaml
            }
        };
        ComposeConfig::parse(&yaml).map_err(|message| Error::ComposeConfig {
            command: invocation.to_string(),
            message,
        })
    }

    /// Everything `compose config` reads: the command line and its variables, the
    /// base files, `.env`, and the values of the variables the files interpolate.
    fn config_key(&self, stack: &Stack, invocation: &Invocation) -> Result<String, Error> {
        let mut key = Key::default().part("command", invocation.to_string());
        let mut variables = vec![env_vars::COMPOSE_PROFILES.to_owned()];
        for file in &stack.base_files {
            let text = fs::read_to_string(file)?;
            variables.extend(referenced_variables(&text));
            key = key.part(&file.display().to_string(), text);
        }
        let dotenv_path = stack
            .env_file
            .clone()
            .unwrap_or_else(|| stack.root.join(".env"));
        let dotenv = fs::read(dotenv_path).unwrap_or_default();
        variables.extend(referenced_variables(&String::from_utf8_lossy(&dotenv)));
        key = key.part(".env", dotenv);
        for name in variables {
            let value = self.settings.interpolated(&name).unwrap_or_default();
            key = key.part(&name, value.as_encoded_bytes());
        }
        Ok(key.finish())
    }

    /// The namespace, user and password the IRIS service's environment sets, for
    /// `env` and `status`. A config that cannot be read is a warning, not an
    /// error: the ports are still right, and nothing is invented.
    pub fn login(&self, stack: &Stack, assignment: &Assignment, state: &mut StateDir) -> Login {
        self.login_and_service(stack, assignment, state).0
    }

    /// [`Context::login`], with the IRIS service's name when the config gives one.
    pub fn login_and_service(
        &self,
        stack: &Stack,
        assignment: &Assignment,
        state: &mut StateDir,
    ) -> (Login, Option<String>) {
        let env = compose_env(assignment);
        let login = self
            .compose_config(stack, None, &env, state)
            .and_then(|config| {
                let service = stack.iris_service(&config, assignment.compose_service.as_deref())?;
                Ok((
                    Login::from_environment(&config.services[service].environment()),
                    Some(service.to_owned()),
                ))
            });
        login.unwrap_or_else(|error| {
            self.printer.warn(format_args!(
                "cannot tell IRIS's namespace and user from the compose config: {error}"
            ));
            (Login::default(), None)
        })
    }
}
