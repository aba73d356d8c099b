//! Shell completion as users get it: each script installed with the README's own
//! line into a fresh HOME (where the directory does not exist yet), loaded the way
//! the shell loads it (bash-completion's loader, zsh's `compinit` and `fpath`,
//! fish's autoloading from `~/.config/fish/completions`) and asked for candidates
//! through the shell's completion machinery, never by reading the script.

use std::collections::BTreeMap;
use std::path::Path;

use fs_err as fs;

use crate::support::{BIN, TestEnv};

/// What `<TAB>` after each line must offer, in every shell.
const CASES: &[(&str, &[&str])] = &[
    (
        "iris-dev ports ",
        &["list", "inspect", "clear", "prune", "who", "reset"],
    ),
    (
        "iris-dev env --format ",
        &["shell", "make", "dotenv", "json"],
    ),
    ("iris-dev up --is", &["--isolate"]),
    (
        "iris-dev completions ",
        &["bash", "zsh", "fish", "powershell", "elvish"],
    ),
    ("iris-dev --color ", &["auto", "always", "never"]),
    ("iris-dev -C . ports list --", &["--json"]),
    ("iris-dev ports who --", &["--json"]),
];

#[test]
#[cfg_attr(
    not(has_bash_completion),
    ignore = "needs bash and bash-completion (`/usr/share/bash-completion/bash_completion`)"
)]
fn bash_completes_subcommands_options_and_values() {
    let env = installed("bash");
    // bash-completion's loader finds the file in ~/.local/share/bash-completion
    // (2.12 renamed it `_comp_load`); the function it registers is then called
    // as readline calls it.
    let script = r#"
        source /usr/share/bash-completion/bash_completion
        if declare -F _comp_load >/dev/null; then _comp_load iris-dev; else __load_completion iris-dev; fi
        [[ $(complete -p iris-dev 2>/dev/null) =~ -F\ ([^ ]+) ]] || { echo "iris-dev has no completion" >&2; exit 3; }
        function=${BASH_REMATCH[1]}
        for line in "$@"; do
            COMP_LINE=$line
            COMP_POINT=${#line}
            read -ra COMP_WORDS <<<"$line"
            [[ $line == *' ' ]] && COMP_WORDS+=('')
            COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            COMPREPLY=()
            "$function" iris-dev "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            echo "BEGIN: $line"
            printf '%s\n' "${COMPREPLY[@]}"
        done
    "#;
    let mut command = env.program("bash");
    command.args(["--noprofile", "--norc", "-c", script, "bash"]);
    assert_offers(&env, &mut command);
}

#[test]
#[cfg_attr(not(has_zsh), ignore = "needs zsh (with its zpty module)")]
fn zsh_completes_subcommands_options_and_values() {
    let env = installed("zsh");
    let out = env.root().join("zsh-candidates");
    // An interactive zsh in a pseudo-terminal (zpty) gets each line typed with a
    // TAB bound to a widget that notes the line, runs `complete-word` and accepts
    // the emptied line; `compadd`, through which every completion function offers
    // its candidates, is wrapped to note the ones that match. Nothing is typed
    // until zsh prints its next prompt, so no keys wait while it completes.
    let script = r#"
        zmodload zsh/zpty || exit 3
        out=$1; shift
        nl=$'\n'
        zpty -b shell 'zsh -f -i'
        send() { zpty -w -n shell "$1" }
        prompt() { zpty -r -m shell reply '*PROMPT-MARK*' || { print -u2 "zsh gave no prompt"; exit 4 } }
        send "PS1=\${:-PROMPT}-MARK; unsetopt autolist listbeep beep; fpath=(~/.zfunc \$fpath); autoload -U compinit; compinit -u -D$nl"
        prompt
        send 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-[OAD]\ * ]]; then builtin compadd "$@"; return; fi; local -a hits; builtin compadd -A hits "$@"; print -rl -- $hits >> '"${(q)out}"'; builtin compadd "$@" }'$nl
        prompt
        send 'capture() { print -r -- "BEGIN: $BUFFER" >> '"${(q)out}"'; zle complete-word; BUFFER=; zle accept-line }; zle -N capture; bindkey "^I" capture'$nl
        prompt
        for line in "$@"; do
            send "$line"$'\t'
            prompt
        done
        zpty -d shell
    "#;
    let mut command = env.program("timeout");
    command.args(["60", "zsh", "-f", "-c", script, "zsh"]);
    command.arg(&out);
    let mut run = env.output(command.args(CASES.iter().map(|(line, _)| line)));
    let candidates = fs::read_to_string(&out).unwrap_or_default();
    run.output.stdout = candidates.into_bytes();
    check(&run);
}

#[test]
#[cfg_attr(not(has_fish), ignore = "needs fish")]
fn fish_completes_subcommands_options_and_values() {
    let env = installed("fish");
    // fish autoloads ~/.config/fish/completions/iris-dev.fish for a command on
    // PATH; `complete -C` prints what TAB offers, each with a tab and its help.
    let script = r#"
        for line in $argv
            echo "BEGIN: $line"
            complete -C "$line" | string replace -r '\t.*' ''
        end
    "#;
    let mut command = env.program("fish");
    command.args(["-c", script]);
    assert_offers(&env, &mut command);
}

/// A HOME with only the completion for `shell`, installed by running the README's
/// line for it, and `iris-dev` on PATH as an installed binary is.
fn installed(shell: &str) -> TestEnv {
    let mut env = TestEnv::new("completion");
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = std::env::var("PATH").unwrap_or_default();
    env.set("PATH", &format!("{}:{path}", bin_dir.display()));
    let line = readme_install_line(shell);
    let run = env.output(env.program("sh").args(["-c", &line]));
    assert_eq!(run.code(), 0, "`{line}` failed:\n{}", run.stderr());
    env
}

/// The README's command that installs the completion for `shell`: the line of
/// its Install block that runs `iris-dev completions SHELL`.
fn readme_install_line(shell: &str) -> String {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let install = readme
        .split("## Install")
        .nth(1)
        .and_then(|section| section.split("```").nth(1))
        .expect("README.md has an Install section with a code block");
    let needle = format!("iris-dev completions {shell} ");
    let line = install
        .lines()
        .find(|line| line.contains(&needle))
        .unwrap_or_else(|| panic!("README.md's Install block has no `{needle}` line"));
    // A trailing `# comment` is for the reader; sh would ignore it anyway.
    line.trim().to_owned()
}

fn assert_offers(env: &TestEnv, command: &mut std::process::Command) {
    let run = env.output(command.args(CASES.iter().map(|(line, _)| line)));
    check(&run);
}

/// Each case's candidates, from output where `BEGIN: LINE` starts each line's.
fn check(run: &crate::support::Run) {
    let stdout = run.stdout();
    let mut offered: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut current = None;
    for line in stdout.lines() {
        if let Some(case) = line.strip_prefix("BEGIN: ") {
            current = Some(case);
            offered.entry(case).or_default();
        } else if let Some(case) = current
            && !line.is_empty()
        {
            offered.entry(case).or_default().push(line);
        }
    }
    let mut failures = Vec::new();
    for (line, expected) in CASES {
        let got = offered.get(line).cloned().unwrap_or_default();
        let missing: Vec<&&str> = expected.iter().filter(|want| !got.contains(want)).collect();
        if !missing.is_empty() {
            failures.push(format!("`{line}<TAB>` misses {missing:?}; offers {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\nexit {}, candidates:\n{stdout}\nstderr:\n{}",
        failures.join("\n"),
        run.code(),
        run.stderr()
    );
}
