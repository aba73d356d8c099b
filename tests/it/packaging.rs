//! What the packages are made of, checked without building them (`.ci/ship`
//! builds and installs them): the wheel's data links reach every committed man
//! page and completion script, and the README's install and test commands name
//! what Cargo.toml, pyproject.toml and `.ci/run` say.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use fs_err as fs;

/// pyproject.toml's `data` directory: what pip installs under the prefix.
const WHEEL_DATA: &str = "packaging/wheel-data/data/share";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The names of the files in `dir` (relative to the repository) that match `keep`.
fn names(dir: &str, keep: impl Fn(&str) -> bool) -> BTreeSet<String> {
    fs::read_dir(root().join(dir))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| keep(name))
        .collect()
}

/// `link` (under [`WHEEL_DATA`]) is a symbolic link to `target` (in the
/// repository); the message says how to make it when it is not.
fn assert_links(link: &str, target: &str) {
    let link_path = root().join(WHEEL_DATA).join(link);
    let depth = Path::new(WHEEL_DATA).join(link).components().count() - 1;
    let relative: PathBuf = std::iter::repeat_n("..", depth)
        .collect::<PathBuf>()
        .join(target);
    let fix = format!(
        "make it with:\n  ln -sf {} {WHEEL_DATA}/{link}",
        relative.display()
    );
    let is_link = fs::symlink_metadata(&link_path).is_ok_and(|meta| meta.file_type().is_symlink());
    assert!(
        is_link,
        "{WHEEL_DATA}/{link} is not a symbolic link to {target}; {fix}"
    );
    assert_eq!(
        fs::canonicalize(&link_path).ok(),
        fs::canonicalize(root().join(target)).ok(),
        "{WHEEL_DATA}/{link} does not lead to {target}; {fix}"
    );
}

#[test]
fn the_wheel_links_every_man_page_and_completion_script() {
    let pages = names("man", |name| name.ends_with(".1"));
    assert!(pages.contains("iris-dev.1"), "{pages:?}");
    for page in &pages {
        assert_links(&format!("man/man1/{page}"), &format!("man/{page}"));
    }
    let linked = names(&format!("{WHEEL_DATA}/man/man1"), |_| true);
    let extra: Vec<_> = linked.difference(&pages).collect();
    assert!(
        extra.is_empty(),
        "{WHEEL_DATA}/man/man1 links pages that man/ no longer has; remove them: {extra:?}"
    );
    for (link, target) in [
        (
            "bash-completion/completions/iris-dev",
            "completions/iris-dev.bash",
        ),
        ("zsh/site-functions/_iris-dev", "completions/_iris-dev"),
        (
            "fish/vendor_completions.d/iris-dev.fish",
            "completions/iris-dev.fish",
        ),
    ] {
        assert_links(link, target);
    }
}

/// The lines of the first ```sh block after `heading`.
fn sh_block(readme: &str, heading: &str) -> Vec<String> {
    let after = &readme[readme
        .find(heading)
        .unwrap_or_else(|| panic!("README has no {heading:?}"))..];
    let block = after.split("```sh\n").nth(1).expect("a ```sh block");
    block
        .split("\n```")
        .next()
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The command of a README line, without its `# comment`.
fn command(line: &str) -> &str {
    line.split(" #").next().unwrap().trim()
}

#[test]
fn the_readme_installs_what_the_packages_are_named() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let pyproject = fs::read_to_string(root().join("pyproject.toml")).unwrap();
    let project = pyproject
        .split("\n[project]\n")
        .nth(1)
        .expect("pyproject.toml has a [project] table");
    let wheel = project
        .lines()
        .find_map(|line| line.strip_prefix("name = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("[project] has a name");
    let (krate, version) = (env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));

    let lines = sh_block(&readme, "\n## Install\n");
    let commands: Vec<_> = lines.iter().take(3).map(|line| command(line)).collect();
    assert_eq!(
        commands,
        [
            format!("pipx install {wheel}"),
            format!("cargo install {krate}"),
            format!("sudo apt install ./{krate}_{version}-1_amd64.deb"),
        ],
        "README's install commands (the pip way first) must name pyproject.toml's \
         distribution, Cargo.toml's crate and cargo-deb's file name for this version"
    );
    assert!(
        lines[0].contains(&format!("pip install {wheel}"))
            && lines[0].contains(&format!("uv tool install {wheel}")),
        "the pipx line names pip and uv too: {}",
        lines[0]
    );
}

#[test]
fn the_readme_opens_with_the_test_command_ci_ends_with() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let opening = sh_block(&readme, "# iris-dev\n");
    assert_eq!(
        opening.len(),
        2,
        "the README opens with two commands: {opening:?}"
    );
    assert!(
        command(&opening[0]).ends_with(" && iris-dev up"),
        "the first one installs iris-dev and runs `up`: {opening:?}"
    );
    let ci = fs::read_to_string(root().join(".ci/run")).unwrap();
    let last = ci
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap();
    assert_eq!(
        command(&opening[1]),
        last.trim(),
        ".ci/run ends with exactly the README's test command"
    );
}
