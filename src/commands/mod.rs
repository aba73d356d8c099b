//! One module per subcommand, plus [`assign`], the port workflow that `port`,
//! `env` and `up` share. A command is glue: resolve settings, take the lock, call
//! the core, call the adapters, print. Anything worth a unit test lives in a core
//! module.
//!
//! This file holds only [`dispatch`] and [`Context`], what every command gets.

use std::path::Path;
use std::time::SystemTime;

use crate::cli::{Command, PortsCommand};
use crate::compose::{self, Compose};
use crate::engine::{self, DockerEngine, Endpoint};
use crate::error::Error;
use crate::printer::Printer;
use crate::process::DuctRunner;
use crate::project::Project;
use crate::registry::Store;
use crate::settings::Settings;
use crate::stack::Stack;
use crate::state_dir::StateDir;
use crate::timestamp::Timestamp;

mod assign;
mod completions;
mod doctor;
mod down;
mod env;
mod init;
mod port;
mod ports;
mod status;
mod up;
mod who;

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
            PortsCommand::Who(args) => who::run(args, context),
            PortsCommand::Reset => ports::reset(context),
        },
        Command::Doctor(args) => doctor::run(args, context),
        Command::Completions(args) => completions::run(args, context),
    }
}

/// What every command gets: the settings resolved once, the one registry store,
/// and the printer.
pub struct Context<'a> {
    pub settings: Settings<'a>,
    pub printer: Printer,
    store: Store,
}

impl<'a> Context<'a> {
    pub fn new(settings: Settings<'a>, printer: Printer) -> Self {
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
        }
    }

    /// The registry, with lock waits announced through the printer.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The directory the command runs in (`-C`), which relative paths start from.
    pub fn directory(&self) -> &Path {
        &self.settings.global.directory
    }

    pub fn project(&self) -> Result<Project, Error> {
        Ok(Project::discover(self.directory())?)
    }

    /// The project's compose stack: files, compose project name, service hint.
    pub fn stack(&self, project: &Project) -> Result<Stack, Error> {
        Ok(Stack::load(project, &self.settings.compose)?)
    }

    pub fn now(&self) -> Timestamp {
        Timestamp::from_system_time(SystemTime::now())
    }

    /// The compose command, from `IRIS_DEV_COMPOSE` or found on the PATH;
    /// remembered in the project's cache while the binaries it could be stay the
    /// same.
    pub fn compose(&self, project: &Project, state: &mut StateDir) -> Result<Compose, Error> {
        let settings = &self.settings;
        let key = compose::detect::cache_key(&settings.compose, &settings.docker);
        let compose = match state.cache().compose(&key) {
            Some(compose) => compose,
            None => {
                let compose = compose::detect::detect(
                    &DuctRunner,
                    settings.compose.command.as_deref(),
                    &project.root,
                )?;
                state.update_cache(|cache| cache.set_compose(key, &compose));
                compose
            }
        };
        self.printer
            .note(format_args!("using {}", compose.display_name()));
        Ok(compose)
    }

    /// The Docker endpoint, as Docker's CLI would pick it.
    pub fn endpoint(&self) -> Endpoint {
        engine::docker::discover_endpoint(&self.settings.docker, &DuctRunner, self.directory())
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
}
