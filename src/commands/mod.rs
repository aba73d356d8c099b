//! One module per subcommand. A command is glue: resolve settings, take the lock,
//! call the core, print. Anything worth a unit test lives in a core module.

use std::path::PathBuf;
use std::time::SystemTime;

use crate::allocate::{self, Outcome, Request};
use crate::cli::{Command, PortsCommand};
use crate::engine::{self, Container, DockerEngine, Endpoint, Engine};
use crate::error::Error;
use crate::printer::Printer;
use crate::probe::BindProbe;
use crate::project::Project;
use crate::registry::{Assignment, Registry, Store};
use crate::settings::{Env, GlobalSettings, PortSettings, RegistrySettings};
use crate::stale;
use crate::timestamp::Timestamp;

mod completions;
mod down;
mod env;
mod init;
mod port;
mod ports;
mod status;
mod up;

/// How a port resolution may touch the registry.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Resolve {
    /// Assign and write, as `port` and `env` do.
    Write,
    /// Assign and write, and mark the assignment as not started yet: `up` records
    /// its containers only once compose has started them, so that a concurrent
    /// stale check never sees an assignment whose containers are still coming.
    Starting,
    /// Work on a copy (`up --dry-run`).
    DryRun,
}

/// What every command gets: resolved global settings, the environment and the printer.
pub struct Context<'a> {
    pub global: GlobalSettings,
    pub env: Env<'a>,
    pub printer: Printer,
}

pub fn dispatch(command: Command, context: &Context<'_>) -> Result<(), Error> {
    match command {
        Command::Up(args) => up::run(args, context),
        Command::Down(args) => down::run(args, context),
        Command::Status(args) => status::run(args, context),
        Command::Init => init::run(context),
        Command::Port(args) => port::run(args, context),
        Command::Env(args) => env::run(args, context),
        Command::Ports(args) => match args.command {
            PortsCommand::List(args) => ports::list(args, context),
            PortsCommand::Inspect(args) => ports::inspect(args, context),
            PortsCommand::Clear(args) => ports::clear(args, context),
            PortsCommand::Prune(args) => ports::prune(args, context),
            PortsCommand::Reset => ports::reset(context),
        },
        Command::Completions(args) => completions::run(args, context),
    }
}

impl Context<'_> {
    /// The registry, with lock waits announced through the printer.
    pub fn with_store<T>(
        &self,
        body: impl FnOnce(&Store<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let settings = RegistrySettings::resolve(self.env)?;
        let on_wait = |path: &std::path::Path| self.printer.waiting_for_lock(path);
        let store = Store::new(settings.dir, settings.lock_timeout, &on_wait);
        body(&store)
    }

    pub fn project(&self) -> Result<Project, Error> {
        Ok(Project::discover(&self.global.directory)?)
    }

    /// The directory relative paths on the command line are taken from.
    pub fn directory(&self) -> &PathBuf {
        &self.global.directory
    }

    pub fn now(&self) -> Timestamp {
        Timestamp::from_system_time(SystemTime::now())
    }

    /// The Docker endpoint, as Docker's CLI would pick it.
    pub fn endpoint(&self) -> Endpoint {
        let config =
            engine::config_path(self.env).and_then(|path| fs_err::read_to_string(path).ok());
        Endpoint::resolve(self.env, config.as_deref(), |context| {
            let template = "{{.Endpoints.docker.Host}}";
            duct::cmd(
                "docker",
                ["context", "inspect", context, "--format", template],
            )
            .stderr_null()
            .read()
            .ok()
            .filter(|host| !host.trim().is_empty())
        })
    }

    /// The project's ports, assigned under the registry lock if it has none.
    pub fn resolve_ports(
        &self,
        project: &Project,
        ports: &PortSettings,
        endpoint: &Endpoint,
        avoid: &[u16],
        mode: Resolve,
    ) -> Result<Assignment, Error> {
        let now = self.now();
        let request = Request {
            project: project.key(),
            port: ports.port,
            web_port: ports.web_port,
            range: ports.range,
            now: &now,
            engine: endpoint.registry_key(),
            avoid,
        };
        let resolve = |registry: &mut Registry| {
            // Ports of a remote engine are not on this host: nothing to probe.
            let outcome = if endpoint.is_local() {
                allocate::resolve(registry, &request, &BindProbe)
            } else {
                allocate::resolve(registry, &request, &|_: u16| true)
            };
            let mut outcome = outcome.map_err(|source| Error::Alloc {
                project: project.key().to_owned(),
                source,
            })?;
            if mode == Resolve::Starting {
                let index = registry.position(project.key()).expect("just resolved");
                let assignment = &mut registry.assignments[index];
                assignment.compose_project = None;
                assignment.compose_service = None;
                outcome.assignment = assignment.clone();
            }
            Ok::<_, Error>(outcome)
        };
        let outcome = self.with_store(|store| match mode {
            Resolve::DryRun => resolve(&mut store.read()?),
            Resolve::Write | Resolve::Starting => store.update(resolve),
        })?;
        self.report_outcome(&outcome);
        Ok(outcome.assignment)
    }

    /// The current project and its ports, as `port` and `env` need them: stale
    /// assignments swept first, then resolved (and assigned if needed) under the lock.
    pub fn current_ports(&self) -> Result<(Project, Assignment), Error> {
        let ports = PortSettings::resolve(None, None, self.env)?;
        let project = self.project()?;
        let endpoint = self.endpoint();
        self.sweep_stale(&endpoint, None)?;
        let assignment = self.resolve_ports(&project, &ports, &endpoint, &[], Resolve::Write)?;
        Ok((project, assignment))
    }

    /// The check every `up` and `port` makes: assignments whose containers are
    /// gone become stale. Quiet, and a no-op when nothing could be stale or the
    /// engine cannot be reached. `engine` is a client the caller already has;
    /// without one the sweep connects only if something could be stale.
    pub fn sweep_stale(
        &self,
        endpoint: &Endpoint,
        engine: Option<&DockerEngine>,
    ) -> Result<(), Error> {
        let key = endpoint.registry_key();
        let registry = self.with_store(|store| Ok(store.read()?))?;
        if !registry
            .assignments
            .iter()
            .any(|assignment| stale::is_candidate(assignment, key))
        {
            return Ok(());
        }
        let containers = match engine {
            Some(engine) => engine.containers().map_err(Error::from),
            None => self.engine_containers(endpoint),
        };
        match containers {
            Ok(containers) => {
                for assignment in self.mark_stale(&containers, key)? {
                    self.printer.note(format_args!(
                        "`{}` is stale: its containers are gone, so port {} is free again",
                        assignment.project_path, assignment.port
                    ));
                }
            }
            Err(err) => self
                .printer
                .note(format_args!("{err}; nothing is marked stale")),
        }
        Ok(())
    }

    /// Connects to the engine before compose runs, so that an engine that is down
    /// gets a clear error instead of compose's traceback. bollard cannot reach
    /// `ssh://` engines; compose can, so those go ahead without a client.
    pub fn require_engine(&self, endpoint: &Endpoint) -> Result<Option<DockerEngine>, Error> {
        match DockerEngine::connect(endpoint) {
            Ok(engine) => Ok(Some(engine)),
            Err(err) if endpoint.url.starts_with("ssh://") => {
                self.printer
                    .note(format_args!("{err}; going ahead with compose alone"));
                Ok(None)
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Every container on the engine.
    pub fn engine_containers(&self, endpoint: &Endpoint) -> Result<Vec<Container>, Error> {
        Ok(DockerEngine::connect(endpoint)?.containers()?)
    }

    /// Marks stale, under the lock, the assignments whose containers are not in
    /// `containers`; returns them.
    pub fn mark_stale(
        &self,
        containers: &[Container],
        engine: Option<&str>,
    ) -> Result<Vec<Assignment>, Error> {
        let now = self.now();
        self.with_store(|store| {
            store.update(|registry| {
                let stale = stale::stale_projects(registry, containers, engine);
                let mut marked = Vec::new();
                for project in stale {
                    allocate::mark_stale(registry, &project, &now);
                    marked.extend(registry.find(&project).cloned());
                }
                Ok(marked)
            })
        })
    }

    fn report_outcome(&self, outcome: &Outcome) {
        let assignment = &outcome.assignment;
        if let Some(old) = outcome.moved_from {
            self.printer.warn(format_args!(
                "port {old} is no longer free for `{}`; it moved to port {}",
                assignment.project_path, assignment.port
            ));
        }
        for evicted in &outcome.evicted {
            self.printer.note(format_args!(
                "took port {} over from `{}`, which was {}",
                evicted.port, evicted.project_path, evicted.status
            ));
        }
        if outcome.changed {
            self.printer.note(format_args!(
                "`{}` has port {} and web port {} ({})",
                assignment.project_path,
                assignment.port,
                assignment.effective_web_port().unwrap_or_default(),
                assignment.assignment_type
            ));
        }
    }
}

/// The project's compose stack: its compose file read for `name` and `x-iris-dev`.
pub fn load_stack(context: &Context<'_>, project: &Project) -> Result<crate::stack::Stack, Error> {
    let text = match &project.compose_file {
        Some(file) => Some(fs_err::read_to_string(file)?),
        None => None,
    };
    let env_name = (context.env)(crate::env_vars::COMPOSE_PROJECT_NAME)
        .and_then(|name| name.into_string().ok())
        .filter(|name| !name.trim().is_empty());
    let local_override = crate::stack::LOCAL_OVERRIDE_NAMES
        .iter()
        .map(|name| project.root.join(name))
        .find(|path| path.is_file());
    crate::stack::Stack::resolve(project, text.as_deref(), local_override, env_name).map_err(
        |message| Error::ComposeFile {
            file: project.compose_file.clone().unwrap_or_default(),
            message,
        },
    )
}

/// The compose command, from `IRIS_DEV_COMPOSE` or found on the PATH; remembered
/// in the project's cache while the binaries it could be stay the same.
pub fn detect_compose(
    context: &Context<'_>,
    project: &Project,
    cache: &mut ProjectCache,
) -> Result<crate::compose::Compose, Error> {
    let settings = crate::settings::ComposeSettings::resolve(context.env)?;
    let key = compose_key(context, settings.command.as_deref());
    let compose = match cache.cache.compose(&key) {
        Some(compose) => compose,
        None => {
            let compose = crate::compose::detect(
                &crate::compose::DuctRunner,
                settings.command.as_deref(),
                &project.root,
            )?;
            cache.cache.set_compose(key, &compose);
            cache.dirty = true;
            compose
        }
    };
    context
        .printer
        .note(format_args!("using {}", compose.display_name()));
    Ok(compose)
}

/// Everything that decides which compose runs: the PATH, `IRIS_DEV_COMPOSE`, and
/// the size and time of each binary and CLI plugin it could be.
fn compose_key(context: &Context<'_>, configured: Option<&str>) -> String {
    let var = |name: &str| (context.env)(name).unwrap_or_default();
    let path = var("PATH");
    let mut candidates: Vec<PathBuf> = ["docker", "docker-compose"]
        .into_iter()
        .chain(configured.and_then(|command| command.split_whitespace().next()))
        .filter_map(|name| which(name, &path))
        .collect();
    let plugin_dirs = [
        engine::config_path(context.env)
            .and_then(|config| Some(config.parent()?.join("cli-plugins"))),
        Some(PathBuf::from("/usr/local/lib/docker/cli-plugins")),
        Some(PathBuf::from("/usr/local/libexec/docker/cli-plugins")),
        Some(PathBuf::from("/usr/lib/docker/cli-plugins")),
        Some(PathBuf::from("/usr/libexec/docker/cli-plugins")),
    ];
    candidates.extend(
        plugin_dirs
            .into_iter()
            .flatten()
            .map(|dir| dir.join("docker-compose")),
    );
    let mut key = crate::cache::Key::default()
        .part("PATH", path.as_encoded_bytes())
        .part("IRIS_DEV_COMPOSE", configured.unwrap_or_default());
    for candidate in candidates {
        let stamp = fs_err::metadata(&candidate)
            .ok()
            .map(|metadata| format!("{:?} {}", metadata.modified().ok(), metadata.len()))
            .unwrap_or_default();
        key = key.part(&candidate.display().to_string(), stamp);
    }
    key.finish()
}

fn which(name: &str, path: &std::ffi::OsStr) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// `.iris-dev/cache.json`, loaded once per command and saved if it changed.
pub struct ProjectCache {
    dir: PathBuf,
    pub cache: crate::cache::Cache,
    pub dirty: bool,
}

impl ProjectCache {
    pub fn load(dir: PathBuf) -> Self {
        let text = fs_err::read_to_string(dir.join(crate::cache::CACHE_FILE)).unwrap_or_default();
        Self {
            dir,
            cache: crate::cache::Cache::parse(&text),
            dirty: false,
        }
    }

    pub fn save(&self) -> Result<(), Error> {
        if self.dirty {
            ensure_state_dir(&self.dir)?;
            fs_err::write(
                self.dir.join(crate::cache::CACHE_FILE),
                self.cache.to_json(),
            )?;
        }
        Ok(())
    }
}

/// Creates `.iris-dev/` with a `.gitignore`, so none of it is committed by accident.
pub fn ensure_state_dir(dir: &std::path::Path) -> Result<(), Error> {
    fs_err::create_dir_all(dir)?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        fs_err::write(&ignore, "# Generated by iris-dev.\n*\n")?;
    }
    Ok(())
}

/// `IRIS_PORT` and `IRIS_WEB_PORT` for compose, so base files can interpolate them.
pub fn compose_env(assignment: &Assignment) -> Vec<(String, String)> {
    vec![
        (
            crate::env_vars::IRIS_PORT.to_owned(),
            assignment.port.to_string(),
        ),
        (
            crate::env_vars::IRIS_WEB_PORT.to_owned(),
            assignment
                .effective_web_port()
                .unwrap_or_default()
                .to_string(),
        ),
    ]
}
