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
fn completions_command_prints_the_committed_script() {
    let env = crate::support::TestEnv::new("10200-10209");
    let run = env.run(["completions", "bash"]).success();
    let committed =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/iris-dev.bash"))
            .unwrap();
    assert_eq!(run.stdout().trim_end(), committed.trim_end());
    assert!(
        run.stdout()
            .contains("iris__dev__subcmd__ports__subcmd__list")
    );
}
