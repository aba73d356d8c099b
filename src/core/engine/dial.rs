//! How to reach an engine that bollard cannot dial by itself, as data: `ssh://`
//! through `ssh ... docker system dial-stdio` (what the docker CLI runs), and
//! `tcp://` with TLS through the local docker CLI's own `docker system
//! dial-stdio`, which reads `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH` the way
//! the user's other docker commands do. Also what a failed dial's standard error
//! means.
//!
//! Pure: the bridge that runs these command lines is [`super::bridge`].

use super::Endpoint;

/// Where an `ssh://[user@]host[:port]` endpoint logs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshTarget {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
}

impl SshTarget {
    /// `None` for anything but a well-formed `ssh://` URL; a path after the
    /// authority is ignored, as the docker CLI does not allow one either.
    pub fn parse(url: &str) -> Option<Self> {
        let rest = url.strip_prefix("ssh://")?;
        let authority = rest.split('/').next().unwrap_or("");
        let (user, address) = match authority.rsplit_once('@') {
            Some((user, address)) => (Some(user.to_owned()), address),
            None => (None, authority),
        };
        let (host, port) = match address.strip_prefix('[') {
            Some(v6) => {
                let (host, after) = v6.split_once(']')?;
                (host, after.strip_prefix(':'))
            }
            None => match address.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (address, None),
            },
        };
        let port = match port {
            Some(port) => Some(port.parse().ok().filter(|port| *port != 0)?),
            None => None,
        };
        // A host holds no bracket, `@` or space: `[[::1]` is no address
        // (found by the fuzz target `engine_url`).
        let plain = !host.contains(['[', ']', '@']) && !host.contains(char::is_whitespace);
        (!host.is_empty() && plain).then(|| Self {
            user,
            host: host.to_owned(),
            port,
        })
    }

    /// `ssh`'s arguments up to the remote command: never a prompt (every
    /// connection runs its own `ssh`), then the user's `~/.ssh/config` decides the
    /// rest (keys, known hosts, jump hosts).
    pub fn ssh_args(&self) -> Vec<String> {
        let mut args = vec![
            "ssh".to_owned(),
            "-o".to_owned(),
            "BatchMode=yes".to_owned(),
        ];
        if let Some(user) = &self.user {
            args.extend(["-l".to_owned(), user.clone()]);
        }
        if let Some(port) = self.port {
            args.extend(["-p".to_owned(), port.to_string()]);
        }
        args.extend(["--".to_owned(), self.host.clone()]);
        args
    }

    /// `ssh -N` forwarding each port on this machine's loopback to the same port
    /// on `remote`, the address the stack was published on as the remote host
    /// sees it ([`forward_host`]). It may prompt (it runs in the foreground); it
    /// fails at once when a port cannot be forwarded.
    pub fn tunnel_args(&self, remote: &str, ports: &[u16]) -> Vec<String> {
        let mut args = vec![
            "ssh".to_owned(),
            "-N".to_owned(),
            "-o".to_owned(),
            "ExitOnForwardFailure=yes".to_owned(),
        ];
        for port in ports {
            args.extend(["-L".to_owned(), format!("127.0.0.1:{port}:{remote}:{port}")]);
        }
        let login = self.ssh_args();
        // Everything after `ssh -o BatchMode=yes`.
        args.extend(login.into_iter().skip(3));
        args
    }

    /// `user@host:port` as the user wrote it, for messages.
    pub fn display(&self) -> String {
        let mut text = String::new();
        if let Some(user) = &self.user {
            text.push_str(user);
            text.push('@');
        }
        text.push_str(&self.host);
        if let Some(port) = self.port {
            text.push_str(&format!(":{port}"));
        }
        text
    }
}

/// Where a tunnel's forwards end on the remote host, for `ssh -L`: the address
/// the stack was published on (an assignment's `bind`), loopback when there is
/// none or it does not parse, and loopback of the same family for every
/// interface. IPv6 goes in brackets, as `ssh -L` wants it.
pub fn forward_host(bind: Option<&str>) -> String {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let address = match bind.and_then(|bind| bind.parse::<IpAddr>().ok()) {
        Some(IpAddr::V4(address)) if address.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        Some(IpAddr::V6(address)) if address.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        Some(address) => address,
        None => IpAddr::V4(Ipv4Addr::LOCALHOST),
    };
    match address {
        IpAddr::V4(address) => address.to_string(),
        IpAddr::V6(address) => format!("[{address}]"),
    }
}

/// How [`super::DockerEngine`] reaches an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// bollard dials it: `unix://`, plain `tcp://` or `http://`, `npipe://`.
    Direct,
    /// Each connection is a fresh process whose standard input and output are
    /// the engine's API: `argv` run with `env` on top of iris-dev's.
    Dial {
        argv: Vec<String>,
        env: Vec<(String, String)>,
        /// What the process does, for errors: `ssh` or `docker`.
        kind: DialKind,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialKind {
    Ssh,
    Tls,
}

impl Transport {
    /// `None` for an `ssh://` URL that does not parse.
    pub fn of(endpoint: &Endpoint) -> Option<Self> {
        let url = endpoint.url.as_str();
        if url.starts_with("ssh://") {
            let target = SshTarget::parse(url)?;
            let mut argv = target.ssh_args();
            argv.extend(["docker", "system", "dial-stdio"].map(str::to_owned));
            return Some(Self::Dial {
                argv,
                env: Vec::new(),
                kind: DialKind::Ssh,
            });
        }
        let tcp = url.starts_with("tcp://") || url.starts_with("https://");
        if let Some(context) = endpoint.context.as_deref().filter(|_| tcp) {
            // A context may keep TLS certificates of its own, which only the
            // docker CLI reads: let it dial.
            let argv = ["docker", "--context", context, "system", "dial-stdio"].map(str::to_owned);
            return Some(Self::Dial {
                argv: argv.to_vec(),
                env: Vec::new(),
                kind: DialKind::Tls,
            });
        }
        let tls = endpoint.tls.as_ref();
        if let Some(tls) = tls.filter(|_| tcp) {
            let mut env = vec![("DOCKER_TLS_VERIFY".to_owned(), "1".to_owned())];
            if let Some(path) = &tls.cert_path {
                env.push((
                    "DOCKER_CERT_PATH".to_owned(),
                    path.to_string_lossy().into_owned(),
                ));
            }
            let argv = ["docker", "-H", url, "system", "dial-stdio"].map(str::to_owned);
            return Some(Self::Dial {
                argv: argv.to_vec(),
                env,
                kind: DialKind::Tls,
            });
        }
        Some(Self::Direct)
    }
}

/// What a dial process that failed tells about the failing step, from its exit
/// code and standard error; the endpoint is named by the caller.
pub fn diagnose(kind: DialKind, code: i32, stderr: &str) -> String {
    let detail = stderr
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    let step = match kind {
        DialKind::Ssh => {
            if stderr.contains("Host key verification failed")
                || stderr.contains("No ED25519 host key is known")
                || stderr.contains("REMOTE HOST IDENTIFICATION HAS CHANGED")
            {
                "the host key is unknown or changed (ssh checks it against `~/.ssh/known_hosts`; \
                 connect once with `ssh` to accept it)"
            } else if stderr.contains("Permission denied") {
                "ssh login failed"
            } else if code == 127
                || stderr.contains("command not found")
                || stderr.contains("docker: not found")
            {
                "ssh logged in, but the remote host has no `docker` command"
            } else if code == 255 {
                "ssh could not connect"
            } else {
                "`docker system dial-stdio` failed on the remote host"
            }
        }
        DialKind::Tls => {
            if stderr.contains("certificate")
                || stderr.contains("tls")
                || stderr.contains("TLS")
                || stderr.contains("x509")
            {
                "the TLS handshake failed (see `DOCKER_CERT_PATH` and `DOCKER_TLS_VERIFY`)"
            } else {
                "`docker system dial-stdio` could not reach the engine"
            }
        }
    };
    if detail.is_empty() {
        format!("{step} (exit code {code})")
    } else {
        format!("{step}: {detail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_urls_become_ssh_arguments() {
        let target = SshTarget::parse("ssh://root@127.0.0.1:2222").unwrap();
        assert_eq!(
            target.ssh_args(),
            [
                "ssh",
                "-o",
                "BatchMode=yes",
                "-l",
                "root",
                "-p",
                "2222",
                "--",
                "127.0.0.1"
            ]
        );
        assert_eq!(target.display(), "root@127.0.0.1:2222");
        assert_eq!(
            target.tunnel_args("127.0.0.1", &[1972, 52773]),
            [
                "ssh",
                "-N",
                "-o",
                "ExitOnForwardFailure=yes",
                "-L",
                "127.0.0.1:1972:127.0.0.1:1972",
                "-L",
                "127.0.0.1:52773:127.0.0.1:52773",
                "-l",
                "root",
                "-p",
                "2222",
                "--",
                "127.0.0.1"
            ]
        );
        assert_eq!(
            target.tunnel_args("[::1]", &[1972])[5],
            "127.0.0.1:1972:[::1]:1972"
        );
        let plain = SshTarget::parse("ssh://builder").unwrap();
        assert_eq!(
            plain.ssh_args(),
            ["ssh", "-o", "BatchMode=yes", "--", "builder"]
        );
        let v6 = SshTarget::parse("ssh://me@[::1]:22").unwrap();
        assert_eq!((v6.host.as_str(), v6.port), ("::1", Some(22)));
        assert_eq!(SshTarget::parse("ssh://host:nope"), None);
        // Found by the fuzz target `engine_url`: a host of `[fe80::1`.
        assert_eq!(SshTarget::parse("ssh://[[fe80::1]"), None);
        assert_eq!(SshTarget::parse("ssh://a b"), None);
        assert_eq!(SshTarget::parse("ssh://"), None);
        assert_eq!(SshTarget::parse("tcp://host"), None);
    }

    #[test]
    fn tunnels_end_where_the_stack_was_published() {
        for (bind, host) in [
            (None, "127.0.0.1"),
            (Some("127.0.0.2"), "127.0.0.2"),
            (Some("0.0.0.0"), "127.0.0.1"),
            (Some("::"), "[::1]"),
            (Some("fd00::5"), "[fd00::5]"),
            (Some("192.168.1.20"), "192.168.1.20"),
            (Some("not an address"), "127.0.0.1"),
        ] {
            assert_eq!(forward_host(bind), host, "{bind:?}");
        }
    }

    #[test]
    fn a_contexts_tcp_endpoint_is_dialled_by_the_docker_cli() {
        let from_context = |url: &str| {
            Transport::of(&Endpoint {
                context: Some("far".into()),
                ..Endpoint::new(url)
            })
        };
        assert_eq!(
            from_context("tcp://10.0.0.5:2376"),
            Some(Transport::Dial {
                argv: ["docker", "--context", "far", "system", "dial-stdio"]
                    .map(str::to_owned)
                    .to_vec(),
                env: Vec::new(),
                kind: DialKind::Tls,
            })
        );
        assert_eq!(
            from_context("unix:///run/other.sock"),
            Some(Transport::Direct)
        );
    }

    #[test]
    fn tls_goes_through_the_docker_cli_and_the_rest_is_direct() {
        let plain = |url: &str| Transport::of(&Endpoint::new(url));
        let tls = |url: &str| {
            Transport::of(&Endpoint {
                url: url.into(),
                tls: Some(super::super::Tls {
                    cert_path: Some("/certs".into()),
                }),
                context: None,
                origin: super::super::Origin::Given,
            })
        };
        assert_eq!(plain("tcp://10.0.0.5:2376"), Some(Transport::Direct));
        assert_eq!(
            plain("unix:///var/run/docker.sock"),
            Some(Transport::Direct)
        );
        let Some(Transport::Dial { argv, env, kind }) = tls("tcp://10.0.0.5:2376") else {
            panic!("a dial")
        };
        assert_eq!(
            argv,
            [
                "docker",
                "-H",
                "tcp://10.0.0.5:2376",
                "system",
                "dial-stdio"
            ]
        );
        assert!(env.contains(&("DOCKER_CERT_PATH".into(), "/certs".into())));
        assert_eq!(kind, DialKind::Tls);
        assert_eq!(tls("unix:///var/run/docker.sock"), Some(Transport::Direct));
        assert!(matches!(
            plain("ssh://me@far"),
            Some(Transport::Dial {
                kind: DialKind::Ssh,
                ..
            })
        ));
        assert_eq!(plain("ssh://far:x"), None);
    }

    #[test]
    fn failed_dials_name_the_step() {
        let ssh = |code, stderr| diagnose(DialKind::Ssh, code, stderr);
        assert!(
            ssh(255, "root@127.0.0.1: Permission denied (publickey).\n")
                .starts_with("ssh login failed: root@127.0.0.1: Permission denied")
        );
        assert!(ssh(255, "Host key verification failed.\n").starts_with("the host key is unknown"));
        assert!(
            ssh(127, "bash: line 1: docker: command not found\n")
                .starts_with("ssh logged in, but the remote host has no `docker` command")
        );
        assert!(
            ssh(255, "ssh: connect to host x port 22: Connection refused")
                .starts_with("ssh could not connect")
        );
        assert_eq!(
            diagnose(DialKind::Tls, 1, "remote error: tls: bad certificate"),
            "the TLS handshake failed (see `DOCKER_CERT_PATH` and `DOCKER_TLS_VERIFY`): remote error: tls: bad certificate"
        );
    }
}
