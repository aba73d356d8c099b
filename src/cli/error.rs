//! The one error every command returns: what went wrong, why, how to fix it, and
//! which exit code that is.
//!
//! Area errors (`StoreError`, `AllocError`, ...) say what failed; this module adds
//! the hints, written as commands the user can run.

use std::io;

use std::path::{Path, PathBuf};

use crate::cli::settings::PinnedBy;
use crate::cli::settings::SettingsError;
use crate::core::allocate::{AllocError, PortRange, RangeKind};
use crate::core::compose::ComposeError;
use crate::core::compose::config::NameKind;
use crate::core::engine::EngineError;
use crate::core::env_vars;
use crate::core::owner::{self, Owner};
use crate::core::project::ProjectError;
use crate::core::registry::Assignment;
use crate::core::shell;
use crate::core::stack::StackError;
use crate::edges::registry_file::StoreError;
use crate::workflows::ready::WaitError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Project(#[from] ProjectError),
    #[error("cannot assign ports to `{project}`")]
    Alloc {
        project: String,
        #[source]
        source: AllocError,
        /// Who holds the ports the error says are taken, each with its port:
        /// the pinned one of `Held` and `Busy`, those of an exhausted range
        /// the registry does not explain (`commands::who::with_owners`).
        owners: Vec<(u16, Owner)>,
        /// How the ports were pinned, so the hints name the flag or variable.
        pinned_by: PinnedBy,
    },
    #[error("no port assignment for {}", list(projects))]
    NotAssigned { projects: Vec<String> },
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error(transparent)]
    Compose(#[from] ComposeError),
    /// Compose ran and failed; its own output has already been shown.
    #[error("`{command}` failed with exit code {code}")]
    ComposeFailed { command: String, code: i32 },
    /// A command whose terminal was the user's (`iris-dev compose`, `session`)
    /// ended with this code; it said what it had to say, so iris-dev only
    /// passes the code on (and names the command with `--verbose`).
    #[error("`{command}` exited with code {code}")]
    PassedThrough { command: String, code: i32 },
    /// A settings file iris-dev edits is not JSON with comments; nothing was written.
    #[error("cannot edit `{}`: {error}", file.display())]
    Jsonc {
        file: PathBuf,
        error: crate::core::jsonc::ParseError,
    },
    /// `down --all` stopped some projects and not these; each was reported.
    #[error("cannot stop {}", list(projects))]
    StopFailed { projects: Vec<String> },
    #[error("cannot read the output of `{command}`")]
    ComposeConfig { command: String, message: String },
    #[error(transparent)]
    Stack(#[from] StackError),
    /// Fixed host ports of the stack that cannot be published as the compose
    /// file has them: every one in one error, each with its file, line and fix
    /// (issue 18 §2).
    #[error("{}", fixed_ports(entries))]
    FixedPorts {
        entries: Vec<FixedPort>,
        /// The compose in use, which cannot replace a base file's list.
        compose: String,
    },
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("IRIS for `{project}` is not ready")]
    NotReady {
        project: String,
        logs: String,
        /// `iris-dev down` for the project, for a container that keeps restarting.
        down: String,
        /// The compose file and line that pins the image, for a failure a newer
        /// image fixes.
        image_line: Option<Box<ImageLine>>,
        #[source]
        source: Box<WaitError>,
    },
    #[error("`{}` already exists", path.display())]
    AlreadyExists { path: PathBuf },
    #[error("interrupted while {doing}")]
    Interrupted {
        doing: String,
        /// Whether compose may have started containers by then.
        started: bool,
    },
    #[error("{}", pinned_refused(project, *port, *pinned))]
    PinnedRefused {
        project: String,
        /// The refused port, when the engine named it.
        port: Option<u16>,
        /// The project's superserver port.
        pinned: u16,
        /// Who holds the refused port, when the engine named it.
        owners: Vec<Owner>,
        /// How the ports were pinned, so the hints name the flag or variable.
        pinned_by: PinnedBy,
    },
    #[error("{failed} check(s) failed")]
    ChecksFailed { failed: usize },
    #[error("the engine at `{endpoint}` is not an `ssh://` engine, so there is nothing to tunnel")]
    NoTunnel { endpoint: String },
    #[error("`{command}` ended with exit code {code}")]
    TunnelEnded { command: String, code: i32 },
    #[error("{}", name_taken(.0))]
    NameTaken(Box<NameTaken>),
    /// `up` cannot write `.iris-dev/` in the project; found before anything ran.
    #[error("cannot write iris-dev's files in `{}`", dir.display())]
    NotWritable {
        /// The directory that refused: the project's root, or its `.iris-dev/`.
        dir: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// One fixed host port of [`Error::FixedPorts`].
#[derive(Debug)]
pub struct FixedPort {
    /// `IRIS's port 1972` or `port 80 of service `web``; `None` when the
    /// engine refused a port no entry publishes.
    pub what: Option<String>,
    pub port: String,
    /// Another project or program holds it; else it is a port iris-dev
    /// assigns, which the base file fixes and compose cannot replace.
    pub taken: bool,
    /// Who holds it, when it is taken.
    pub owners: Vec<Owner>,
    pub file: PathBuf,
    pub line: Option<(usize, String)>,
    /// The edit that fixes it ([`crate::core::compose::port_advice`]).
    pub fix: String,
}

impl FixedPort {
    fn sentence(&self) -> String {
        let why = if self.taken {
            "which is taken"
        } else {
            "which collides with other projects"
        };
        match &self.what {
            Some(what) => format!(
                "`{}` publishes {what} on host port {}, {why}",
                self.file.display(),
                self.port
            ),
            None => format!("host port {} is taken", self.port),
        }
    }
}

fn fixed_ports(entries: &[FixedPort]) -> String {
    match entries {
        [entry] => entry.sentence(),
        _ => format!(
            "{} fixed host ports of the stack cannot be published as the compose file has them",
            entries.len()
        ),
    }
}

/// A name the stack fixes that another compose project already uses on the
/// engine (issue 8 §4).
#[derive(Debug)]
pub struct NameTaken {
    pub kind: NameKind,
    pub name: String,
    /// The service, volume or network that fixes the name.
    pub owner: String,
    /// The compose project whose container, volume or network has it; `None`
    /// for a container compose did not start.
    pub other: Option<String>,
    /// That compose project's iris-dev project, when the registry records it.
    pub other_path: Option<String>,
    pub file: PathBuf,
    pub line: Option<(usize, String)>,
}

fn name_taken(taken: &NameTaken) -> String {
    let NameTaken {
        kind,
        name,
        owner,
        other,
        other_path,
        ..
    } = taken;
    let of = match kind {
        NameKind::Container => format!("service `{owner}`"),
        NameKind::Volume | NameKind::Network => format!("{kind} `{owner}`"),
    };
    let holder = match (other, other_path) {
        (Some(other), Some(path)) => {
            format!("compose project `{other}` (iris-dev project `{path}`)")
        }
        (Some(other), None) => format!("compose project `{other}`"),
        (None, _) => "a container compose did not start".to_owned(),
    };
    format!("{kind} name `{name}` of {of} is already used by {holder}")
}

fn pinned_refused(project: &str, port: Option<u16>, pinned: u16) -> String {
    match port {
        Some(port) if port == pinned => {
            format!("the engine refuses port {port}, which is pinned for `{project}`")
        }
        Some(port) => format!(
            "the engine refuses web port {port} of `{project}`, which goes with pinned port \
             {pinned}"
        ),
        None => format!(
            "the engine refuses a port of `{project}`, whose ports are pinned, so iris-dev does not \
             move them"
        ),
    }
}

/// An error laid out for people.
#[derive(Debug, Default, PartialEq)]
pub struct Report {
    pub message: String,
    pub causes: Vec<String>,
    /// Supporting lines, such as the assignments that fill a range.
    pub details: Vec<String>,
    pub hints: Vec<String>,
}

impl Error {
    /// 2 for bad usage, compose's own code when compose failed, else 1.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Settings(_) => 2,
            Self::ComposeFailed { code, .. } | Self::PassedThrough { code, .. } => {
                u8::try_from(*code)
                    .ok()
                    .filter(|&code| code != 0)
                    .unwrap_or(1)
            }
            // The shell's convention for SIGINT: 128 + 2.
            Self::Interrupted { .. } => 130,
            _ => 1,
        }
    }

    pub fn report(&self) -> Report {
        let mut causes = Vec::new();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            causes.push(cause.to_string());
            source = cause.source();
        }
        let mut report = Report {
            message: self.to_string(),
            causes,
            ..Report::default()
        };
        self.explain(&mut report);
        report
    }

    /// Adds what to do: each area's error says its own hints (next to the code
    /// that knows them); the rest are this error's.
    fn explain(&self, report: &mut Report) {
        let hints = match self {
            Self::Settings(error) => vec![error.hint()],
            Self::Store(error) => error.hints(),
            Self::Compose(error) => error.hints(),
            Self::Stack(StackError::Parse { message, .. })
            | Self::ComposeConfig { message, .. } => {
                report.causes.push(message.clone());
                Vec::new()
            }
            Self::Stack(error) => error.hints(&|path| Path::new(path).is_dir()),
            Self::Alloc {
                source,
                owners,
                pinned_by,
                ..
            } => return explain_alloc(source, owners, *pinned_by, report),
            Self::PinnedRefused {
                port,
                pinned,
                owners,
                pinned_by,
                ..
            } => {
                held_by(owners, &mut report.details);
                pinned_refused_hints(port.unwrap_or(*pinned), *pinned_by)
            }
            Self::NameTaken(taken) => name_taken_hints(taken, &mut report.details),
            Self::FixedPorts { entries, compose } => {
                return explain_fixed_ports(entries, compose, report);
            }
            Self::NotReady {
                logs,
                down,
                image_line,
                source,
                ..
            } => {
                if let WaitError::Failed(failure) = &**source {
                    explain_failure(failure, down, image_line.as_deref(), report);
                }
                let mut hints = vec![format!("see what IRIS said: `{logs}`")];
                if matches!(**source, WaitError::Timeout { .. }) {
                    hints.push("or wait longer: `iris-dev up --wait-timeout 600`".into());
                }
                hints
            }
            Self::Engine(_) => vec![format!(
                "is the engine running? `docker info` checks it; `{}` or the docker context \
                 picks which engine",
                env_vars::DOCKER_HOST
            )],
            Self::NoTunnel { .. } => vec![format!(
                "point `{}` or the docker context at `ssh://USER@HOST` to run IRIS on another host",
                env_vars::DOCKER_HOST
            )],
            Self::TunnelEnded { .. } => vec![
                "ssh's own message above says why; another program may hold one of the ports \
                 on this machine (`iris-dev ports who PORT` names it)"
                    .into(),
            ],
            Self::NotAssigned { .. } => {
                vec!["see every assignment with `iris-dev ports list`".into()]
            }
            Self::Interrupted { started: true, .. } => vec![
                "`iris-dev status` shows what is running; `iris-dev down` stops it, \
                 `iris-dev up` tries again"
                    .into(),
            ],
            Self::Interrupted { started: false, .. } => vec!["`iris-dev up` starts it".into()],
            Self::NotWritable { dir, .. } => vec![format!(
                "`iris-dev up` keeps the compose override it generates in the project's \
                 `.iris-dev/`: make the directory writable (`{}`, as its owner), or work in a \
                 copy of the project you can write to",
                shell::join(["chmod", "u+w", &dir.display().to_string()])
            )],
            Self::AlreadyExists { .. } => {
                vec!["edit that file instead; `iris-dev up` uses it as it is".into()]
            }
            Self::Jsonc { file, .. } => vec![format!(
                "fix that line (or move the file aside) and run `iris-dev vscode` again; `{}` \
                 was not changed",
                file.display()
            )],
            Self::StopFailed { .. } => vec![
                "see why above; `iris-dev down` in a project's directory stops it alone".into(),
            ],
            Self::ComposeFailed { .. }
            | Self::PassedThrough { .. }
            | Self::ChecksFailed { .. }
            | Self::Project(_)
            | Self::Io(_) => Vec::new(),
        };
        report.hints.extend(hints);
    }
}

/// What to do when the engine refused a pinned port: see what holds it, then
/// repin or unpin the way the pin was given.
fn pinned_refused_hints(port: u16, pinned_by: PinnedBy) -> Vec<String> {
    let see = format!(
        "see what holds it: `iris-dev status`, or `{}`",
        crate::edges::platform::listeners_command(Some(port))
    );
    let change = match (pinned_by.how_to_repin(), pinned_by.how_to_unpin()) {
        (Some(repin), Some(unpin)) => {
            format!("or pin another port with {repin}, or let iris-dev choose: {unpin}")
        }
        _ => format!(
            "or pin other ports (`--port`, `--web-port`, `{}`, `{}`), or unset them and let \
             iris-dev choose",
            env_vars::IRIS_DEV_PORT,
            env_vars::IRIS_DEV_WEB_PORT
        ),
    };
    vec![see, change]
}

/// How to give a fixed name back to each project (or share it on purpose),
/// with the line that fixes it in `details`.
fn name_taken_hints(taken: &NameTaken, details: &mut Vec<String>) -> Vec<String> {
    let NameTaken {
        kind,
        name,
        owner,
        other_path,
        file,
        line,
        ..
    } = taken;
    let place = match line {
        Some((number, text)) => {
            details.push(format!("{number:>5} | {text}"));
            format!("`{}` line {number}", file.display())
        }
        None => format!("`{}`", file.display()),
    };
    let separator = match kind {
        NameKind::Container => '-',
        NameKind::Volume | NameKind::Network => '_',
    };
    let mut hints = vec![format!(
        "give each project its own name in {place}: `{key}: ${{{variable}}}-{owner}`, or remove \
         the line (compose then names it `<project>{separator}{owner}`)",
        key = kind.key(),
        variable = env_vars::COMPOSE_PROJECT_NAME,
    )];
    if *kind != NameKind::Container {
        hints.push(format!(
            "or, to share it on purpose, mark it `external: true` and create it once: `{}`",
            shell::join(["docker", &kind.to_string(), "create", name])
        ));
    }
    if let Some(path) = other_path {
        hints.push(format!(
            "or stop the other project first: `{}`",
            shell::join(["iris-dev", "down", "-C", path])
        ));
    }
    hints
}

/// Each fixed port with its line and fix; one alone as the message and hints.
fn explain_fixed_ports(entries: &[FixedPort], compose: &str, report: &mut Report) {
    let single = entries.len() == 1;
    for entry in entries {
        let indent = if single {
            ""
        } else {
            report.details.push(format!("- {}", entry.sentence()));
            "  "
        };
        for owner in &entry.owners {
            report.details.push(format!("{indent}  held by {owner}"));
        }
        let place = match &entry.line {
            Some((number, text)) => {
                report.details.push(format!("{indent}{number:>5} | {text}"));
                format!("`{}` line {number}", entry.file.display())
            }
            None => format!("`{}`", entry.file.display()),
        };
        let fix = format!("in {place}, {}", entry.fix);
        if single {
            report.hints.push(fix);
        } else {
            report.details.push(format!("{indent}fix: {fix}"));
        }
    }
    if entries.iter().any(|entry| !entry.taken) {
        report.hints.push(format!(
            "{compose} cannot replace a base file's `ports` (`!override` needs compose 2.24.4 or \
             newer), so the base file must publish the ports iris-dev assigns; nothing was started"
        ));
    }
    let taken: Vec<&str> = entries
        .iter()
        .filter(|entry| entry.taken)
        .map(|entry| entry.port.as_str())
        .collect();
    if !taken.is_empty() {
        let them = if taken.len() == 1 { "it" } else { "them" };
        report.hints.push(format!(
            "or free {them}; `iris-dev ports who {}` says who holds {them}",
            taken.join(" ")
        ));
    }
}

/// The compose file that names an image, and the line, when one does.
pub type ImageLine = (PathBuf, Option<(usize, String)>);

/// What the log said of a failed start, and the fix (issue 19).
fn explain_failure(
    failure: &crate::workflows::ready::Failure,
    down: &str,
    image_line: Option<&ImageLine>,
    report: &mut Report,
) {
    let Report { details, hints, .. } = report;
    match &failure.known {
        Some((known, line)) => {
            details.push(format!("its log: {line}"));
            hints.push(known.cause.fix().to_owned());
            if known.cause.wants_newer_image() {
                let image = &failure.image;
                match image_line {
                    Some((file, Some((number, text)))) => {
                        hints.push(format!(
                            "the image `{image}` is named in `{}` line {number}: `{}`",
                            file.display(),
                            text.trim()
                        ));
                    }
                    Some((file, None)) => hints.push(format!(
                        "the image `{image}` is not named in `{}`: a `build:` or a variable \
                         chooses it; change its tag there",
                        file.display()
                    )),
                    None => hints.push(format!("the image is `{image}`")),
                }
                hints.push(format!(
                    "`{}` fetches what that tag names now; a tag that names one version (not \
                     `latest`) needs a newer tag first",
                    shell::join(["docker", "pull", image])
                ));
            }
        }
        None => {
            if let Some(error) = &failure.log_error {
                details.push(format!("its log cannot be read: {error}"));
            } else if failure.last.is_empty() {
                details.push("its log is empty".to_owned());
            } else {
                details.push("the last lines of its log:".to_owned());
                details.extend(failure.last.iter().map(|line| format!("  | {line}")));
            }
        }
    }
    if failure.restarts {
        hints.push(format!(
            "its restart policy keeps starting it again; `{down}` stops it"
        ));
    }
}

fn held_by(owners: &[Owner], details: &mut Vec<String>) {
    for owner in owners {
        details.push(format!("  held by {owner}"));
    }
}

/// How many ports of an exhausted range the error names the holders of.
const NAMED_PORTS: usize = 10;

fn explain_alloc(
    error: &AllocError,
    owners: &[(u16, Owner)],
    pinned_by: PinnedBy,
    report: &mut Report,
) {
    let hints = &mut report.hints;
    match error {
        AllocError::Held { holder, .. } => {
            // The cause names the holding assignment already.
            let others: Vec<Owner> = owners
                .iter()
                .map(|(_, owner)| owner.clone())
                .filter(|owner| match owner {
                    Owner::Assignment { project, .. } => *project != holder.project_path,
                    _ => true,
                })
                .collect();
            held_by(&others, &mut report.details);
            // The holder's own stack publishes the port: stopping it releases
            // the assignment, and the port with it.
            let running = others.iter().any(|owner| {
                matches!(owner, Owner::Container { compose_project: Some(name), .. }
                    if holder.compose_project.as_ref() == Some(name))
            });
            if running {
                hints.push(format!(
                    "stop its stack, which releases the port: `{}`",
                    shell::join(["iris-dev", "down", "-C", &holder.project_path])
                ));
            } else {
                hints.push(format!(
                    "free it with `{}`",
                    shell::join(["iris-dev", "ports", "clear", &holder.project_path])
                ));
            }
            hints.push(match pinned_by.how_to_unpin() {
                Some(unpin) => format!("or let iris-dev choose a port: {unpin}"),
                None => format!(
                    "or let iris-dev choose a port: unset `{}` and `{}`",
                    env_vars::IRIS_DEV_PORT,
                    env_vars::IRIS_DEV_WEB_PORT
                ),
            });
        }
        AllocError::Busy { port } => {
            let owners: Vec<Owner> = owners.iter().map(|(_, owner)| owner.clone()).collect();
            held_by(&owners, &mut report.details);
            hints.push(format!(
                "see what listens on it: `{}`",
                crate::edges::platform::listeners_command(Some(*port))
            ));
            hints.push(match pinned_by.how_to_repin() {
                Some(repin) => format!("or pick another port with {repin}"),
                None => format!(
                    "or pick another port with `{}` / `{}`",
                    env_vars::IRIS_DEV_PORT,
                    env_vars::IRIS_DEV_WEB_PORT
                ),
            });
        }
        AllocError::Exhausted {
            range,
            kind,
            assignments,
        } => explain_exhausted(*range, *kind, assignments, owners, report),
        AllocError::NoPairedWebPort { .. } => {
            hints.push(format!(
                "pin the web portal port: `{}=<port>`",
                env_vars::IRIS_DEV_WEB_PORT
            ));
        }
    }
}

/// An exhausted range: the assignments that hold its ports, who holds the rest,
/// and how to make room.
fn explain_exhausted(
    range: PortRange,
    kind: RangeKind,
    assignments: &[Assignment],
    owners: &[(u16, Owner)],
    report: &mut Report,
) {
    let details = &mut report.details;
    details.push("assignments:".into());
    let mut rows = Vec::new();
    for assignment in assignments {
        let line = match kind {
            RangeKind::Iris => Some(format!("port {}", assignment.port)),
            RangeKind::Stack => {
                let ports: Vec<u16> = assignment
                    .stack_ports
                    .values()
                    .copied()
                    .filter(|port| range.contains(*port))
                    .collect();
                (!ports.is_empty()).then(|| format!("stack {}", owner::port_list(&ports)))
            }
        };
        if let Some(line) = line {
            rows.push([
                assignment.project_path.clone(),
                line,
                assignment.status.to_string(),
            ]);
        }
    }
    let holding = rows.len();
    if holding == 0 {
        details.push("  (none)".into());
    }
    // Aligned like `ports list`; the header row is not shown.
    let table = crate::core::table::render(["", "", ""], &rows);
    details.extend(table.lines().skip(1).map(|line| format!("  {line}")));
    if holding == 0 && owners.is_empty() {
        details.push("held outside the registry:".into());
        details.push(match kind {
            RangeKind::Iris => "  (none found: the web ports that go with them, paired (52773 + \
                                (port - 1972)) or pinned, may be what is taken; `iris-dev ports \
                                who PORT` names a port's holder)"
                .into(),
            RangeKind::Stack => {
                "  (none found; `iris-dev ports who PORT` names a port's holder)".into()
            }
        });
    }
    held_in_range(owners, details);
    let hints = &mut report.hints;
    let or = if holding == 0 {
        ""
    } else {
        hints.push("free a project's ports with `iris-dev ports clear <project>`".into());
        "or "
    };
    let wider_end = range.end.saturating_add(range.end - range.start + 1);
    let variable = match kind {
        RangeKind::Iris => env_vars::IRIS_DEV_PORT_RANGE,
        RangeKind::Stack => env_vars::IRIS_DEV_STACK_PORT_RANGE,
    };
    hints.push(format!(
        "{or}widen the range: `{variable}={}-{wider_end}`",
        range.start
    ));
    if kind == RangeKind::Iris
        && let Some(pin) = free_pin(wider_end, assignments)
    {
        hints.push(format!(
            "or pin a port outside it: `{}={pin}`",
            env_vars::IRIS_DEV_PORT
        ));
    }
}

/// The first port above `after` whose pair (it and its paired web port) no
/// assignment holds, so the pin a hint suggests is not another project's;
/// `None` when the paired web port would pass 65535 first.
fn free_pin(after: u16, assignments: &[Assignment]) -> Option<u16> {
    let held = |port: u16| {
        assignments
            .iter()
            .any(|assignment| assignment.ports().any(|held| held == port))
    };
    (after.checked_add(1)?..=crate::core::allocate::MAX_PAIRED_PORT).find(|&port| {
        crate::core::registry::paired_web_port(port).is_some_and(|web| !held(port) && !held(web))
    })
}

/// The holders of an exhausted range's ports outside the registry, each with
/// the ports it holds, for the first [`NAMED_PORTS`] ports.
fn held_in_range(owners: &[(u16, Owner)], details: &mut Vec<String>) {
    if owners.is_empty() {
        return;
    }
    details.push("held outside the registry:".into());
    let (groups, more) = owner::group(owners, NAMED_PORTS);
    for (ports, owner) in groups {
        details.push(format!("  {}: {owner}", owner::port_list(&ports)));
    }
    if more > 0 {
        details.push(format!(
            "  ... and {more} more port{}",
            if more == 1 { "" } else { "s" }
        ));
    }
}

fn list(projects: &[String]) -> String {
    projects
        .iter()
        .map(|project| format!("`{project}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exhausted_range(kind: RangeKind, assignments: &str, owners: Vec<(u16, Owner)>) -> Report {
        let registry = crate::core::registry::Registry::parse(
            format!(r#"{{"schema_version": "1.0", "assignments": [{assignments}]}}"#).as_bytes(),
        )
        .unwrap();
        Error::Alloc {
            project: "/shop".into(),
            source: AllocError::Exhausted {
                range: PortRange {
                    start: 13_000,
                    end: 13_099,
                },
                kind,
                assignments: registry.assignments,
            },
            owners,
            pinned_by: PinnedBy::default(),
        }
        .report()
    }

    fn exhausted(owners: Vec<(u16, Owner)>) -> Report {
        exhausted_range(RangeKind::Iris, "", owners)
    }

    #[test]
    fn an_exhausted_range_names_its_first_ports_holders_grouped() {
        let server = Owner::Process {
            pid: 42,
            command: "server".into(),
            uid: 1000,
            user: Some("anna".into()),
            serves: None,
        };
        let cache = Owner::Container {
            name: "cache".into(),
            compose_project: None,
            image: "redis".into(),
            engine: "unix:///var/run/docker.sock".into(),
        };
        let mut owners: Vec<(u16, Owner)> = (13_000..13_012)
            .map(|port| (port, server.clone()))
            .collect();
        owners.insert(3, (13_003, cache));
        assert_eq!(
            exhausted(owners).details,
            [
                "assignments:",
                "  (none)",
                "held outside the registry:",
                "  ports 13000-13009: process 42 `server` (user anna)",
                "  port 13003: container `cache` (image `redis`, engine `unix:///var/run/docker.sock`)",
                "  ... and 2 more ports",
            ]
        );
    }

    #[test]
    fn a_held_pin_names_other_holders_and_stops_a_running_holder() {
        let registry = crate::core::registry::Registry::parse(
            br#"{"schema_version": "1.0", "assignments": [{"project_path": "/alpha", "port": 13000, "assigned_at": "2026-01-01T00:00:00", "assignment_type": "auto", "status": "active", "compose_project": "alpha"}]}"#,
        )
        .unwrap();
        let holder = Box::new(registry.assignments[0].clone());
        let held = |compose_project: &str| {
            let container = Owner::Container {
                name: format!("{compose_project}-iris-1"),
                compose_project: Some(compose_project.into()),
                image: "iris".into(),
                engine: "unix:///var/run/docker.sock".into(),
            };
            let assignment = crate::core::owner::in_registry(&registry, 13_000, None).remove(0);
            Error::Alloc {
                project: "/beta".into(),
                source: AllocError::Held {
                    port: 13_000,
                    holder: holder.clone(),
                },
                owners: vec![(13_000, assignment), (13_000, container)],
                pinned_by: PinnedBy {
                    port: Some(crate::cli::settings::PinSource::Flag),
                    web_port: None,
                },
            }
            .report()
        };
        let report = held("alpha");
        assert_eq!(
            report.details,
            [
                "  held by container `alpha-iris-1` (image `iris`, compose project `alpha`, engine `unix:///var/run/docker.sock`)"
            ],
            "the cause names the assignment already"
        );
        assert_eq!(
            report.hints[0],
            "stop its stack, which releases the port: `iris-dev down -C /alpha`"
        );
        assert_eq!(
            report.hints[1], "or let iris-dev choose a port: run `iris-dev up` without `--port`",
            "the hint names the flag that pinned it, not the variable"
        );
        assert_eq!(
            held("other").hints[0],
            "free it with `iris-dev ports clear /alpha`"
        );
    }

    #[test]
    fn every_fixed_port_is_listed_in_one_error_with_its_line_and_fix() {
        let entry = |what: &str, port: &str, taken: bool, line: usize| FixedPort {
            what: Some(what.to_owned()),
            port: port.to_owned(),
            taken,
            owners: Vec::new(),
            file: PathBuf::from("/shop/compose.yaml"),
            line: Some((line, format!("      - \"{port}:1972\""))),
            fix: format!("replace `\"{port}:1972\"` with `\"1972\"`"),
        };
        let error = Error::FixedPorts {
            entries: vec![
                entry("IRIS's port 1972", "1972", false, 5),
                entry("port 1972 of service `db`", "13839", true, 9),
            ],
            compose: "docker-compose 1.29.2".into(),
        };
        let report = error.report();
        assert_eq!(
            report.message,
            "2 fixed host ports of the stack cannot be published as the compose file has them"
        );
        assert_eq!(
            report.details,
            [
                "- `/shop/compose.yaml` publishes IRIS's port 1972 on host port 1972, which collides with other projects",
                "      5 |       - \"1972:1972\"",
                "  fix: in `/shop/compose.yaml` line 5, replace `\"1972:1972\"` with `\"1972\"`",
                "- `/shop/compose.yaml` publishes port 1972 of service `db` on host port 13839, which is taken",
                "      9 |       - \"13839:1972\"",
                "  fix: in `/shop/compose.yaml` line 9, replace `\"13839:1972\"` with `\"1972\"`",
            ]
        );
        assert_eq!(report.hints.len(), 2, "{:?}", report.hints);
        assert!(report.hints[0].starts_with("docker-compose 1.29.2 cannot replace"));
        assert_eq!(
            report.hints[1],
            "or free it; `iris-dev ports who 13839` says who holds it"
        );
    }

    #[test]
    fn an_exhausted_range_without_holders_says_where_to_look() {
        let report = exhausted(Vec::new());
        assert_eq!(report.details[2], "held outside the registry:");
        assert!(report.details[3].starts_with("  (none found: the web ports"));
        assert_eq!(
            report.hints,
            [
                "widen the range: `IRIS_DEV_PORT_RANGE=13000-13199`",
                "or pin a port outside it: `IRIS_DEV_PORT=13200`"
            ],
            "nothing to clear"
        );
    }

    #[test]
    fn an_exhausted_range_aligns_its_list_and_pins_a_port_nobody_holds() {
        let entry = |path: &str, port: u16, status: &str| {
            format!(
                r#"{{"project_path": "{path}", "port": {port}, "assigned_at": "2026-01-01T00:00:00", "assignment_type": "auto", "status": "{status}"}}"#
            )
        };
        // 13200 is the first port past the widened range; another project
        // pinned it, and 13201's paired web port (52773 + 13201 - 1972).
        let assignments = [
            entry("/a", 13_000, "active"),
            entry("/billing/long", 13_001, "released"),
            entry("/pinned", 13_200, "active"),
            r#"{"project_path": "/web", "port": 9000, "web_port": 64002, "assigned_at": "2026-01-01T00:00:00", "assignment_type": "manual", "status": "active"}"#.to_owned(),
        ]
        .join(",");
        let report = exhausted_range(RangeKind::Iris, &assignments, Vec::new());
        assert_eq!(
            report.details[..5],
            [
                "assignments:",
                "  /a             port 13000  active",
                "  /billing/long  port 13001  released",
                "  /pinned        port 13200  active",
                "  /web           port 9000   active",
            ]
        );
        assert_eq!(
            report.hints.last().unwrap(),
            "or pin a port outside it: `IRIS_DEV_PORT=13202`"
        );
    }

    #[test]
    fn an_exhausted_stack_range_names_stack_ports_and_its_own_variable() {
        let assignment = r#"{"project_path": "/web", "port": 12000, "assigned_at": "2026-01-01T00:00:00", "assignment_type": "auto", "status": "released", "stack_ports": {"web:80": 13000, "db:5432": 13001, "far:1": 9}}"#;
        let report = exhausted_range(RangeKind::Stack, assignment, Vec::new());
        assert_eq!(
            report.causes[0],
            "no port in the stack port range 13000-13099 is free"
        );
        assert_eq!(
            report.details,
            ["assignments:", "  /web  stack ports 13000-13001  released"]
        );
        assert_eq!(
            report.hints,
            [
                "free a project's ports with `iris-dev ports clear <project>`",
                "or widen the range: `IRIS_DEV_STACK_PORT_RANGE=13000-13199`"
            ]
        );
    }
}
