//! `up`'s workflow, as the steps it takes: [`plan`] (the ports, the merged
//! config, the override), [`preflight`] (every fixed host port and name, before
//! anything starts), [`Up::start`] (compose, attempt by attempt, with the
//! registry put back on failure), the `.env` line ([`dotenv`]) and [`wait`]
//! (until IRIS is ready). The command (`commands/up.rs`) resolves the settings,
//! project, stack and compose, calls these, and reports.
//!
//! The engine, the process runner, the clock and the host's ports come in
//! through traits ([`Engine`], the context's [`crate::edges::process::Runner`]
//! and [`crate::core::timestamp::Clock`], [`HostPorts`]), so the tests below
//! run whole attempts against fakes. Decisions live in the core:
//! [`allocate::next_attempt`], [`override_file::stack_services`],
//! [`owner::taken_for_up`].

mod dotenv;
mod plan;
mod preflight;
mod wait;

use crate::cli::error::Error;
use crate::cli::settings::UpSettings;
use crate::core::allocate::{self, HostPorts, NextAttempt, Pins};
use crate::core::compose::{self, Compose};
use crate::core::connection::compose_env;
use crate::core::engine::{Endpoint, Engine, Listing};
use crate::core::owner;
use crate::core::project::Project;
use crate::core::registry::{Assignment, transition};
use crate::core::stack::{self, Stack};
use crate::edges::state_dir::StateDir;
use crate::workflows::assign::{self, Assigned, Mode, Target};
use crate::workflows::context::Context;
use crate::workflows::who;

pub use plan::Plan;

/// How many times `up` runs compose: the first try, and one more for each time
/// the engine refuses an IRIS port that iris-dev may move.
const MAX_ATTEMPTS: usize = 4;

/// One `up`: what it works on, and the effects it reaches the world through
/// besides the context's runner and clock.
pub struct Up<'a> {
    pub context: &'a Context<'a>,
    pub settings: &'a UpSettings,
    pub project: &'a Project,
    pub stack: &'a Stack,
    pub compose: &'a Compose,
    pub endpoint: &'a Endpoint,
    /// The engine's client; `None` when `up` goes ahead without one.
    pub engine: Option<&'a dyn Engine>,
    /// The bind test for host ports.
    pub host: &'a dyn HostPorts,
}

/// A stack compose started.
#[derive(Debug)]
pub struct Started {
    /// The project's ports, its stack ports included.
    pub assignment: Assignment,
    /// The IRIS service.
    pub service: String,
}

impl Up<'_> {
    /// The engine's containers now, or a note that nothing is marked stale and
    /// what the engine publishes is not checked.
    fn list(&self) -> Option<Listing> {
        let engine = self.engine?;
        Listing::of(engine, self.context.now())
            .inspect_err(|err| {
                self.context.printer.note(format_args!(
                    "{err}; nothing is marked stale, and ports the engine publishes are not checked"
                ));
            })
            .ok()
    }

    /// Runs `compose up -d` until it succeeds, moving unpinned IRIS ports the
    /// engine refuses; records the started stack. A failure puts the registry
    /// back as it was before (see [`transition::restore`]). `first` is the
    /// first attempt's listing when the caller has one as fresh (the one the
    /// stack was named from); every later attempt asks again.
    pub fn start(
        &self,
        state: &mut StateDir,
        mut first: Option<Listing>,
    ) -> Result<Started, Error> {
        let printer = &self.context.printer;
        let mut avoid = Vec::new();
        let mut stack_avoid = Vec::new();
        let mut before: Option<Assigned> = None;
        for attempt in 1..=MAX_ATTEMPTS {
            // One listing per attempt, which every step of the attempt reads.
            let listing = first.take().or_else(|| self.list());
            let assigned = self.assign(listing.as_ref(), &avoid, Mode::Reserve);
            // A later attempt that cannot assign puts back what the earlier ones
            // changed, like every other failure.
            let mut assigned = match (assigned, &before) {
                (Ok(assigned), _) => assigned,
                (Err(error), None) => return Err(error),
                (Err(error), Some(before)) => return Err(self.restore(before, error)),
            };
            let assignment = assigned.assignment.clone();
            let before = match &mut before {
                Some(before) => {
                    before.evicted.append(&mut assigned.evicted);
                    &*before
                }
                None => before.insert(assigned),
            };
            let failed = |error: Error| self.restore(before, error);
            // `compose config` takes seconds on a cold project: Ctrl-C there
            // is reported too, and nothing has started yet.
            crate::edges::interrupt::catch();
            let plan = self.plan(
                &assignment,
                before.previous.as_ref(),
                listing.as_ref(),
                &stack_avoid,
                Mode::Reserve,
                state,
            );
            if crate::edges::interrupt::requested() {
                return Err(failed(Error::Interrupted {
                    doing: format!(
                        "reading the compose configuration of `{}`; nothing was started, and its ports are as they were",
                        self.project.key()
                    ),
                    started: false,
                }));
            }
            let plan = plan.map_err(failed)?;
            let assignment = plan.assignment.clone();
            if attempt == 1 && plan.old_layout {
                self.old_layout_note(&plan.service);
            }
            state
                .write_override(&plan.written)
                .map_err(|err| failed(err.into()))?;
            if self.stack.template {
                state
                    .write_template(stack::TEMPLATE)
                    .map_err(|err| failed(err.into()))?;
            }
            state.save().map_err(|err| failed(err.into()))?;

            printer.status(
                "starting",
                format_args!(
                    "IRIS for `{}` on port {} ({})",
                    self.project.key(),
                    assignment.port,
                    self.stack.name
                ),
            );
            let mut refused = Vec::new();
            let code = self
                .context
                .runner()
                .stream(&plan.invocation, &mut |line| {
                    if let Some(refusal) = compose::port_refusal(line) {
                        refused.push(refusal.map(|refusal| refusal.port));
                    }
                    printer.passthrough(line);
                })
                .map_err(|err| failed(err.into()))?;
            if crate::edges::interrupt::requested() {
                // The containers may be coming up: keep the reservation.
                return Err(Error::Interrupted {
                    doing: format!(
                        "`{}` ran; the containers may be partly started",
                        plan.invocation
                    ),
                    started: true,
                });
            }
            if code == 0 {
                if let Err(error) = self.record_started(&plan.service) {
                    // The stack runs; only the registry could not say so.
                    printer.warn(format_args!(
                        "compose started `{}`, but the registry could not record it ({error}); it keeps its ports as a reservation, and `iris-dev up` again records it",
                        self.stack.name
                    ));
                }
                return Ok(Started {
                    assignment,
                    service: plan.service,
                });
            }
            let compose_failed = Error::ComposeFailed {
                command: plan.invocation.to_string(),
                code,
            };
            let pins = Pins {
                port: self.settings.ports.port.is_some(),
                web_port: self.settings.ports.web_port.is_some(),
            };
            match allocate::next_attempt(&refused, &assignment, pins) {
                NextAttempt::GiveUp => return Err(failed(compose_failed)),
                NextAttempt::Retry {
                    avoid: more,
                    stack_avoid: more_stack,
                } if attempt < MAX_ATTEMPTS => {
                    let ports: Vec<u16> = more.iter().chain(&more_stack).copied().collect();
                    printer.warn(format_args!(
                        "the engine refused port {}; trying the next free ports",
                        list(&ports)
                    ));
                    avoid.extend(more);
                    stack_avoid.extend(more_stack);
                }
                NextAttempt::Retry { .. } => return Err(failed(compose_failed)),
                NextAttempt::Pinned { port } => {
                    let owners = port
                        .map(|port| who::owners_for_error(self.context, port))
                        .unwrap_or_default();
                    return Err(failed(Error::PinnedRefused {
                        project: self.project.key().to_owned(),
                        port,
                        pinned: assignment.port,
                        owners,
                        pinned_by: self.settings.ports.pinned_by,
                    }));
                }
                NextAttempt::Foreign { port } => {
                    let fixed = plan.config.fixed_host_ports(&plan.service);
                    let published = fixed.iter().find(|fixed| fixed.port == port);
                    let owners = owner::others(
                        who::owners_for_error(self.context, port),
                        self.project.key(),
                    );
                    let env = compose_env(&plan.assignment);
                    return Err(failed(Error::FixedPorts {
                        entries: vec![self.port_taken(port, published, owners, &env)],
                        compose: self.compose.display_name(),
                    }));
                }
            }
        }
        unreachable!("the last attempt returns")
    }

    fn assign(
        &self,
        listing: Option<&Listing>,
        avoid: &[u16],
        mode: Mode,
    ) -> Result<Assigned, Error> {
        let target = Target {
            project: self.project,
            ports: &self.settings.ports,
            endpoint: self.endpoint,
            listing,
            bind: self.settings.bind,
            avoid,
            compose_project: Some(self.stack.compose_project()),
        };
        assign::resolve(self.context, &target, mode)
    }

    /// Puts the registry back as it was before this `up`, then returns `error`;
    /// a failure to do so is reported with it.
    fn restore(&self, before: &Assigned, error: Error) -> Error {
        let restored = self.context.store().update(|registry| {
            transition::restore(
                registry,
                self.project.key(),
                before.previous.as_ref(),
                &before.evicted,
                before.moved.as_ref(),
            );
            Ok::<_, Error>(())
        });
        if let Err(restore_error) = restored {
            self.context.printer.warn(format_args!(
                "could not put `{}`'s ports back as they were: {restore_error}",
                self.project.key()
            ));
        }
        error
    }

    /// Records the started stack, which makes the assignment able to go stale.
    fn record_started(&self, service: &str) -> Result<(), Error> {
        let key = self.project.key();
        // A listing of its own: the attempt's was taken before compose ran.
        let container_name = self
            .engine
            .and_then(|engine| engine.containers().ok())
            .and_then(|containers| {
                containers
                    .into_iter()
                    .find(|container| self.is_own(container))
            })
            .map(|container| container.name);
        let started = transition::Started {
            compose_project: self.stack.compose_project(),
            service,
            container_name: container_name.as_deref(),
            bind: self.settings.bind,
            at: &self.context.now(),
        };
        self.context.store().update(|registry| {
            transition::record_started(registry, key, &started);
            Ok(())
        })
    }
}

fn list(ports: &[u16]) -> String {
    ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(" and ")
}

#[cfg(test)]
mod tests {
    //! Whole attempts of `up` against fakes: a scripted runner (compose),
    //! an engine that counts its listings, a fixed clock and a bind test that
    //! finds every port free. The registry is a real one in a temporary
    //! directory; no process starts and no port is bound.

    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;
    use std::ffi::OsString;
    use std::io;
    use std::path::PathBuf;
    use std::rc::Rc;
    use std::time::Duration;

    use clap::Parser;

    use super::*;
    use crate::cli::printer::Printer;
    use crate::cli::settings::{GlobalSettings, Settings};
    use crate::cli::{Cli, Command};
    use crate::core::compose::Version;
    use crate::core::engine::{
        Container, ContainerState, EngineError, ExecResult, Health, Labelled,
    };
    use crate::core::invocation::Invocation;
    use crate::core::registry::Registry;
    use crate::core::stack::{Seen, Sources};
    use crate::core::timestamp::{Clock, Timestamp};
    use crate::edges::process::{Captured, Runner};
    use crate::workflows::context::Effects;

    /// `compose config` answers with `config`; each `compose up` takes the
    /// next `(output lines, exit code)` of `ups`.
    struct Compose {
        config: String,
        ups: RefCell<VecDeque<(Vec<String>, i32)>>,
        calls: Rc<RefCell<Vec<Invocation>>>,
    }

    impl Runner for Compose {
        fn capture(&self, invocation: &Invocation) -> io::Result<Captured> {
            self.calls.borrow_mut().push(invocation.clone());
            if invocation.argv.iter().any(|arg| arg == "config") {
                return Ok(Captured {
                    code: 0,
                    stdout: self.config.clone(),
                    stderr: String::new(),
                });
            }
            Err(io::Error::new(io::ErrorKind::NotFound, "not scripted"))
        }

        fn stream(
            &self,
            invocation: &Invocation,
            on_line: &mut dyn FnMut(&str),
        ) -> io::Result<i32> {
            self.calls.borrow_mut().push(invocation.clone());
            let (lines, code) = self.ups.borrow_mut().pop_front().expect("a scripted up");
            lines.iter().for_each(|line| on_line(line));
            Ok(code)
        }

        fn interactive(&self, _invocation: &Invocation) -> io::Result<i32> {
            Err(io::Error::new(io::ErrorKind::Unsupported, "not in up"))
        }
    }

    struct Fixed;

    impl Clock for Fixed {
        fn now(&self) -> Timestamp {
            Timestamp::parse("2026-12-02T05:00:00+00:00").unwrap()
        }
    }

    /// No containers, ever; counts how often it was asked.
    #[derive(Default)]
    struct Empty {
        listings: Cell<usize>,
    }

    impl Engine for Empty {
        fn containers(&self) -> Result<Vec<Container>, EngineError> {
            self.listings.set(self.listings.get() + 1);
            Ok(Vec::new())
        }
        fn volumes(&self) -> Result<Vec<Labelled>, EngineError> {
            Ok(Vec::new())
        }
        fn networks(&self) -> Result<Vec<Labelled>, EngineError> {
            Ok(Vec::new())
        }
        fn health(&self, _id: &str) -> Result<Health, EngineError> {
            unreachable!("up's attempts do not ask for health")
        }
        fn state(&self, _id: &str) -> Result<ContainerState, EngineError> {
            unreachable!("up's attempts do not inspect")
        }
        fn logs(
            &self,
            _: &str,
            _: Option<i64>,
            _: Option<i64>,
            _: usize,
        ) -> Result<Vec<String>, EngineError> {
            unreachable!("up's attempts read no log")
        }
        fn health_check(&self, _id: &str) -> Result<Option<Vec<String>>, EngineError> {
            unreachable!("up's attempts run no check")
        }
        fn exec(&self, _: &str, _: &[String], _: Duration) -> Result<ExecResult, EngineError> {
            unreachable!("up's attempts exec nothing")
        }
    }

    const BASE: &str = "services:\n  iris:\n    image: intersystemsdc/iris-community\n";

    struct World {
        temp: tempfile::TempDir,
        calls: Rc<RefCell<Vec<Invocation>>>,
    }

    impl World {
        fn root(&self) -> PathBuf {
            self.temp.path().join("shop")
        }

        fn registry(&self) -> Registry {
            let text = fs_err::read(self.temp.path().join("home/port-registry.json")).unwrap();
            Registry::parse(&text).unwrap()
        }

        fn ups(&self) -> Vec<Invocation> {
            let calls = self.calls.borrow();
            calls
                .iter()
                .filter(|call| call.argv.iter().any(|arg| arg == "up"))
                .cloned()
                .collect()
        }
    }

    /// Runs `up` (with `extra` environment) against compose answering `ups`.
    fn up(
        extra: &[(&str, &str)],
        ups: Vec<(Vec<String>, i32)>,
    ) -> (World, Result<Started, Error>, usize) {
        up_listed(extra, ups, false)
    }

    /// [`up`], given the first attempt's listing when `listed` (as
    /// `commands::up` passes the stack's).
    fn up_listed(
        extra: &[(&str, &str)],
        ups: Vec<(Vec<String>, i32)>,
        listed: bool,
    ) -> (World, Result<Started, Error>, usize) {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path().join("shop");
        fs_err::create_dir_all(&root).unwrap();
        fs_err::write(root.join("compose.yaml"), BASE).unwrap();
        let home = temp.path().join("home");
        let unreachable = format!("unix://{}", temp.path().join("no-engine.sock").display());
        let mut vars: Vec<(String, String)> = vec![
            ("HOME".into(), home.display().to_string()),
            ("IRIS_DEV_HOME".into(), home.display().to_string()),
            ("IRIS_DEV_PORT_RANGE".into(), "10200-10209".into()),
            ("DOCKER_HOST".into(), unreachable),
        ];
        vars.extend(
            extra
                .iter()
                .map(|(name, value)| ((*name).into(), (*value).into())),
        );
        let env = move |name: &str| {
            vars.iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| OsString::from(value))
        };
        let global = GlobalSettings {
            directory: root.clone(),
            quiet: true,
            verbose: false,
            color: false,
            color_off: false,
            files: Vec::new(),
            profiles: Vec::new(),
            env_file: None,
        };
        let settings = Settings::resolve(global, &env).unwrap();
        let calls = Rc::new(RefCell::new(Vec::new()));
        let runner = Compose {
            config: BASE.to_owned(),
            ups: RefCell::new(ups.into()),
            calls: Rc::clone(&calls),
        };
        let effects = Effects {
            runner: Box::new(runner),
            clock: Box::new(Fixed),
        };
        let context =
            Context::with_effects(settings, Printer::new(true, false, false, false), effects);
        let Command::Up(args) = Cli::try_parse_from(["iris-dev", "up", "--no-wait"])
            .unwrap()
            .command
        else {
            unreachable!()
        };
        let up_settings = UpSettings::resolve(args, &context.settings);
        let project = Project::new(
            fs_err::canonicalize(&root).unwrap(),
            vec![root.join("compose.yaml")],
            Default::default(),
            None,
        )
        .unwrap();
        let registry = Registry::empty();
        let seen = Seen {
            registry: &registry,
            engine: None,
            containers: &[],
        };
        let sources = Sources {
            base_texts: &[BASE],
            local_override: None,
            dotenv: None,
        };
        let stack = Stack::resolve(&project, sources, &seen).unwrap();
        let compose = crate::core::compose::Compose {
            command: vec!["docker".into(), "compose".into()],
            version: Some(Version(2, 40, 3)),
            docker_host: None,
        };
        let endpoint = Endpoint::new("unix:///var/run/docker.sock");
        let engine = Empty::default();
        let free = |_: u16| true;
        let up = Up {
            context: &context,
            settings: &up_settings,
            project: &project,
            stack: &stack,
            compose: &compose,
            endpoint: &endpoint,
            engine: Some(&engine),
            host: &free,
        };
        let mut state = StateDir::open(&project.root);
        let first = listed.then(|| Listing::of(&Empty::default(), context.now()).unwrap());
        let started = up.start(&mut state, first);
        let listings = engine.listings.get();
        (World { temp, calls }, started, listings)
    }

    fn refusal(port: u16) -> (Vec<String>, i32) {
        let line = format!(
            "Error response from daemon: driver failed programming external connectivity on endpoint shop-iris-1: Bind for 127.0.0.1:{port} failed: port is already allocated"
        );
        (vec![line], 1)
    }

    fn variable(invocation: &Invocation, name: &str) -> Option<String> {
        invocation
            .env
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    }

    #[test]
    fn a_refused_iris_port_moves_and_the_next_attempt_records_the_stack() {
        let (world, started, listings) = up(&[], vec![refusal(10_200), (vec![], 0)]);
        let started = started.unwrap();
        assert_eq!(started.assignment.port, 10_201);
        assert_eq!(started.service, "iris");
        let ups = world.ups();
        assert_eq!(ups.len(), 2);
        assert_eq!(variable(&ups[0], "IRIS_PORT").as_deref(), Some("10200"));
        assert_eq!(variable(&ups[1], "IRIS_PORT").as_deref(), Some("10201"));
        // One listing per attempt, and one to name the started container.
        assert_eq!(listings, 3);
        let registry = world.registry();
        let entry = registry
            .find(world.root().canonicalize().unwrap().to_str().unwrap())
            .unwrap();
        assert_eq!(entry.port, 10_201);
        assert!(entry.compose_project.is_some(), "{entry:?}");
        assert!(entry.started_at.is_some(), "{entry:?}");
    }

    #[test]
    fn the_first_attempt_reads_the_listing_it_is_given_and_later_ones_ask_again() {
        let (_, started, listings) = up_listed(&[], vec![(vec![], 0)], true);
        started.unwrap();
        // Only the started container is looked up.
        assert_eq!(listings, 1);
        let (_, started, listings) = up_listed(&[], vec![refusal(10_200), (vec![], 0)], true);
        assert_eq!(started.unwrap().assignment.port, 10_201);
        assert_eq!(listings, 2, "the second attempt lists, and the record");
    }

    #[test]
    fn a_refused_pin_stops_and_puts_the_registry_back() {
        let (world, started, listings) = up(&[("IRIS_DEV_PORT", "10205")], vec![refusal(10_205)]);
        let error = started.unwrap_err();
        assert!(
            matches!(
                error,
                Error::PinnedRefused {
                    port: Some(10_205),
                    ..
                }
            ),
            "{error:?}"
        );
        assert_eq!(world.ups().len(), 1);
        assert_eq!(listings, 1);
        assert!(
            world.registry().assignments.is_empty(),
            "the reservation is undone"
        );
    }

    #[test]
    fn a_failure_that_is_no_refusal_gives_up_at_once() {
        let no_image = (vec!["Error: pull access denied".to_owned()], 18);
        let (world, started, _) = up(&[], vec![no_image]);
        let error = started.unwrap_err();
        assert!(
            matches!(error, Error::ComposeFailed { code: 18, .. }),
            "{error:?}"
        );
        assert_eq!(world.ups().len(), 1);
        assert!(world.registry().assignments.is_empty());
    }

    #[test]
    fn four_refusals_are_the_last_attempt() {
        let ups = (0..4).map(|n| refusal(10_200 + n)).collect();
        let (world, started, listings) = up(&[], ups);
        assert!(
            matches!(started, Err(Error::ComposeFailed { .. })),
            "{started:?}"
        );
        assert_eq!(world.ups().len(), MAX_ATTEMPTS);
        assert_eq!(listings, MAX_ATTEMPTS);
        assert!(world.registry().assignments.is_empty());
    }
}
