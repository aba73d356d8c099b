//! The everyday commands (`compose`, `logs`, `session`, `open`, `vscode`,
//! `down --all`, the live state in `ports list`) against the Docker engine and
//! the stand-in image, on every compose ([`Compose`]) as in `docker.rs`. Each
//! stack is named after its whole path in its `.env` ([`compose_project`]), so
//! the three variants of a test never share one.

use fs_err as fs;

use crate::support::{
    Cleanup, Compose, STANDIN, TestEnv, compose_matrix, compose_project, docker_out, port_of,
    standin,
};

compose_matrix!(
    everyday_commands_reach_the_projects_stack,
    down_all_stops_every_project_on_the_engine,
);

fn standin_file(extra: &str) -> String {
    format!("services:\n  iris:\n    image: {STANDIN}\n    expose: [\"1972\"]\n{extra}")
}

/// What `iris-dev session ARGS` prints with `input` piped to it.
fn session(env: &TestEnv, dir: &std::path::Path, args: &[&str], input: &str) -> (i32, String) {
    let output = crate::support::pipe_into(
        env.command(["session"].iter().chain(args)).current_dir(dir),
        input,
    );
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap(), stdout)
}

fn everyday_commands_reach_the_projects_stack(compose: Compose) {
    standin();
    let env = compose.env("everyday::everyday_commands_reach_the_projects_stack");
    let file = standin_file(
        "    environment:\n      IRIS_NAMESPACE: APP\n      ISC_DATA_DIRECTORY: /durable/iris\n    \
         volumes: [\"data:/durable\"]\nvolumes:\n  data:\n",
    );
    let (shop, name) = compose_project(&env, "shop", &file);
    let _cleanup = Cleanup(vec![name.clone()]);
    env.run_in(&shop, ["up", "--wait-timeout", "60"]).success();
    let web_port = port_of(&env, &shop, true);

    let container = compose.container(&name, "iris");
    let ps = env.run_in(&shop, ["compose", "ps"]).success();
    ps.assert_stdout_contains(&container);
    let ids = env
        .run_in(&shop, ["compose", "ps", "-q"])
        .success()
        .stdout();
    assert_eq!(
        ids,
        docker_out(&["inspect", "--format", "{{.Id}}", &container])
    );
    // Compose's own failure, and a failure inside the container, keep their
    // exit codes. (v2's `ps` takes an unknown service without complaint.)
    let missing = env.run_in(&shop, ["compose", "port", "no-such-service", "1972"]);
    assert_eq!(missing.code(), 1, "{}", missing.snapshot());
    missing.assert_stderr_contains("no-such-service");
    let usage = env.run_in(&shop, ["compose", "exec", "-T", "iris", "iris", "session"]);
    assert_eq!(usage.code(), 2, "{}", usage.snapshot());
    usage.assert_stderr_contains("usage: iris session INSTANCE");

    let logs = env
        .run_in(&shop, ["logs", "--no-color", "--tail", "50"])
        .success();
    logs.assert_stdout_contains("durable %SYS created in /durable/iris");

    let (_, transcript) = session(&env, &shop, &[], "write 1+1\nhalt\n");
    assert!(transcript.contains("APP>write 1+1\n2"), "{transcript}");
    let (_, transcript) = session(&env, &shop, &["--namespace", "%SYS"], "w 2+3\n");
    assert!(transcript.contains("%SYS>w 2+3\n5"), "{transcript}");

    let portal = format!("http://127.0.0.1:{web_port}/csp/sys/UtilHome.csp\n");
    assert_eq!(
        env.run_in(&shop, ["open", "--print"]).success().stdout(),
        portal
    );

    let vscode = shop.join(".vscode");
    fs::create_dir(&vscode).unwrap();
    let settings = vscode.join("settings.json");
    fs::write(
        &settings,
        "{\n  // keep me\n  \"editor.tabSize\": 2,\n  \"objectscript.conn\": {\n    \"port\": 1, /* old */\n    \"links\": {}\n  },\n}\n",
    )
    .unwrap();
    let dry = env.run_in(&shop, ["vscode", "--dry-run"]).success();
    dry.assert_stdout_contains(&format!("+    \"port\": {web_port}, /* old */"));
    assert!(
        fs::read_to_string(&settings)
            .unwrap()
            .contains("\"port\": 1,")
    );
    env.run_in(&shop, ["vscode"]).success();
    let written = fs::read_to_string(&settings).unwrap();
    let superserver = port_of(&env, &shop, false);
    let root = shop.canonicalize().unwrap();
    assert_eq!(
        written,
        format!(
            "{{\n  // keep me\n  \"editor.tabSize\": 2,\n  \"objectscript.conn\": {{\n    \"port\": {web_port}, /* old */\n    \"links\": {{}},\n    \"active\": true,\n    \"host\": \"127.0.0.1\",\n    \"ns\": \"APP\"\n  }},\n  \"intersystems.servers\": {{\n    \"iris-dev-{name}\": {{\n      \"webServer\": {{\n        \"scheme\": \"http\",\n        \"host\": \"127.0.0.1\",\n        \"port\": {web_port}\n      }},\n      \"superServer\": {{\n        \"port\": {superserver}\n      }},\n      \"description\": \"IRIS of {} (iris-dev)\"\n    }}\n  }},\n}}\n",
            root.display()
        )
    );
    env.run_in(&shop, ["vscode"])
        .success()
        .assert_stderr_contains("nothing to change");
    assert_eq!(fs::read_to_string(&settings).unwrap(), written);
    let broken = "{\n  \"a\": 1\n  \"b\": 2\n}\n";
    fs::write(&settings, broken).unwrap();
    let refused = env.run_in(&shop, ["vscode"]);
    assert_eq!(refused.code(), 1, "{}", refused.snapshot());
    refused
        .assert_stderr_contains("settings.json`: line 2, column 9: expected `,` after this value");
    assert_eq!(fs::read_to_string(&settings).unwrap(), broken);

    let list: serde_json::Value =
        serde_json::from_str(&env.run(["ports", "list", "--json"]).success().stdout()).unwrap();
    let state = list[0]["state"].as_str().unwrap();
    assert!(
        ["healthy", "starting", "running"].contains(&state),
        "{list}"
    );
    env.run(["ports", "list"])
        .success()
        .assert_stdout_contains("STATE");
}

fn down_all_stops_every_project_on_the_engine(compose: Compose) {
    standin();
    let env = compose.env("everyday::down_all_stops_every_project_on_the_engine");
    let (alpha, alpha_name) = compose_project(&env, "alpha", &standin_file(""));
    let (beta, beta_name) = compose_project(&env, "beta", &standin_file(""));
    let _cleanup = Cleanup(vec![alpha_name.clone(), beta_name.clone()]);
    for dir in [&alpha, &beta] {
        env.run_in(dir, ["up", "--no-wait"]).success();
    }
    env.project("reserved-only");
    env.run(["port", "-C", "reserved-only"]).success();

    let down = env.run(["down", "--all"]).success();
    for dir in [&alpha, &beta] {
        down.assert_stderr_contains(&format!("stopped `{}`", dir.display()));
    }
    for name in [&alpha_name, &beta_name] {
        let label = format!("label=com.docker.compose.project={name}");
        assert_eq!(docker_out(&["ps", "-aq", "--filter", &label]), "");
    }
    let list: serde_json::Value =
        serde_json::from_str(&env.run(["ports", "list", "--json"]).success().stdout()).unwrap();
    for assignment in list.as_array().unwrap() {
        assert_eq!(assignment["state"], "none", "{list}");
    }
    let statuses: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|assignment| assignment["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(statuses.iter().filter(|s| *s == "released").count(), 2);
}
