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
    let (env, fake) = fake_env("12700-12709");
    fs::write(fake.join("config.yaml"), CONFIG).unwrap();
    let shop = env.root().join("shop");
    let url = "iris://dev@127.0.0.1:12700/APP";
    let jdbc = "jdbc:IRIS://127.0.0.1:12700/APP";
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
    assert_eq!(json["IRIS_URL"], url);
    assert_eq!(json["IRIS_JDBC_URL"], jdbc);
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
