//! Completion scripts and man pages, rendered from the clap definition.
//!
//! clap_complete's bash and fish scripts are repaired here where they do not
//! complete (each repair says why, with its upstream issue where there is one),
//! so the committed copies and `iris-dev completions` print the same script.
//!
//! The committed copies under `completions/` and `man/` are these bytes; the test
//! `generated_files_are_current` fails when they drift and rewrites them when run
//! with `IRIS_DEV_REGENERATE=1`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

/// Every generated file, as a path relative to the repository root and its bytes.
pub fn generated_files() -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for (shell, name) in [
        (Shell::Bash, "iris-dev.bash"),
        (Shell::Zsh, "_iris-dev"),
        (Shell::Fish, "iris-dev.fish"),
        (Shell::PowerShell, "_iris-dev.ps1"),
        (Shell::Elvish, "iris-dev.elv"),
    ] {
        files.push((PathBuf::from("completions").join(name), completion(shell)));
    }
    let mut command = Cli::command();
    command.build();
    man_pages(&command, "iris-dev", &mut files);
    files
}

/// The name the scripts complete, as users type it.
const BIN_NAME: &str = "iris-dev";

/// The completion script for `shell`.
pub fn completion(shell: Shell) -> Vec<u8> {
    let mut bytes = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN_NAME, &mut bytes);
    match shell {
        Shell::Bash => {
            repair_bash(&String::from_utf8(bytes).expect("clap_complete writes UTF-8")).into_bytes()
        }
        Shell::Fish => {
            let script = String::from_utf8(bytes).expect("clap_complete writes UTF-8");
            let mut script = repair_fish(&script);
            script.push_str(&fish_positional_values(Cli::command()));
            script.into_bytes()
        }
        _ => bytes,
    }
}

/// clap_complete's bash script for a name with a hyphen completes nothing after
/// the first word: its loop builds the state `iris__dev__subcmd__ports`, but the
/// arms that complete a subcommand are spelled `iris__subcmd__dev__subcmd__ports`
/// (<https://github.com/clap-rs/clap/issues/6421>, also #6529; still so in
/// clap_complete 4.6.12). This spells the arms the way the loop does, which is what
/// the upstream fix (<https://github.com/clap-rs/clap/pull/6428>) prints, so once
/// clap_complete is fixed it changes nothing. It panics when the script still has
/// an arm no state reaches, or a state no arm completes, so `cargo test` (which
/// checks the committed copy) catches any other way the two drift apart.
fn repair_bash(script: &str) -> String {
    const SEPARATOR: &str = "__subcmd__";
    let state = BIN_NAME.replace('-', "__");
    let wrong = format!("{}{SEPARATOR}", BIN_NAME.replace('-', SEPARATOR));
    let right = format!("{state}{SEPARATOR}");
    let mut repaired = String::with_capacity(script.len());
    for line in script.split_inclusive('\n') {
        match line.strip_prefix(&format!("        {wrong}")) {
            Some(rest) if rest.trim_end().ends_with(')') => {
                repaired.push_str("        ");
                repaired.push_str(&right);
                repaired.push_str(rest);
            }
            _ => repaired.push_str(line),
        }
    }
    let (states, arms) = bash_states_and_arms(&repaired);
    assert!(
        states.contains(&state) && states == arms,
        "the bash completion's states and case arms differ (clap-rs/clap#6421):\n\
         states only: {:?}\narms only: {:?}",
        states.difference(&arms).collect::<Vec<_>>(),
        arms.difference(&states).collect::<Vec<_>>(),
    );
    repaired
}

/// clap_complete's fish script offers nothing at the top level while a global
/// option waits for its value (`iris-dev --color <TAB>`, `iris-dev -C <TAB>`): its
/// `__fish_iris_dev_needs_command` fails when `argparse` cannot parse the line yet,
/// and every top-level `complete` line is gated on it. A line that cannot be parsed
/// has no subcommand yet, so this makes that case answer "needs a command". (No
/// upstream issue yet; seen with clap_complete 4.6.12 and fish 3.6.)
fn repair_fish(script: &str) -> String {
    let guard = format!(
        "    argparse -s (__fish_{}_global_optspecs) -- $cmd 2>/dev/null\n    or return\n",
        BIN_NAME.replace('-', "_")
    );
    assert_eq!(
        script.matches(&guard).count(),
        1,
        "clap_complete's fish `needs_command` changed; see `repair_fish`"
    );
    script.replace(&guard, &guard.replace("or return\n", "or return 0\n"))
}

/// clap_complete's fish script completes options only, never a positional
/// argument's values (<https://github.com/clap-rs/clap/issues/6295>), so
/// `iris-dev completions <TAB>` offered file names. These are the missing
/// `complete` lines, in the form clap_complete gives options' values, for each
/// subcommand whose one positional argument has possible values: the values until
/// one of them is on the line, and no file names. Any other shape panics here,
/// rather than complete wrongly, until this learns it.
fn fish_positional_values(mut command: clap::Command) -> String {
    command.build();
    let mut lines = String::new();
    let mut pending: Vec<(Vec<String>, &clap::Command)> = command
        .get_subcommands()
        .map(|sub| (vec![sub.get_name().to_owned()], sub))
        .collect();
    while let Some((path, sub)) = pending.pop() {
        pending.extend(sub.get_subcommands().map(|child| {
            (
                [path.clone(), vec![child.get_name().to_owned()]].concat(),
                child,
            )
        }));
        let positionals: Vec<&clap::Arg> = sub.get_positionals().collect();
        let Some(values) = positionals.iter().find_map(|arg| {
            let values = arg.get_value_parser().possible_values()?;
            Some(
                values
                    .filter(|value| !value.is_hide_set())
                    .collect::<Vec<_>>(),
            )
        }) else {
            continue;
        };
        assert!(
            positionals.len() == 1 && path.len() <= 2,
            "`{}`: fish completion of positional values supports one positional of a \
             subcommand at most two deep",
            path.join(" ")
        );
        let names: Vec<&str> = values.iter().map(|value| value.get_name()).collect();
        assert!(
            names.iter().all(|name| name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')),
            "`{}`: fish values must be plain words: {names:?}",
            path.join(" ")
        );
        // clap_complete's own helper, `__fish_iris_dev_using_subcommand`.
        let using = format!("__fish_{}_using_subcommand", BIN_NAME.replace('-', "_"));
        let condition = match path.as_slice() {
            [command] => format!("{using} {command}"),
            [command, sub] => {
                format!("{using} {command}; and __fish_seen_subcommand_from {sub}")
            }
            _ => unreachable!("checked above"),
        };
        let candidates: Vec<String> = values
            .iter()
            .map(|value| {
                let help = value
                    .get_help()
                    .map(|help| help.to_string().replace('\n', " "))
                    .unwrap_or_default();
                format!(
                    "{}\\t'{}'",
                    value.get_name(),
                    help.replace('\\', "\\\\").replace('\'', "\\'")
                )
            })
            .collect();
        lines.push_str(&format!(
            "complete -c {BIN_NAME} -n \"{condition}\" -f\n\
             complete -c {BIN_NAME} -n \"{condition}; and not __fish_seen_subcommand_from {}\" -f -a \"{}\"\n",
            names.join(" "),
            candidates.join("\n"),
        ));
    }
    lines
}

/// The states the bash script's loop assigns (`cmd="..."`) and the subcommand arms
/// of its `case "${cmd}"` (the lines indented eight spaces that end in `)`).
fn bash_states_and_arms(script: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let states = script
        .lines()
        .filter_map(|line| line.trim().strip_prefix("cmd=\""))
        .filter_map(|rest| rest.strip_suffix('"'))
        .filter(|state| !state.is_empty())
        .map(str::to_owned)
        .collect();
    let arms = script
        .lines()
        .filter_map(|line| line.strip_prefix("        "))
        .filter(|arm| !arm.starts_with([' ', '-', '*']))
        .filter_map(|arm| arm.strip_suffix(')'))
        .map(str::to_owned)
        .collect();
    (states, arms)
}

/// clap_mangen's SYNOPSIS names each option without its value (`[--port]`, as of
/// clap_mangen 0.2.33), so a reader cannot tell `--port` takes one. This adds the
/// value names the OPTIONS section shows (`[--port <PORT>]`) to the synopsis line,
/// and panics when an option that takes a value has no long name to find it by.
fn synopsis_with_values(command: &clap::Command, page: &str) -> String {
    let heading = ".SH SYNOPSIS\n";
    let Some(start) = page.find(heading).map(|at| at + heading.len()) else {
        return page.to_owned();
    };
    let end = page[start..].find('\n').map_or(page.len(), |at| start + at);
    let mut line = page[start..end].to_owned();
    for arg in command.get_arguments() {
        if arg.is_hide_set() || arg.is_positional() || !arg.get_action().takes_values() {
            continue;
        }
        let long = arg.get_long().unwrap_or_else(|| {
            panic!(
                "`{}`: an option with a value needs a long name for the man synopsis",
                arg.get_id()
            )
        });
        let names = arg
            .get_value_names()
            .map(|names| {
                names
                    .iter()
                    .map(|name| format!("<{name}>"))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_else(|| vec![format!("<{}>", arg.get_id().as_str().to_uppercase())]);
        let option = format!("\\fB\\-\\-{}\\fR", long.replace('-', "\\-"));
        let value = format!(" \\fI{}\\fR", names.join(" ").replace('-', "\\-"));
        assert_eq!(
            line.matches(&option).count(),
            1,
            "`--{long}` is not in the man synopsis once: {line}"
        );
        line = line.replace(&option, &format!("{option}{value}"));
    }
    format!("{}{line}{}", &page[..start], &page[end..])
}

/// One page for `command` and, recursively, one for each subcommand, named like
/// git's: `iris-dev-ports-list.1`.
fn man_pages(command: &clap::Command, name: &str, files: &mut Vec<(PathBuf, Vec<u8>)>) {
    let page = command.clone().name(name.to_owned());
    let mut bytes = Vec::new();
    clap_mangen::Man::new(page.clone())
        .render(&mut bytes)
        .expect("rendering to memory cannot fail");
    let text = String::from_utf8(bytes).expect("clap_mangen writes UTF-8");
    let text = synopsis_with_values(&page, &text);
    files.push((
        PathBuf::from("man").join(format!("{name}.1")),
        text.into_bytes(),
    ));
    for sub in command
        .get_subcommands()
        .filter(|sub| sub.get_name() != "help")
    {
        man_pages(sub, &format!("{name}-{}", sub.get_name()), files);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_man_synopsis_names_each_options_value() {
        let files = generated_files();
        let page = |name: &str| {
            let (_, bytes) = files
                .iter()
                .find(|(path, _)| path == &PathBuf::from("man").join(name))
                .unwrap();
            let text = String::from_utf8(bytes.clone()).unwrap();
            let synopsis = text.split(".SH SYNOPSIS\n").nth(1).unwrap();
            synopsis.lines().next().unwrap().to_owned()
        };
        let up = page("iris-dev-up.1");
        for expected in [
            r"[\fB\-\-port\fR \fI<PORT>\fR]",
            r"[\fB\-\-web\-port\fR \fI<PORT>\fR]",
            r"[\fB\-\-wait\-timeout\fR \fI<SECS>\fR]",
            r"[\fB\-C\fR|\fB\-\-directory\fR \fI<DIR>\fR]",
            r"[\fB\-\-dry\-run\fR]",
        ] {
            assert!(up.contains(expected), "{expected} not in {up}");
        }
        assert!(
            page("iris-dev-env.1").contains(r"[\fB\-\-format\fR \fI<FORMAT>\fR]"),
            "{}",
            page("iris-dev-env.1")
        );
    }
}
