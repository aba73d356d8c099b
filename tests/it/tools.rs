//! Every tool reaches the project's IRIS (issue 19, point 2): the URLs `env`
//! prints, and the settings `iris-dev vscode` writes for the ObjectScript
//! extension, InterSystems Server Manager and SQLTools, read back as JSON with
//! comments. No engine: the fake compose of [`crate::fake_compose`] answers.

use fs_err as fs;

use crate::fake_compose::fake_env;

/// The IRIS service's login, as the compose config the fake prints has it.
const CONFIG: &str = r#"name: shop
services:
  iris:
    image: intersystemsdc/iris-community:latest
    environment:
      IRIS_NAMESPACE: APP
      IRIS_USERNAME: dev
      IRIS_PASSWORD: s3cret
    ports:
      - mode: ingress
        target: 1972
        published: "1972"
        protocol: tcp
"#;

#[test]
fn env_prints_the_urls_in_every_format_without_the_password() {
    let (env, fake) = fake_env("tools::env_prints_the_urls_in_every_format_without_the_password");
    fs::write(fake.join("config.yaml"), CONFIG).unwrap();
    let shop = env.root().join("shop");
    let port = env.ports().first();
    let url = &format!("iris://dev@127.0.0.1:{port}/APP");
    let jdbc = &format!("jdbc:IRIS://127.0.0.1:{port}/APP");
    let shell = env.run_in(&shop, ["env"]).success().stdout();
    assert!(
        shell.contains(&format!("\nexport IRIS_URL={url}\n")),
        "{shell}"
    );
    assert!(
        shell.contains(&format!("\nexport IRIS_JDBC_URL={jdbc}\n")),
        "{shell}"
    );
    let make = env
        .run_in(&shop, ["env", "--format", "make"])
        .success()
        .stdout();
    assert!(
        make.contains(&format!("\nexport IRIS_URL := {url}\n")),
        "{make}"
    );
    assert!(
        make.contains(&format!("\nexport IRIS_JDBC_URL := {jdbc}\n")),
        "{make}"
    );
    let dotenv = env
        .run_in(&shop, ["env", "--format", "dotenv"])
        .success()
        .stdout();
    assert!(dotenv.contains(&format!("\nIRIS_URL={url}\n")), "{dotenv}");
    assert!(
        dotenv.contains(&format!("\nIRIS_JDBC_URL={jdbc}\n")),
        "{dotenv}"
    );
    let json: serde_json::Value = serde_json::from_str(
        &env.run_in(&shop, ["env", "--format", "json"])
            .success()
            .stdout(),
    )
    .unwrap();
    assert_eq!(json["IRIS_URL"], url.as_str());
    assert_eq!(json["IRIS_JDBC_URL"], jdbc.as_str());
    for text in [&shell, &make, &dotenv] {
        assert_eq!(
            text.matches("s3cret").count(),
            1,
            "only IRIS_PASSWORD: {text}"
        );
    }
    let status =
        env.run_in(&shop, ["status"]).stdout() + &env.run_in(&shop, ["status", "--json"]).stdout();
    assert!(!status.contains("s3cret"), "{status}");
}

/// JSON with comments as plain JSON, independently of iris-dev's own editor:
/// comments out, commas before `}` or `]` out, strings left alone.
fn parse_jsonc(text: &str) -> serde_json::Value {
    let mut plain = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                plain.push(c);
                while let Some(c) = chars.next() {
                    plain.push(c);
                    match c {
                        '\\' => plain.extend(chars.next()),
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                while chars.peek().is_some_and(|c| *c != '\n') {
                    chars.next();
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            '}' | ']' => {
                let trimmed = plain.trim_end().len();
                if plain[..trimmed].ends_with(',') {
                    plain.truncate(trimmed - 1);
                }
                plain.push(c);
            }
            _ => plain.push(c),
        }
    }
    serde_json::from_str(&plain).unwrap_or_else(|err| panic!("{err}:\n{plain}"))
}

/// The community template's settings (intersystems-community
/// objectscript-docker-template), with a team's server, another database's
/// SQLTools connection and comments around them.
const TEMPLATE_SETTINGS: &str = r#"{
    "files.associations": { "*.cls": "objectscript-class" },
    // the template's connection
    "objectscript.conn": {
        "ns": "IRISAPP",
        "username": "_SYSTEM",
        "password": "SYS",
        "docker-compose": {
            "service": "iris",
            "internalPort": 52773
        },
        "active": true
    },
    "sqltools.connections": [
        {
            "namespace": "IRISAPP",
            "connectionMethod": "Server and Port",
            "showSystem": false,
            "previewLimit": 50,
            "server": "localhost",
            "port": 32770,
            "askForPassword": false,
            "driver": "InterSystems IRIS",
            "name": "objectscript-docker-template",
            "username": "_SYSTEM",
            "password": "SYS"
        },
        /* the team's database */
        { "driver": "PostgreSQL", "name": "pg", "server": "localhost", "port": 5432 },
    ],
    "intersystems.servers": {
        "prod": { "webServer": { "scheme": "https", "host": "prod.example", "port": 443 } }, // production
        "/default": "prod"
    }
}
"#;

/// A template project: `docker-compose.yml`, the file the extension's compose
/// lookup reads by default, in the fake compose's project `tmpl`.
fn template_project(env: &crate::support::TestEnv) -> std::path::PathBuf {
    let tmpl = env.project("tmpl");
    fs::write(
        tmpl.join("docker-compose.yml"),
        "services:\n  iris:\n    image: intersystemsdc/iris-community\n    ports: [\"1972\", \"52773\"]\n",
    )
    .unwrap();
    fs::create_dir(tmpl.join(".vscode")).unwrap();
    fs::write(tmpl.join(".vscode/settings.json"), TEMPLATE_SETTINGS).unwrap();
    tmpl
}

#[test]
fn vscode_points_every_tool_at_the_stack_and_keeps_a_compose_block_that_finds_it() {
    let (env, fake) = fake_env(
        "tools::vscode_points_every_tool_at_the_stack_and_keeps_a_compose_block_that_finds_it",
    );
    fs::write(fake.join("config.yaml"), CONFIG).unwrap();
    let tmpl = template_project(&env);
    let settings = tmpl.join(".vscode/settings.json");
    let web: u16 = env
        .run_in(&tmpl, ["port", "--web"])
        .success()
        .stdout()
        .trim()
        .parse()
        .unwrap();
    let port: u16 = env
        .run_in(&tmpl, ["port"])
        .success()
        .stdout()
        .trim()
        .parse()
        .unwrap();

    let dry = env.run_in(&tmpl, ["vscode", "--dry-run"]).success();
    dry.assert_stdout_contains("--- a/.vscode/settings.json");
    dry.assert_stdout_contains(&format!("+        \"port\": {web}"));
    dry.assert_stdout_contains("-        \"password\": \"SYS\",");
    dry.assert_stderr_contains("kept `objectscript.conn.docker-compose`");
    assert_eq!(fs::read_to_string(&settings).unwrap(), TEMPLATE_SETTINGS);

    let run = env.run_in(&tmpl, ["vscode"]).success();
    run.assert_stderr_contains("kept `objectscript.conn.docker-compose`");
    run.assert_stderr_contains("removed `objectscript.conn.password`: it was `_SYSTEM`'s");
    run.assert_stderr_contains("`intersystems.servers.iris-dev-tmpl`");
    run.assert_stderr_contains("`objectscript-docker-template` points at 127.0.0.1");
    let written = fs::read_to_string(&settings).unwrap();
    for comment in [
        "// the template's connection",
        "/* the team's database */",
        "// production",
    ] {
        assert!(written.contains(comment), "{comment}: {written}");
    }
    let value = parse_jsonc(&written);
    assert_eq!(
        value["objectscript.conn"],
        serde_json::json!({
            "ns": "APP",
            "username": "dev",
            "docker-compose": {"service": "iris", "internalPort": 52773},
            "active": true,
            "host": "127.0.0.1",
            "port": web,
        })
    );
    assert_eq!(
        value["files.associations"],
        serde_json::json!({"*.cls": "objectscript-class"})
    );
    assert_eq!(
        value["intersystems.servers"],
        serde_json::json!({
            "prod": {"webServer": {"scheme": "https", "host": "prod.example", "port": 443}},
            "/default": "prod",
            "iris-dev-tmpl": {
                "webServer": {"scheme": "http", "host": "127.0.0.1", "port": web},
                "superServer": {"port": port},
                "username": "dev",
                "description": format!("IRIS of {} (iris-dev)", tmpl.canonicalize().unwrap().display()),
            },
        })
    );
    assert_eq!(
        value["sqltools.connections"],
        serde_json::json!([
            {
                "namespace": "APP",
                "connectionMethod": "Server and Port",
                "showSystem": false,
                "previewLimit": 50,
                "server": "127.0.0.1",
                "port": web,
                "askForPassword": true,
                "driver": "InterSystems IRIS",
                "name": "objectscript-docker-template",
                "username": "dev",
            },
            {"driver": "PostgreSQL", "name": "pg", "server": "localhost", "port": 5432},
        ])
    );
    assert!(!written.contains("s3cret"), "{written}");

    let again = env.run_in(&tmpl, ["vscode"]).success();
    again.assert_stderr_contains("nothing to change");
    assert_eq!(fs::read_to_string(&settings).unwrap(), written);
    let dry = env.run_in(&tmpl, ["vscode", "--dry-run"]).success();
    assert_eq!(dry.stdout(), "", "nothing to show");
}

#[test]
fn vscode_replaces_a_compose_block_and_a_server_that_miss_the_stack() {
    let (env, fake) =
        fake_env("tools::vscode_replaces_a_compose_block_and_a_server_that_miss_the_stack");
    fs::write(fake.join("config.yaml"), CONFIG).unwrap();
    // `shop` has `compose.yaml`; the block reads the default `docker-compose.yml`.
    let shop = env.root().join("shop");
    fs::create_dir(shop.join(".vscode")).unwrap();
    let settings = shop.join(".vscode/settings.json");
    let original = "{\n  \"objectscript.conn\": {\n    \"server\": \"prod\", // the old way\n    \"docker-compose\": { \"service\": \"iris\" },\n    \"ns\": \"USER\"\n  },\n  \"sqltools.connections\": []\n}\n";
    fs::write(&settings, original).unwrap();
    let web: u16 = env
        .run_in(&shop, ["port", "--web"])
        .success()
        .stdout()
        .trim()
        .parse()
        .unwrap();

    let run = env.run_in(&shop, ["vscode"]).success();
    run.assert_stderr_contains(
        "removed `objectscript.conn.docker-compose`, which the extension asks before host and port: its file `docker-compose.yml` is not the stack's (`compose.yaml`)",
    );
    run.assert_stderr_contains("removed `objectscript.conn.server` `prod`");
    run.assert_stderr_contains("`sqltools.connections`: added `iris-dev-shop`");
    let written = fs::read_to_string(&settings).unwrap();
    let value = parse_jsonc(&written);
    assert_eq!(
        value["objectscript.conn"],
        serde_json::json!({"ns": "APP", "active": true, "host": "127.0.0.1", "port": web, "username": "dev"})
    );
    assert_eq!(
        value["sqltools.connections"],
        serde_json::json!([{
            "name": "iris-dev-shop",
            "driver": "InterSystems IRIS",
            "connectionMethod": "Server and Port",
            "server": "127.0.0.1",
            "port": web,
            "namespace": "APP",
            "username": "dev",
            "askForPassword": true,
        }])
    );
    assert_eq!(
        value["intersystems.servers"]["iris-dev-shop"]["webServer"]["port"],
        web
    );
    env.run_in(&shop, ["vscode"])
        .success()
        .assert_stderr_contains("nothing to change");
    assert_eq!(fs::read_to_string(&settings).unwrap(), written);
}

#[test]
fn vscode_keeps_the_compose_block_once_plain_compose_finds_the_checkouts_stack() {
    let (env, fake) = fake_env(
        "tools::vscode_keeps_the_compose_block_once_plain_compose_finds_the_checkouts_stack",
    );
    fs::write(fake.join("config.yaml"), CONFIG).unwrap();
    let compose = "services:\n  iris:\n    image: intersystemsdc/iris-community\n";
    let block = "{\n  \"objectscript.conn\": {\n    \"docker-compose\": {\"service\": \"iris\", \"internalPort\": 52773}\n  }\n}\n";
    let checkouts: Vec<_> = ["x/app", "y/app"]
        .into_iter()
        .map(|name| {
            let dir = env.project(name);
            fs::write(dir.join("docker-compose.yml"), compose).unwrap();
            dir
        })
        .collect();
    env.run_in(&checkouts[0], ["up", "--no-wait"]).success();
    // The second checkout's stack is `app-<hash>`; plain compose in it acts on
    // `app` until `up` writes the `.env` line.
    let second = &checkouts[1];
    fs::create_dir(second.join(".vscode")).unwrap();
    let settings = second.join(".vscode/settings.json");
    fs::write(&settings, block).unwrap();
    let dry = env.run_in(second, ["vscode", "--dry-run"]).success();
    dry.assert_stderr_contains("removed `objectscript.conn.docker-compose`, which the extension asks before host and port: plain compose in the project acts on compose project `app`, not on this stack's `app-");
    env.run_in(second, ["up", "--no-wait"]).success();
    assert!(
        fs::read_to_string(second.join(".env"))
            .unwrap()
            .contains("COMPOSE_PROJECT_NAME=app-")
    );
    let run = env.run_in(second, ["vscode"]).success();
    run.assert_stderr_contains("kept `objectscript.conn.docker-compose`");
    let value = parse_jsonc(&fs::read_to_string(&settings).unwrap());
    assert_eq!(
        value["objectscript.conn"]["docker-compose"],
        serde_json::json!({"service": "iris", "internalPort": 52773})
    );
}
