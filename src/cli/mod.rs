//! The command line, as clap sees it. Clap lives here and nowhere else.
//!
//! Doc comments are the help text: a short first line, more below. Nothing here
//! acts; `settings` turns these structs into settings and `commands` runs them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::core::connection::EnvFormat;
use crate::core::port::Port;
use crate::core::stack::Isolate;

pub mod error;
pub mod generate;
pub mod printer;
pub mod settings;

/// Run InterSystems IRIS in Docker for many projects at once, each on its own ports.
///
/// iris-dev gives every project its own IRIS superserver and web portal ports
/// from a per-user registry shared with the Python package iris-devtester, so a
/// second project never collides with the first on 1972 and 52773.
#[derive(Debug, Parser)]
#[command(
    name = "iris-dev",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Run as if iris-dev was started in DIR
    #[arg(short = 'C', long = "directory", value_name = "DIR", global = true)]
    pub directory: Option<PathBuf>,

    /// Print only data and errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Explain what iris-dev decides and why
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// When to colour messages
    ///
    /// `auto` colours when standard error is a terminal and `NO_COLOR` is not set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN", global = true)]
    pub color: ColorChoice,

    /// Compose file to use instead of the project's own (repeatable)
    ///
    /// As `docker compose -f`: the files are merged in order, the project is the
    /// directory of the first, and `COMPOSE_FILE` is not read. iris-dev's override
    /// always comes last.
    #[arg(short = 'f', long = "file", value_name = "FILE", global = true)]
    pub file: Vec<PathBuf>,

    /// Compose profile to enable (repeatable; overrides `COMPOSE_PROFILES`)
    #[arg(long = "profile", value_name = "NAME", global = true)]
    pub profile: Vec<String>,

    /// The `.env` file compose reads instead of the project's own
    #[arg(long = "env-file", value_name = "FILE", global = true)]
    pub env_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the project's IRIS on its own ports and wait until it answers
    ///
    /// Finds the project's compose file (or uses the built-in IRIS Community
    /// template), assigns ports, writes `.iris-dev/compose.override.yaml` to publish
    /// them on 127.0.0.1, and runs `docker compose up -d`.
    Up(UpArgs),

    /// Stop the project's containers; the project keeps its ports
    Down(DownArgs),

    /// Show the project's ports, containers and URLs
    Status(StatusArgs),

    /// Write the built-in IRIS Community compose file into the project for editing
    Init,

    /// Print the project's IRIS superserver port, assigning one if needed
    ///
    /// The project keeps the port across runs. Made for scripts and Makefiles:
    /// the port alone goes to standard output, e.g. `IRIS_PORT := $(shell iris-dev port)`.
    Port(PortArgs),

    /// Print the project's connection settings as environment variables
    ///
    /// IRIS_HOST, IRIS_PORT and IRIS_WEB_PORT, the names iris-devtester reads, and
    /// IRIS_DEV_COMPOSE_PROJECT: `(eval "$(iris-dev env)" && pytest)`. Never
    /// COMPOSE_PROJECT_NAME, which would follow the shell into other projects.
    Env(EnvArgs),

    /// Run any compose command on the project's stack
    ///
    /// With the files, override, compose project name and `IRIS_PORT`/`IRIS_WEB_PORT`
    /// that `up` uses, so `iris-dev compose ps` or `iris-dev compose exec iris bash`
    /// reach the project's own containers. The terminal passes through and compose's
    /// exit code is iris-dev's.
    Compose(ComposeArgs),

    /// Show the IRIS service's logs
    ///
    /// `docker compose logs <service>` for the service `up` started; arguments such
    /// as `-f` and `--tail 50` go to compose.
    Logs(LogsArgs),

    /// Open an ObjectScript terminal in the IRIS service
    ///
    /// Runs `iris session IRIS -U NS` in the container: with a terminal when
    /// standard input is one, without (`exec -T`) when input is piped, so scripts
    /// can feed it: `echo 'write $zv' | iris-dev session`.
    Session(SessionArgs),

    /// Open the management portal in the system's browser
    ///
    /// Prints the URL instead when no browser can be started, or with `--print`.
    Open(OpenArgs),

    /// Write the project's connection into `.vscode/settings.json`
    ///
    /// Sets `objectscript.conn` (`active`, `host`, `port`, `ns`, `username`) for the
    /// InterSystems ObjectScript extension, keeping its `docker-compose` block only
    /// when the extension's compose lookup finds this stack; writes the InterSystems
    /// Server Manager entry `intersystems.servers.iris-dev-<compose project>`; and,
    /// when `sqltools.connections` is there, points the project's InterSystems IRIS
    /// connections at the same web port (or adds one). Comments, formatting and
    /// every other setting are kept; the file and `.vscode/` are created when
    /// missing. Passwords are never written.
    Vscode(VscodeArgs),

    /// Look at and manage the port registry
    Ports(PortsArgs),

    /// Check compose, the engine, the registry, the port range and the project
    ///
    /// One line per check, ok, warn or fail; each warn and fail says the command
    /// or edit that fixes it. Exits 1 when a check fails.
    Doctor(DoctorArgs),

    /// Forward the project's ports from a remote ssh engine to this machine
    ///
    /// Runs `ssh -N -L 127.0.0.1:PORT:BIND:PORT` for the superserver, web and
    /// stack ports (the same numbers on both ends) in the foreground until
    /// Ctrl-C, so IRIS published on the remote host's loopback (or the address
    /// `up --bind` gave, BIND) answers on this machine's.
    Tunnel,

    /// Print a shell completion script
    ///
    /// Each shell reads it from a directory of its own, which may not exist yet:
    /// bash from `~/.local/share/bash-completion/completions/iris-dev`, zsh from
    /// a directory on its `fpath` (`~/.zfunc/_iris-dev`, with `fpath=(~/.zfunc
    /// $fpath)` before `compinit` in `~/.zshrc`), fish from
    /// `~/.config/fish/completions/iris-dev.fish`. For example `mkdir -p
    /// ~/.local/share/bash-completion/completions && iris-dev completions bash >
    /// ~/.local/share/bash-completion/completions/iris-dev`.
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct UpArgs {
    /// Pin the superserver port (overrides `IRIS_DEV_PORT`)
    #[arg(long, value_name = "PORT")]
    pub port: Option<Port>,

    /// Pin the web portal port (overrides `IRIS_DEV_WEB_PORT`)
    #[arg(long, value_name = "PORT")]
    pub web_port: Option<Port>,

    /// Host address to publish on [default: 127.0.0.1]
    ///
    /// IRIS ships well-known default credentials, so iris-dev publishes on loopback
    /// only. `--bind 0.0.0.0` publishes on every interface, past the host firewall.
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<std::net::IpAddr>,

    /// The compose service that runs IRIS, when iris-dev cannot tell
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,

    /// Return once compose has started the containers
    #[arg(long)]
    pub no_wait: bool,

    /// Seconds to wait for IRIS to answer
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 300,
        conflicts_with = "no_wait"
    )]
    pub wait_timeout: u64,

    /// Print the override file and the compose command, and change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Which host ports get per-project numbers [default: from `x-iris-dev`, else iris]
    ///
    /// `iris` moves IRIS's superserver and web ports only. `all` also gives every
    /// fixed host port of every service (`"80:80"`, `"5432:5432"`) a port of the
    /// project's own from `IRIS_DEV_STACK_PORT_RANGE`, kept across runs, passed to
    /// compose and printed by `iris-dev env` as `IRIS_DEV_PORT_<SERVICE>_<PORT>`.
    /// Same as `x-iris-dev: {isolate: all}` in the compose file.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub isolate: Option<Isolate>,

    /// Extra arguments for `docker compose up`, after `--`
    #[arg(last = true, value_name = "COMPOSE_ARGS")]
    pub compose_args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ComposeArgs {
    /// The compose command and its arguments, such as `ps` or `exec iris bash`
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true,
        required = true
    )]
    pub args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Arguments for `docker compose logs`, such as `-f` and `--tail 50`
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SessionArgs {
    /// The namespace to start in [default: the service's `IRIS_NAMESPACE`, else USER]
    #[arg(long, short = 'U', value_name = "NS")]
    pub namespace: Option<String>,
}

#[derive(Debug, Args)]
pub struct OpenArgs {
    /// Print the portal's URL instead of opening it
    #[arg(long)]
    pub print: bool,
}

#[derive(Debug, Args)]
pub struct VscodeArgs {
    /// Print the change, and write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct DownArgs {
    /// Stop every registered project's stack on this engine
    ///
    /// Each with its own files and compose project name; a project whose
    /// directory is gone is stopped by name alone.
    #[arg(long)]
    pub all: bool,

    /// Also remove the project's volumes, IRIS's data with them
    #[arg(long)]
    pub volumes: bool,

    /// Give the project's ports back instead of keeping them
    #[arg(long)]
    pub release: bool,

    /// Extra arguments for `docker compose down`, after `--`
    #[arg(last = true, value_name = "COMPOSE_ARGS")]
    pub compose_args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print the status as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Say what would change, and change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct PortArgs {
    /// Print the web portal port instead of the superserver port
    #[arg(long)]
    pub web: bool,
}

#[derive(Debug, Args)]
pub struct EnvArgs {
    /// How to write the variables
    #[arg(long, value_enum, default_value_t = EnvFormat::Shell)]
    pub format: EnvFormat,
}

#[derive(Debug, Args)]
pub struct PortsArgs {
    #[command(subcommand)]
    pub command: PortsCommand,
}

#[derive(Debug, Subcommand)]
pub enum PortsCommand {
    /// List every assignment in the registry
    List(ListArgs),

    /// Show one project's assignment
    Inspect(InspectArgs),

    /// Remove projects' assignments, freeing their ports
    Clear(ClearArgs),

    /// Mark assignments stale whose containers are gone, and remove assignments of
    /// deleted projects
    ///
    /// Only assignments whose containers `iris-dev up` started can go stale; nothing
    /// is marked while the Docker engine cannot be reached.
    Prune(PruneArgs),

    /// Say who holds each port: an assignment, a container or a host process
    ///
    /// Looks in the registry, at the containers of the Docker engine, and (for a
    /// local engine) at the host's listening sockets: on Linux in `/proc`, on
    /// macOS through `lsof` when it is installed. A socket of another user's
    /// process shows as unknown; `sudo` can see it.
    Who(WhoArgs),

    /// Move the registry aside and start an empty one
    ///
    /// The old file is kept as `port-registry.json.corrupt-<time>` (or `.backup-<time>`
    /// when it was readable), so nothing is lost.
    Reset,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print a JSON array of assignments instead of a table
    ///
    /// Each assignment gains `state`: what its containers do on the engine
    /// (`healthy`, `running`, `stopped`, `none`), or `unknown` when the engine
    /// cannot be asked.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The project's directory [default: the current project]
    #[arg(value_name = "PROJECT")]
    pub project: Option<PathBuf>,

    /// Print the assignment as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print the checks as a JSON array
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WhoArgs {
    /// The host ports to look up
    #[arg(value_name = "PORT", required = true)]
    pub ports: Vec<Port>,

    /// Print a JSON array of ports and their owners
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ClearArgs {
    /// Projects' directories [default: the current project]
    #[arg(value_name = "PROJECT", conflicts_with = "all")]
    pub projects: Vec<PathBuf>,

    /// Clear every assignment
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    /// Each found spelling with the file it is in.
    type Found = Vec<(String, String)>;

    /// Every `` `iris-dev ...` `` a hint, note or doc comment in `src/` shows, and
    /// every `` `--flag` `` it names, as the text between its backticks.
    fn spellings() -> (Found, Found) {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let (mut commands, mut flags) = (Vec::new(), Vec::new());
        let mut dirs = vec![src];
        while let Some(dir) = dirs.pop() {
            for entry in fs_err::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let text = fs_err::read_to_string(&path).unwrap();
                // A string continued with `\` reads as one line.
                let text = text.replace("\\\n", " ");
                let place = path.display().to_string();
                for quoted in text.split('`').skip(1).step_by(2) {
                    let quoted = quoted.split_whitespace().collect::<Vec<_>>().join(" ");
                    // Usage lines (`ports list|inspect`, `doctor [--json]`,
                    // `who PORT...`, `-C <TAB>`) are not commands to run.
                    let usage = ["|", "[", "...", "<TAB>", "<shell>"]
                        .iter()
                        .any(|mark| quoted.contains(mark));
                    if quoted.starts_with("iris-dev ") && !usage {
                        commands.push((place.clone(), quoted));
                    } else if quoted.starts_with("--") && !quoted.contains('=') {
                        flags.push((place.clone(), quoted));
                    }
                }
            }
        }
        (commands, flags)
    }

    /// A command as shown, with its placeholders (`{project}`, `<name>`,
    /// `PORT`) given a value that every argument they stand for takes (a port
    /// number is a path and a name too), as words.
    fn words(shown: &str) -> Vec<String> {
        shown
            .split(' ')
            .map(|word| {
                let word = word.trim_matches(|c| c == '\'' || c == '"');
                let upper = word.len() > 1 && word.chars().all(|c| c.is_ascii_uppercase());
                if word.contains('{') || word.contains('<') || upper {
                    "12000".to_owned()
                } else {
                    word.to_owned()
                }
            })
            .collect()
    }

    #[test]
    fn every_command_a_message_shows_parses() {
        let (commands, _) = spellings();
        assert!(commands.len() > 20, "found only {commands:?}");
        // A subcommand named on its own (`iris-dev compose`) lacks only its
        // arguments.
        let refused = |shown: &str| {
            Cli::try_parse_from(words(shown))
                .is_err_and(|error| error.kind() != clap::error::ErrorKind::MissingRequiredArgument)
        };
        let wrong: Vec<String> = commands
            .iter()
            .filter(|(_, shown)| refused(shown))
            .map(|(place, shown)| format!("{place}: `{shown}`"))
            .collect();
        assert!(
            wrong.is_empty(),
            "commands clap refuses:\n  {}",
            wrong.join("\n  ")
        );
    }

    #[test]
    fn every_flag_a_message_names_exists() {
        fn longs(command: &clap::Command, into: &mut std::collections::BTreeSet<String>) {
            for arg in command.get_arguments() {
                into.extend(arg.get_long().map(|long| format!("--{long}")));
            }
            for sub in command.get_subcommands() {
                longs(sub, into);
            }
        }
        // `--help` and `--version` are clap's; `--`, and compose's own flags
        // that `logs` and `up` pass on, are shown too.
        let theirs = ["--help", "--version", "--", "--tail", "--no-color"];
        let mut known: std::collections::BTreeSet<String> =
            theirs.iter().map(|flag| (*flag).to_owned()).collect();
        longs(&Cli::command(), &mut known);
        let (_, flags) = spellings();
        let wrong: Vec<String> = flags
            .iter()
            .filter(|(_, shown)| {
                let flag = shown.split([' ', '=']).next().unwrap_or_default();
                // A placeholder in this test's own doc and in the generator.
                let example = flag == "--flag" || flag.contains('{');
                !known.contains(flag) && !example
            })
            .map(|(place, shown)| format!("{place}: `{shown}`"))
            .collect();
        assert!(
            wrong.is_empty(),
            "flags iris-dev does not have:\n  {}",
            wrong.join("\n  ")
        );
    }
}
