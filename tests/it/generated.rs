//! `completions/` and `man/` must match what the clap definition renders today.

use std::path::Path;

use fs_err as fs;

const REGENERATE: &str = "IRIS_DEV_REGENERATE=1 cargo test --test it generated_files_are_current";

#[test]
fn generated_files_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let regenerate = std::env::var_os("IRIS_DEV_REGENERATE").is_some();
    let mut stale = Vec::new();
    for (path, bytes) in iris_dev::cli::generate::generated_files() {
        let path = root.join(path);
        if fs::read(&path).ok().as_deref() == Some(bytes.as_slice()) {
            continue;
        }
        if regenerate {
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, &bytes).unwrap();
        } else {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "these generated files are stale or missing:\n  {}\nregenerate them with:\n  {REGENERATE}",
        stale.join("\n  ")
    );
}

#[test]
fn completions_command_prints_the_committed_scripts() {
    let env =
        crate::support::TestEnv::new("generated::completions_command_prints_the_committed_scripts");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (shell, file) in [
        ("bash", "iris-dev.bash"),
        ("zsh", "_iris-dev"),
        ("fish", "iris-dev.fish"),
        ("powershell", "_iris-dev.ps1"),
        ("elvish", "iris-dev.elv"),
    ] {
        let run = env.run(["completions", shell]).success();
        let committed = fs::read_to_string(root.join("completions").join(file)).unwrap();
        assert!(
            run.stdout().trim_end() == committed.trim_end(),
            "`iris-dev completions {shell}` differs from completions/{file}; regenerate with:\n  {REGENERATE}"
        );
    }
}
