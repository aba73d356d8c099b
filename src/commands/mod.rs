//! One module per subcommand. A command is glue: resolve settings, take the lock,
//! call the core, print. Anything worth a unit test lives in a core module.

use std::path::PathBuf;
use std::time::SystemTime;

use crate::allocate::{self, Outcome, Request};
use crate::cli::{Command, PortsCommand};
use crate::error::Error;
use crate::printer::Printer;
use crate::probe::BindProbe;
use crate::project::Project;
use crate::registry::{Assignment, Store};
use crate::settings::{Env, GlobalSettings, PortSettings, RegistrySettings};
use crate::timestamp::Timestamp;

mod completions;
mod env;
mod port;
mod ports;

/// What every command gets: resolved global settings, the environment and the printer.
pub struct Context<'a> {
    pub global: GlobalSettings,
    pub env: Env<'a>,
    pub printer: Printer,
}

pub fn dispatch(command: Command, context: &Context<'_>) -> Result<(), Error> {
    match command {
        Command::Port(args) => port::run(args, context),
        Command::Env(args) => env::run(args, context),
        Command::Ports(args) => match args.command {
            PortsCommand::List(args) => ports::list(args, context),
            PortsCommand::Inspect(args) => ports::inspect(args, context),
            PortsCommand::Clear(args) => ports::clear(args, context),
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

    /// The project's ports, assigned under the registry lock if it has none.
    pub fn resolve_ports(
        &self,
        project: &Project,
        ports: &PortSettings,
    ) -> Result<Assignment, Error> {
        let now = self.now();
        let request = Request {
            project: project.key(),
            port: ports.port,
            web_port: ports.web_port,
            range: ports.range,
            now: &now,
        };
        let outcome = self.with_store(|store| {
            store.update(|registry| {
                allocate::resolve(registry, &request, &BindProbe).map_err(|source| Error::Alloc {
                    project: project.key().to_owned(),
                    source,
                })
            })
        })?;
        self.report_outcome(&outcome);
        Ok(outcome.assignment)
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
