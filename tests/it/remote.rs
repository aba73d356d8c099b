//! Remote engines against real components these tests start: an sshd on
//! 127.0.0.1 (Debian's openssh-server, with a temporary host key and client key)
//! for `ssh://`, and a socat relay to the local socket for `tcp://` and a docker
//! context. The "remote" engine is this machine's, reached the long way.
//!
//! `ssh` reads `~/.ssh/config` from the password database, not `HOME`, so each
//! test puts an `ssh` wrapper first on PATH that adds `-F` with the test's own
//! config; iris-dev and compose's docker CLI both run `ssh` from PATH. That
//! config names 127.0.0.1 `iris-remote`: `ssh://root@127.0.0.1` is (rightly) a
//! local engine, whose ports are this machine's, and the remote path is the one
//! under test.

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fs_err as fs;

use crate::support::{
    Cleanup, STANDIN, TestEnv, compose_project, docker_out, port_of, reachable, standin,
};

/// A free TCP port on 127.0.0.1 for a server the test starts.
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !reachable(Ipv4Addr::LOCALHOST, port) {
        assert!(Instant::now() < deadline, "nothing listens on port {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A child process killed when the test ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A process group the test started, killed when the test ends.
struct Group(u32);

impl Group {
    fn signal(&self, signal: &str) {
        let _ = Command::new("kill")
            .args([signal, "--", &format!("-{}", self.0)])
            .status();
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.signal("-KILL");
    }
}

fn keygen(path: &Path) {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "ssh-keygen {}", path.display());
}

/// An sshd on 127.0.0.1 that lets `root` in with the test's client key, and an
/// `ssh` wrapper in `bin/` whose config uses that key and a known_hosts file of
/// the test's own.
struct Sshd {
    port: u16,
    bin: PathBuf,
    dir: PathBuf,
    _server: Killed,
}

impl Sshd {
    fn start(env: &TestEnv) -> Self {
        let dir = env.project("ssh");
        keygen(&dir.join("host_key"));
        keygen(&dir.join("client_key"));
        fs::copy(dir.join("client_key.pub"), dir.join("authorized_keys")).unwrap();
        let port = free_port();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {dir}/host_key\nPidFile {dir}/sshd.pid\n\
             AuthorizedKeysFile {dir}/authorized_keys\nPermitRootLogin prohibit-password\n\
             StrictModes no\nUsePAM no\nPasswordAuthentication no\n",
            dir = dir.display()
        );
        fs::write(dir.join("sshd_config"), config).unwrap();
        // Privilege separation wants this directory; Debian creates it at boot.
        let _ = fs::create_dir_all("/run/sshd");
        let server = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(dir.join("sshd_config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sshd starts");
        let server = Killed(server);
        wait_for(port);
        let bin = dir.join("bin");
        fs::create_dir(&bin).unwrap();
        let sshd = Self {
            port,
            bin,
            dir,
            _server: server,
        };
        sshd.client_config("client_key");
        sshd
    }

    /// Points the `ssh` wrapper at a config that logs in with `key`.
    fn client_config(&self, key: &str) {
        let dir = self.dir.display();
        fs::write(
            self.dir.join("ssh_config"),
            format!(
                "Host iris-remote\n  HostName 127.0.0.1\n  IdentityFile {dir}/{key}\n  IdentitiesOnly yes\n  \
                 UserKnownHostsFile {dir}/known_hosts\n  StrictHostKeyChecking accept-new\n"
            ),
        )
        .unwrap();
        let wrapper = self.bin.join("ssh");
        fs::write(
            &wrapper,
            format!("#!/bin/sh\nexec /usr/bin/ssh -F {dir}/ssh_config \"$@\"\n"),
        )
        .unwrap();
        let _ = Command::new("chmod").arg("+x").arg(&wrapper).status();
    }

    fn url(&self) -> String {
        format!("ssh://root@iris-remote:{}", self.port)
    }

    /// `env` reaching the engine through this sshd, with compose v2 (Debian's
    /// docker-compose 1.29 needs paramiko for `ssh://`).
    fn env(&self, env: TestEnv) -> TestEnv {
        let path = format!(
            "{}:{}",
            self.bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        env.with("PATH", &path)
            .with("DOCKER_HOST", &self.url())
            .with("DOCKER_CONFIG", &compose_v2_config())
    }
}

fn compose_v2_config() -> String {
    match option_env!("IRIS_DEV_TEST_COMPOSE_V2") {
        Some(config) => config.to_owned(),
        None => panic!("`IRIS_DEV_TEST_COMPOSE_V2` was not set at build time; `.ci/run` shows how"),
    }
}

#[test]
#[cfg_attr(
    not(all(has_sshd, has_docker, has_compose_v2, is_root)),
    ignore = "needs sshd and ssh (Debian's openssh-server; .ci/run installs it), root, a Docker engine and compose v2"
)]
fn up_status_stale_and_down_through_ssh() {
    crate::support::needs::root("sshd runs as root");
    standin();
    let env = TestEnv::engine("remote::up_status_stale_and_down_through_ssh");
    let sshd = Sshd::start(&env);
    let env = sshd.env(env);
    let compose = format!("services:\n  iris:\n    image: {STANDIN}\n    expose: [\"1972\"]\n");
    let (dir, name) = compose_project(&env, "far", &compose);
    let _cleanup = Cleanup(vec![name.clone()]);

    let up = env.run_in(&dir, ["up", "--wait-timeout", "60"]).success();
    // Readiness ran the stand-in's health check through exec over ssh.
    assert!(!up.stderr().contains("no engine client"), "{}", up.stderr());
    up.assert_stderr_contains("superserver  127.0.0.1:1350");
    up.assert_stderr_contains("iris-dev tunnel");
    let port = port_of(&env, &dir, false);
    assert!(env.ports().contains(port));

    let status = env.run_in(&dir, ["status"]).success();
    status.assert_stdout_contains("running, healthy");
    let registry = env.registry_json();
    assert_eq!(
        registry["assignments"][0]["engine"].as_str(),
        Some(sshd.url().as_str())
    );

    let id = docker_out(&[
        "ps",
        "-q",
        "--filter",
        &format!("label=com.docker.compose.project={name}"),
    ]);
    docker_out(&["rm", "-f", id.trim()]);
    // Another project's `up` lists the engine's containers over ssh and marks
    // the first one stale.
    let (other, other_name) = compose_project(&env, "near", &compose);
    let _other_cleanup = Cleanup(vec![other_name]);
    let second = env.run_in(&other, ["-v", "up", "--no-wait"]).success();
    second.assert_stderr_contains("is stale");
    env.run_in(&other, ["down"]).success();
    env.run_in(&dir, ["down"]).success();
}

#[test]
#[cfg_attr(
    not(all(has_sshd, has_docker, has_compose_v2, is_root)),
    ignore = "needs sshd and ssh (Debian's openssh-server; .ci/run installs it), root, a Docker engine and compose v2"
)]
fn a_wrong_key_fails_before_any_port_is_assigned() {
    crate::support::needs::root("sshd runs as root");
    let env = TestEnv::engine("remote::a_wrong_key_fails_before_any_port_is_assigned");
    let sshd = Sshd::start(&env);
    keygen(&sshd.dir.join("wrong_key"));
    sshd.client_config("wrong_key");
    let env = sshd.env(env);
    let dir = env.project("denied");
    fs::write(
        dir.join("compose.yaml"),
        format!("services:\n  iris:\n    image: {STANDIN}\n"),
    )
    .unwrap();
    let run = env.run_in(&dir, ["up"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    run.assert_stderr_contains(&format!(
        "cannot reach the Docker engine at `{}`: ssh login failed",
        sshd.url()
    ));
    run.assert_stderr_contains("Permission denied");
    assert!(
        !env.registry().exists()
            || !fs::read_to_string(env.registry())
                .unwrap()
                .contains("denied")
    );
}

#[test]
#[cfg_attr(
    not(all(has_sshd, has_docker, has_compose_v2, is_root)),
    ignore = "needs sshd and ssh (Debian's openssh-server; .ci/run installs it), root, a Docker engine and compose v2"
)]
fn tunnel_runs_ssh_with_the_projects_ports() {
    crate::support::needs::root("sshd runs as root");
    // The "remote" host is this machine, so its loopback ports are this
    // machine's: the tunnel forwards a free pair to a listener the test opens
    // on the remote side's end of the forward.
    let env = TestEnv::engine("remote::tunnel_runs_ssh_with_the_projects_ports");
    let sshd = Sshd::start(&env);
    let env = sshd.env(env);
    let dir = env.project("tunneled");
    fs::write(
        dir.join("compose.yaml"),
        "services:\n  iris:\n    image: x\n",
    )
    .unwrap();
    let registry = env.registry_dir();
    fs::create_dir_all(&registry).unwrap();
    let target = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let target_port = target.local_addr().unwrap().port();
    // An assignment whose port is the listener's own port: the tunnel cannot
    // listen on it here, so ssh must fail at once (ExitOnForwardFailure)
    // and the error must name the ssh command.
    env.run_in(&dir, ["port"]).success();
    let assigned = env.registry_json();
    let mut edited = assigned.clone();
    edited["assignments"][0]["port"] = serde_json::json!(target_port);
    fs::write(env.registry(), serde_json::to_string(&edited).unwrap()).unwrap();
    let mut child = env.spawn(["tunnel"], &dir);
    let status = child.wait().unwrap();
    assert!(!status.success());
    let mut stderr = String::new();
    if let Some(err) = child.stderr.take() {
        for line in BufReader::new(err).lines() {
            stderr.push_str(&line.unwrap());
            stderr.push('\n');
        }
    }
    assert!(
        stderr.contains(&format!(
            "-L 127.0.0.1:{target_port}:127.0.0.1:{target_port}"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("ended with exit code 255"), "{stderr}");
    drop(target);
}

#[test]
#[cfg_attr(
    not(all(has_sshd, has_docker, has_compose_v2, is_root)),
    ignore = "needs sshd and ssh (Debian's openssh-server; .ci/run installs it), root, a Docker engine and compose v2"
)]
fn tunnel_forwards_to_the_stack_end_to_end() {
    crate::support::needs::root("sshd runs as root");
    // The "remote" host is this machine: the stack is published on 127.0.0.2
    // there, so the tunnel's own end, 127.0.0.1, is free for it.
    standin();
    let env = TestEnv::engine("remote::tunnel_forwards_to_the_stack_end_to_end");
    let sshd = Sshd::start(&env);
    let env = sshd.env(env);
    let compose = format!("services:\n  iris:\n    image: {STANDIN}\n    expose: [\"1972\"]\n");
    let (dir, name) = compose_project(&env, "tunneled-stack", &compose);
    let _cleanup = Cleanup(vec![name]);
    env.run_in(&dir, ["up", "--bind", "127.0.0.2", "--wait-timeout", "60"])
        .success();
    let port = port_of(&env, &dir, false);
    let remote = Ipv4Addr::new(127, 0, 0, 2);
    assert!(
        reachable(remote, port),
        "the stack listens on 127.0.0.2:{port}"
    );
    assert!(
        !reachable(Ipv4Addr::LOCALHOST, port),
        "nothing on 127.0.0.1:{port} yet"
    );

    let log = env.project("tunnel-log").join("stderr");
    // In a process group of its own, like a terminal's foreground job, so the
    // test can press Ctrl-C for it: `ssh` gets the SIGINT too.
    let tunnel = env
        .command(["-v", "tunnel"])
        .current_dir(&dir)
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(fs::File::create(&log).unwrap().into_parts().0)
        .spawn()
        .unwrap();
    let group = Group(tunnel.id());
    let mut tunnel = Killed(tunnel);
    wait_for(port);
    // The stand-in holds a connection open until the client closes it, as
    // IRIS's superserver does; a forward whose far end refused would be closed
    // at once (and ssh says "open failed" on its stderr, checked below).
    let mut stream = std::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    let mut buffer = [0_u8; 16];
    let read = std::io::Read::read(&mut stream, &mut buffer);
    assert!(
        matches!(&read, Err(err) if matches!(err.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)),
        "the stand-in holds the forwarded connection open: {read:?}"
    );
    drop(stream);
    group.signal("-INT");
    tunnel.0.wait().unwrap();
    let stderr = fs::read_to_string(&log).unwrap();
    assert!(
        stderr.contains(&format!("-L 127.0.0.1:{port}:127.0.0.2:{port}")),
        "{stderr}"
    );
    assert!(
        !stderr.contains("open failed"),
        "the forward reached the stack: {stderr}"
    );
    // `ssh`, in the same group, got the SIGINT too; it may close its listener a
    // moment after iris-dev has exited.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while reachable(Ipv4Addr::LOCALHOST, port) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !reachable(Ipv4Addr::LOCALHOST, port),
        "the tunnel is gone with its process"
    );
    env.run_in(&dir, ["down"]).success();
}

#[test]
#[cfg_attr(
    not(all(has_socat, has_docker)),
    ignore = "needs socat (.ci/run installs it) and a Docker engine"
)]
fn tcp_through_a_relay_and_a_docker_context() {
    let port = free_port();
    let relay = Command::new("socat")
        .arg(format!("TCP-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr"))
        .arg("UNIX-CONNECT:/var/run/docker.sock")
        .stdin(Stdio::null())
        .spawn()
        .expect("socat starts");
    let _relay = Killed(relay);
    wait_for(port);
    let env = TestEnv::engine("remote::tcp_through_a_relay_and_a_docker_context");
    let config = env.project("docker-config");
    let host = format!("tcp://127.0.0.1:{port}");
    let created = Command::new("docker")
        .arg("--config")
        .arg(&config)
        .args([
            "context",
            "create",
            "relay",
            "--docker",
            &format!("host={host}"),
        ])
        .output()
        .unwrap();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let env = env
        .with("DOCKER_CONFIG", config.to_str().unwrap())
        .with("DOCKER_CONTEXT", "relay");
    let mut env = env;
    env.set("DOCKER_HOST", "");
    let doctor = env.run(["doctor"]);
    doctor.assert_stdout_contains(&host);
    let dir = env.project("relayed");
    fs::write(
        dir.join("compose.yaml"),
        "services:\n  iris:\n    image: x\n",
    )
    .unwrap();
    let status = env.run_in(&dir, ["status"]).success();
    assert!(
        !status.stdout().contains("cannot reach"),
        "{}",
        status.stdout()
    );
}
