//! Who holds a host port: a registry assignment, a container, a host process, or
//! nobody iris-dev can name, with the reason.
//!
//! Pure. It reads a [`Registry`], a container list, the text of `/proc/net/tcp`
//! and of `lsof -F`; [`crate::edges::platform::host_listeners`] reads the host, and
//! `ports who` and the errors that say a port is taken put the pieces together.
//! Nothing here runs on `port`'s fast path.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

use crate::core::allocate::{PortRange, RangeKind};
use crate::core::engine::{COMPOSE_PROJECT_LABEL, Container};
use crate::core::registry::Registry;

/// One holder of a port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Owner {
    Assignment {
        project: String,
        status: String,
        /// `auto` or `manual`.
        assignment_type: String,
        /// `superserver`, `web`, or `stack` for one of an `isolate: all` stack's
        /// other ports.
        role: &'static str,
        /// With `stack`: which one, by `service:container port` (`web:80`).
        #[serde(skip_serializing_if = "Option::is_none")]
        stack_port: Option<String>,
    },
    Container {
        name: String,
        compose_project: Option<String>,
        image: String,
        engine: String,
    },
    Process {
        pid: u32,
        command: String,
        uid: u32,
        user: Option<String>,
        /// The container this engine helper (Podman's `conmon`, ...) holds the
        /// port for ([`helper_serving`]).
        #[serde(skip_serializing_if = "Option::is_none")]
        serves: Option<String>,
    },
    Unknown {
        reason: String,
    },
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Assignment {
                project,
                status,
                assignment_type,
                role,
                stack_port,
            } => {
                write!(f, "the registry: {role} port ")?;
                if let Some(stack_port) = stack_port {
                    write!(f, "`{stack_port}` ")?;
                }
                write!(f, "of `{project}` ({status}, {assignment_type})")
            }
            Self::Container {
                name,
                compose_project,
                image,
                engine,
            } => {
                write!(f, "container `{name}` (image `{image}`")?;
                if let Some(compose_project) = compose_project {
                    write!(f, ", compose project `{compose_project}`")?;
                }
                write!(f, ", engine `{engine}`)")
            }
            Self::Process {
                pid,
                command,
                uid,
                user,
                serves,
            } => {
                let user = user.clone().unwrap_or_else(|| format!("uid {uid}"));
                match (serves, helper_name(command)) {
                    (Some(container), Some(helper)) => write!(
                        f,
                        "container `{container}`, through Podman's `{helper}` (process {pid}, user {user})"
                    ),
                    _ => write!(f, "process {pid} `{}` (user {user})", shorten(command)),
                }
            }
            Self::Unknown { reason } => write!(f, "unknown: {reason}"),
        }
    }
}

/// The processes Podman leaves holding a container's published ports on the
/// host: `conmon` (rootful, which keeps the port bound while iptables forwards
/// it), `rootlessport` and its child, `pasta` and `slirp4netns` (rootless).
const PODMAN_HELPERS: [&str; 6] = [
    "conmon",
    "rootlessport",
    "rootlessport-child",
    "pasta",
    "pasta.avx2",
    "slirp4netns",
];

/// The helper's program name when `command` is one of [`PODMAN_HELPERS`].
fn helper_name(command: &str) -> Option<&'static str> {
    let program = command.split_whitespace().next()?;
    let name = program.rsplit('/').next()?;
    PODMAN_HELPERS.into_iter().find(|helper| *helper == name)
}

/// The container a Podman helper holding `port` serves: `conmon` names it
/// (`-n NAME`, else `-c ID` matched against `containers`); the others do not
/// say, so the one container that publishes `port` is it. `None` for any other
/// process, or when it cannot be told.
pub fn helper_serving(
    command: &str,
    port: u16,
    containers: Option<&[Container]>,
) -> Option<String> {
    let helper = helper_name(command)?;
    let words: Vec<&str> = command.split_whitespace().collect();
    let after = |flags: &[&str]| {
        words
            .windows(2)
            .find(|pair| flags.contains(&pair[0]))
            .map(|pair| pair[1])
    };
    if helper == "conmon" {
        if let Some(name) = after(&["-n", "--name"]) {
            return Some(name.to_owned());
        }
        if let Some(id) = after(&["-c", "--cid"]) {
            let found = containers?
                .iter()
                .find(|container| container.id.starts_with(id) || id.starts_with(&container.id))?;
            return Some(found.name.clone());
        }
    }
    let mut publishing = containers?.iter().filter(|container| {
        container
            .ports
            .iter()
            .any(|published| published.host_port == port)
    });
    match (publishing.next(), publishing.next()) {
        (Some(only), None) => Some(only.name.clone()),
        _ => None,
    }
}

/// `owners` with each Podman helper named as the container it serves.
pub fn name_helpers(port: u16, owners: Vec<Owner>, containers: Option<&[Container]>) -> Vec<Owner> {
    owners
        .into_iter()
        .map(|owner| match owner {
            Owner::Process {
                pid,
                command,
                uid,
                user,
                serves: None,
            } => Owner::Process {
                serves: helper_serving(&command, port, containers),
                pid,
                command,
                uid,
                user,
            },
            owner => owner,
        })
        .collect()
}

/// The registry's assignments on this engine that hold `port`.
pub fn in_registry(registry: &Registry, port: u16, engine: Option<&str>) -> Vec<Owner> {
    registry
        .assignments
        .iter()
        .filter(|assignment| assignment.engine.as_deref() == engine)
        .filter_map(|assignment| {
            let stack_port = assignment
                .stack_ports
                .iter()
                .find(|(_, held)| **held == port)
                .map(|(key, _)| key.clone());
            let role = if assignment.port == port {
                "superserver"
            } else if assignment.effective_web_port() == Some(port) {
                "web"
            } else if stack_port.is_some() {
                "stack"
            } else {
                return None;
            };
            Some(Owner::Assignment {
                project: assignment.project_path.clone(),
                status: assignment.status.to_string(),
                assignment_type: assignment.assignment_type.to_string(),
                role,
                stack_port: stack_port.filter(|_| role == "stack"),
            })
        })
        .collect()
}

/// The containers that publish `port` on the host.
pub fn in_containers(containers: &[Container], port: u16, engine: &str) -> Vec<Owner> {
    containers
        .iter()
        .filter(|container| container.ports.iter().any(|p| p.host_port == port))
        .map(|container| container_owner(container, engine))
        .collect()
}

fn container_owner(container: &Container, engine: &str) -> Owner {
    Owner::Container {
        name: container.name.clone(),
        compose_project: container.labels.get(COMPOSE_PROJECT_LABEL).cloned(),
        image: container.image.clone(),
        engine: engine.to_owned(),
    }
}

/// The containers that publish any of `ports` on the host, from one pass over
/// the list: each port with each container once, in port order.
pub fn in_containers_for(
    containers: &[Container],
    ports: &BTreeSet<u16>,
    engine: &str,
) -> Vec<(u16, Owner)> {
    let mut held = Vec::new();
    for container in containers {
        let published: BTreeSet<u16> = container
            .ports
            .iter()
            .map(|published| published.host_port)
            .filter(|port| ports.contains(port))
            .collect();
        held.extend(
            published
                .into_iter()
                .map(|port| (port, container_owner(container, engine))),
        );
    }
    held.sort_by_key(|&(port, _)| port);
    held
}

/// A range's ports, sorted out before the host is looked at.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RangeScan {
    /// The ports containers publish, each with its containers, in port order.
    pub held: Vec<(u16, Owner)>,
    /// The ports neither an active assignment nor a container explains: the
    /// host scan looks at these.
    pub unexplained: BTreeSet<u16>,
}

/// Sorts `range`'s ports for the error that says it is exhausted. That error
/// lists the registry's assignments itself, so a port an assignment on this
/// engine holds is explained: an active one's for the IRIS range (inactive
/// ones give theirs up), any one's for the stack range (stack ports stay with
/// their project). Of the rest, the containers that publish one are named, and
/// the others are left for the host scan.
pub fn scan_range(
    registry: &Registry,
    engine_key: Option<&str>,
    containers: &[Container],
    engine_url: &str,
    range: PortRange,
    kind: RangeKind,
) -> RangeScan {
    let assigned: BTreeSet<u16> = registry
        .assignments
        .iter()
        .filter(|assignment| kind == RangeKind::Stack || assignment.is_active())
        .filter(|assignment| assignment.engine.as_deref() == engine_key)
        .flat_map(|assignment| assignment.ports())
        .collect();
    let mut unexplained: BTreeSet<u16> = (range.start..=range.end)
        .filter(|port| !assigned.contains(port))
        .collect();
    let held = in_containers_for(containers, &unexplained, engine_url);
    for (port, _) in &held {
        unexplained.remove(port);
    }
    RangeScan { held, unexplained }
}

/// `held` (in port order) as people read it: the first `cap` ports, grouped by
/// owner in the order each owner first appears, and how many held ports are
/// left out.
pub fn group(held: &[(u16, Owner)], cap: usize) -> (Vec<(Vec<u16>, &Owner)>, usize) {
    let ports: BTreeSet<u16> = held.iter().map(|&(port, _)| port).collect();
    let shown: BTreeSet<u16> = ports.iter().copied().take(cap).collect();
    let mut groups: Vec<(Vec<u16>, &Owner)> = Vec::new();
    for (port, owner) in held.iter().filter(|(port, _)| shown.contains(port)) {
        match groups.iter_mut().find(|(_, known)| *known == owner) {
            Some((ports, _)) if !ports.contains(port) => ports.push(*port),
            Some(_) => {}
            None => groups.push((vec![*port], owner)),
        }
    }
    (groups, ports.len() - shown.len())
}

/// `port 8080`, or `ports 8080-8082, 8090` with runs of neighbours joined.
pub fn port_list(ports: &[u16]) -> String {
    let mut sorted = ports.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut runs: Vec<(u16, u16)> = Vec::new();
    for port in sorted.iter().copied() {
        match runs.last_mut() {
            Some((_, end)) if end.checked_add(1) == Some(port) => *end = port,
            _ => runs.push((port, port)),
        }
    }
    let text: Vec<String> = runs
        .iter()
        .map(|&(start, end)| {
            if start == end {
                start.to_string()
            } else {
                format!("{start}-{end}")
            }
        })
        .collect();
    let noun = if sorted.len() == 1 { "port" } else { "ports" };
    format!("{noun} {}", text.join(", "))
}

/// A listening TCP socket from `/proc/net/tcp` or `/proc/net/tcp6`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listener {
    pub port: u16,
    pub uid: u32,
    pub inode: u64,
}

/// The sockets in LISTEN state (`st` = `0A`) in the text of `/proc/net/tcp` or
/// `/proc/net/tcp6`; lines that do not parse are skipped.
pub fn parse_proc_net_tcp(text: &str) -> Vec<Listener> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (_, port) = fields.get(1)?.rsplit_once(':')?;
            if *fields.get(3)? != "0A" {
                return None;
            }
            Some(Listener {
                port: u16::from_str_radix(port, 16).ok()?,
                uid: fields.get(7)?.parse().ok()?,
                inode: fields.get(9)?.parse().ok()?,
            })
        })
        .collect()
}

/// The inode in a `/proc/PID/fd/N` link target such as `socket:[12345]`.
pub fn socket_inode(link: &str) -> Option<u64> {
    link.strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// How many characters of a process's command line people are shown; `--json`
/// keeps it whole.
const COMMAND_WIDTH: usize = 80;

/// `command` cut to [`COMMAND_WIDTH`] characters, ending in `…` when cut: a
/// container runtime's command line (podman's `conmon`) runs to thousands of
/// characters, and its start says what it is.
pub fn shorten(command: &str) -> std::borrow::Cow<'_, str> {
    if command.chars().count() <= COMMAND_WIDTH {
        return command.into();
    }
    let kept: String = command.chars().take(COMMAND_WIDTH - 1).collect();
    format!("{}…", kept.trim_end()).into()
}

/// `/proc/PID/cmdline` (NUL-separated) as one line.
/// Whitespace inside an argument (a `python3 -c` script's newlines) is one
/// space, so that the command stays on the one line that names its owner.
pub fn command_line(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw)
        .split(|c: char| c == '\0' || c.is_whitespace())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The real uid in the text of `/proc/PID/status`.
pub fn status_uid(status: &str) -> Option<u32> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// A user's name from the text of `/etc/passwd`.
pub fn user_name(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id: u32 = fields.nth(1)?.parse().ok()?;
        (id == uid).then(|| name.to_owned())
    })
}

/// What to say about a listening socket whose process cannot be found: its
/// descriptors belong to a process this user may not look into.
pub fn unreadable(listener: &Listener, user: Option<&str>) -> Owner {
    let user = user.map_or_else(|| format!("uid {}", listener.uid), str::to_owned);
    Owner::Unknown {
        reason: format!(
            "a process of another user ({user}) listens on port {}; try again with sudo",
            listener.port
        ),
    }
}

/// The listening sockets in the output of `lsof -F pcuLn` (one field a line:
/// `p` starts a process, `c` is its command name, `u` its uid, `L` its login;
/// `f` starts one of its files, `n` is the file's name, such as `*:8080`,
/// `127.0.0.1:8080` or `[::1]:8080`): each port with each process once. A
/// process without a pid or uid is skipped, as are names without a port: lsof
/// prints every field it is asked for.
pub fn parse_lsof(text: &str) -> Vec<(u16, Owner)> {
    #[derive(Default)]
    struct Process {
        pid: Option<u32>,
        command: String,
        uid: Option<u32>,
        user: Option<String>,
    }
    let mut found = Vec::new();
    let mut process = Process::default();
    for line in text.lines() {
        let Some(field) = line.chars().next() else {
            continue;
        };
        let value = &line[field.len_utf8()..];
        match field {
            'p' => {
                process = Process {
                    pid: value.parse().ok(),
                    ..Process::default()
                };
            }
            'c' => process.command = value.to_owned(),
            'u' => process.uid = value.parse().ok(),
            'L' => process.user = Some(value.to_owned()),
            'n' => {
                let (Some(pid), Some(uid), Some(port)) =
                    (process.pid, process.uid, lsof_port(value))
                else {
                    continue;
                };
                let held = (
                    port,
                    Owner::Process {
                        pid,
                        command: process.command.clone(),
                        uid,
                        user: process.user.clone(),
                        serves: None,
                    },
                );
                if !found.contains(&held) {
                    found.push(held);
                }
            }
            _ => {}
        }
    }
    found
}

/// The local port in an lsof socket name: `*:8080`, `[::1]:8080`, or
/// `127.0.0.1:8080->127.0.0.1:50000` for a connection.
fn lsof_port(name: &str) -> Option<u16> {
    let local = name.split("->").next()?;
    local.rsplit_once(':')?.1.parse().ok()
}

/// What to say about a port the bind test finds taken when no listening
/// process could be found; `look` is the command that may say more.
pub fn unbindable(port: u16, look: &str) -> Owner {
    Owner::Unknown {
        reason: format!(
            "port {port} cannot be bound, but no listening process could be found; `{look}` may say more (with sudo for other users' processes)"
        ),
    }
}

/// [`unbindable`] for one of many ports, said the same for each, so that the
/// ports group under it; `look` lists every listener.
pub fn unbindable_in_range(look: &str) -> Owner {
    Owner::Unknown {
        reason: format!(
            "cannot be bound, but no listening process could be found; `{look}` may say more (with sudo for other users' processes)"
        ),
    }
}

/// `owners` without the project at `project`: its own assignment holding its
/// ports is no obstacle to its own `up`.
pub fn others(owners: Vec<Owner>, project: &str) -> Vec<Owner> {
    owners
        .into_iter()
        .filter(|owner| !matches!(owner, Owner::Assignment { project: own, .. } if own == project))
        .collect()
}

/// Whether `up`'s preflight counts a fixed host port as taken. An assignment or
/// a container among `others` (the project's own left out) takes it. A host
/// process or an owner that could not be named does not by itself: the
/// listener may be the engine's proxy for the project's own container. Where
/// the port lands on this host and the project's own containers do not publish
/// it, `bind_test` is `Some` and decides (it runs only then); it is `None` for a
/// remote engine's port and for a port the project's own containers publish.
pub fn taken_for_up(others: &[Owner], bind_test: Option<&dyn Fn() -> bool>) -> bool {
    let known = others
        .iter()
        .any(|owner| !matches!(owner, Owner::Unknown { .. } | Owner::Process { .. }));
    known || bind_test.is_some_and(|is_free| !is_free())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::engine::PublishedPort;

    const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:3342 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41234 1 0000000000000000 100 0 0 10 0
   1: 0100007F:3342 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 41299 1 0000000000000000 20 4 30 10 -1
   2: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 65534        0 5555 1 0000000000000000 100 0 0 10 0
   garbage
";
    const TCP6: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 777 1 0000000000000000 100 0 0 10 0
";

    #[test]
    fn listening_sockets_come_from_proc_net_tcp_and_tcp6() {
        assert_eq!(
            parse_proc_net_tcp(TCP),
            [
                Listener {
                    port: 13_122,
                    uid: 0,
                    inode: 41_234
                },
                Listener {
                    port: 8080,
                    uid: 65_534,
                    inode: 5555
                },
            ]
        );
        assert_eq!(
            parse_proc_net_tcp(TCP6),
            [Listener {
                port: 8081,
                uid: 1000,
                inode: 777
            }]
        );
    }

    #[test]
    fn process_details_parse() {
        assert_eq!(socket_inode("socket:[41234]"), Some(41_234));
        assert_eq!(socket_inode("pipe:[41234]"), None);
        assert_eq!(socket_inode("/dev/null"), None);
        assert_eq!(
            command_line(b"python3\0-m\0http.server\0"),
            "python3 -m http.server"
        );
        assert_eq!(
            command_line(b"python3\0-c\0import sys\n  sys.exit()\n\0"),
            "python3 -c import sys sys.exit()"
        );
        assert_eq!(
            status_uid("Name:\tpython3\nUid:\t65534\t65534\t65534\t65534\n"),
            Some(65_534)
        );
        let passwd = "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
        assert_eq!(user_name(passwd, 65_534).as_deref(), Some("nobody"));
        assert_eq!(user_name(passwd, 42), None);
    }

    #[test]
    fn another_users_socket_is_unknown_with_the_reason() {
        let listener = parse_proc_net_tcp(TCP)[1];
        assert_eq!(
            unreadable(&listener, Some("nobody")).to_string(),
            "unknown: a process of another user (nobody) listens on port 8080; try again with sudo"
        );
    }

    /// `lsof -nP -w +c 0 -iTCP -sTCP:LISTEN -F pcuLn` as macOS prints it: a
    /// file line before each name, and one name for each of IPv4 and IPv6.
    const LSOF_MACOS: &str = "p412
cControlCenter
u501
Lanna
f9
n*:7000
f10
n*:7000
f11
n*:5000
p1234
cPython
u501
Lanna
f3
n127.0.0.1:8080
f4
n[::1]:8080
p88
cmDNSResponder
u65
L_mdnsresponder
f7
n[fe80:1::1]:5353
f8
n*:*
";
    /// The same on Linux, which prints no file lines when `f` is not asked for.
    const LSOF_LINUX: &str = "p9543\ncpython3\nu0\nLroot\nn127.0.0.1:56891\nn[::1]:56891\n";

    fn process(pid: u32, command: &str, uid: u32, user: &str) -> Owner {
        Owner::Process {
            pid,
            command: command.into(),
            uid,
            user: Some(user.into()),
            serves: None,
        }
    }

    #[test]
    fn podmans_helpers_are_named_as_the_container_they_serve() {
        let container = |id: &str, name: &str, port: u16| Container {
            id: id.into(),
            name: name.into(),
            image: "iris".into(),
            state: "running".into(),
            labels: Default::default(),
            ports: vec![crate::core::engine::PublishedPort {
                host_ip: "127.0.0.1".into(),
                host_port: port,
                container_port: 1972,
            }],
        };
        let containers = [
            container("d34011bb", "shop-iris-1", 10600),
            container("aa", "web-1", 10601),
        ];
        let conmon = "/usr/bin/conmon --api-version 1 -c d34011bb028a06 -u d34011bb028a06 -r /usr/bin/runc -n shop-iris-1 --exit-dir /run/libpod/exits";
        assert_eq!(
            helper_serving(conmon, 10600, None).as_deref(),
            Some("shop-iris-1")
        );
        let unnamed = "/usr/bin/conmon --api-version 1 -c d34011bb028a06 -u d34011bb028a06";
        assert_eq!(
            helper_serving(unnamed, 10600, Some(&containers)).as_deref(),
            Some("shop-iris-1")
        );
        // rootlessport and pasta do not name it: the container publishing the port does.
        for helper in [
            "rootlessport",
            "/usr/bin/pasta --config-net -t 10601-10601:1972-1972",
            "slirp4netns --mtu=65520 -c -e 3",
        ] {
            assert_eq!(
                helper_serving(helper, 10601, Some(&containers)).as_deref(),
                Some("web-1"),
                "{helper}"
            );
            assert_eq!(
                helper_serving(helper, 10602, Some(&containers)),
                None,
                "{helper}"
            );
            assert_eq!(helper_serving(helper, 10601, None), None, "{helper}");
        }
        // Any other program is itself, however it is called.
        assert_eq!(
            helper_serving(
                "/usr/bin/python3 -m http.server -n shop",
                10600,
                Some(&containers)
            ),
            None
        );
        assert_eq!(
            helper_serving("/usr/bin/docker-proxy -proto tcp", 10600, Some(&containers)),
            None
        );

        let owners = name_helpers(
            10600,
            vec![process(9587, conmon, 0, "root")],
            Some(&containers),
        );
        assert_eq!(
            owners[0].to_string(),
            "container `shop-iris-1`, through Podman's `conmon` (process 9587, user root)"
        );
        let json = serde_json::to_value(&owners[0]).unwrap();
        assert_eq!(json["serves"], "shop-iris-1");
        assert_eq!(
            json["command"], conmon,
            "--json keeps the whole command line"
        );
        let other = name_helpers(
            10600,
            vec![process(7, "nc -l 10600", 0, "root")],
            Some(&containers),
        );
        assert_eq!(other[0].to_string(), "process 7 `nc -l 10600` (user root)");
        assert!(
            serde_json::to_value(&other[0])
                .unwrap()
                .get("serves")
                .is_none()
        );
    }

    #[test]
    fn a_long_command_line_is_cut_with_an_ellipsis() {
        let conmon = format!(
            "/usr/bin/conmon --api-version 1 -c {}",
            "0123456789abcdef".repeat(120)
        );
        let shown = process(7, &conmon, 0, "root").to_string();
        let command = shown
            .strip_prefix("process 7 `")
            .and_then(|rest| rest.strip_suffix("` (user root)"))
            .unwrap();
        assert_eq!(command.chars().count(), COMMAND_WIDTH);
        assert!(
            command.starts_with("/usr/bin/conmon --api-version 1 -c 0123"),
            "{command}"
        );
        assert!(command.ends_with('…'), "{command}");
        assert_eq!(
            process(7, "python3 -m http.server", 0, "root").to_string(),
            "process 7 `python3 -m http.server` (user root)",
            "a short one is whole"
        );
        let json = serde_json::to_value(process(7, &conmon, 0, "root")).unwrap();
        assert_eq!(json["command"], conmon.as_str(), "JSON keeps it whole");
    }

    #[test]
    fn lsof_names_each_listening_process_once_a_port() {
        assert_eq!(
            parse_lsof(LSOF_MACOS),
            [
                (7000, process(412, "ControlCenter", 501, "anna")),
                (5000, process(412, "ControlCenter", 501, "anna")),
                (8080, process(1234, "Python", 501, "anna")),
                (5353, process(88, "mDNSResponder", 65, "_mdnsresponder")),
            ]
        );
        assert_eq!(
            parse_lsof(LSOF_LINUX),
            [(56_891, process(9543, "python3", 0, "root"))]
        );
        assert_eq!(parse_lsof(""), []);
        // A connection's name has both ends; a process without a uid is skipped.
        assert_eq!(
            parse_lsof("p7\ncnc\nu0\nn127.0.0.1:9000->127.0.0.1:40000\np8\ncx\nn*:9001\n"),
            [(
                9000,
                Owner::Process {
                    pid: 7,
                    command: "nc".into(),
                    uid: 0,
                    user: None,
                    serves: None,
                }
            )]
        );
    }

    #[test]
    fn port_lists_join_neighbours() {
        assert_eq!(port_list(&[8080]), "port 8080");
        assert_eq!(
            port_list(&[8090, 8080, 8081, 8082, 8081, 65_535]),
            "ports 8080-8082, 8090, 65535"
        );
    }

    #[test]
    fn groups_show_the_first_ports_each_owner_once() {
        let server = process(1, "server", 0, "root");
        let other = Owner::Unknown {
            reason: "why".into(),
        };
        let held = [
            (10, server.clone()),
            (11, server.clone()),
            (11, other.clone()),
            (12, other.clone()),
            (13, server.clone()),
            (14, server.clone()),
        ];
        let (groups, more) = group(&held, 4);
        assert_eq!(
            groups,
            [(vec![10, 11, 13], &server), (vec![11, 12], &other)]
        );
        assert_eq!(more, 1);
        assert_eq!(group(&held, 10).1, 0);
        assert_eq!(group(&[], 10), (Vec::new(), 0));
    }

    #[test]
    fn a_range_scan_leaves_out_active_assignments_and_names_containers() {
        let registry = Registry::parse(
            br#"{"schema_version": "1.0", "assignments": [
                {"project_path": "/shop", "port": 13120, "assigned_at": "2026-01-01T00:00:00+00:00", "assignment_type": "auto", "status": "active", "container_name": null, "web_port": 13121},
                {"project_path": "/old", "port": 13122, "assigned_at": "2026-01-01T00:00:00+00:00", "assignment_type": "auto", "status": "released", "container_name": null, "web_port": 13123},
                {"project_path": "/far", "port": 13124, "assigned_at": "2026-01-01T00:00:00+00:00", "assignment_type": "auto", "status": "active", "container_name": null, "web_port": 13129, "engine": "tcp://far:2375"}
            ]}"#,
        )
        .unwrap();
        let container = Container {
            name: "cache".into(),
            image: "redis".into(),
            ports: ["0.0.0.0", "::"]
                .into_iter()
                .map(|host_ip| PublishedPort {
                    host_ip: host_ip.into(),
                    host_port: 13_125,
                    container_port: 6379,
                })
                .collect(),
            ..Container::default()
        };
        let range = PortRange {
            start: 13_120,
            end: 13_126,
        };
        let engine = "unix:///var/run/docker.sock";
        let containers = [container];
        let scan = scan_range(&registry, None, &containers, engine, range, RangeKind::Iris);
        assert_eq!(scan.held.len(), 1);
        assert_eq!(scan.held[0].0, 13_125);
        assert!(matches!(&scan.held[0].1, Owner::Container { name, .. } if name == "cache"));
        assert_eq!(
            scan.unexplained,
            BTreeSet::from([13_122, 13_123, 13_124, 13_126]),
            "a released assignment gives its IRIS ports up"
        );
        let scan = scan_range(
            &registry,
            None,
            &containers,
            engine,
            range,
            RangeKind::Stack,
        );
        assert_eq!(
            scan.unexplained,
            BTreeSet::from([13_124, 13_126]),
            "stack ports stay with their project, whatever its status"
        );
    }

    #[test]
    fn registry_and_containers_name_their_ports() {
        let registry = Registry::parse(
            br#"{"schema_version": "1.0", "assignments": [{"project_path": "/shop", "port": 13120, "assigned_at": "2026-01-01T00:00:00+00:00", "assignment_type": "manual", "status": "active", "container_name": null, "web_port": 13121, "stack_ports": {"web:80": 13125}}]}"#,
        )
        .unwrap();
        assert_eq!(
            in_registry(&registry, 13_121, None)[0].to_string(),
            "the registry: web port of `/shop` (active, manual)"
        );
        assert!(in_registry(&registry, 13_121, Some("tcp://far:2375")).is_empty());
        assert!(in_registry(&registry, 13_122, None).is_empty());
        assert_eq!(
            in_registry(&registry, 13_125, None)[0].to_string(),
            "the registry: stack port `web:80` of `/shop` (active, manual)"
        );

        let mut container = Container {
            name: "shop-iris-1".into(),
            image: "iris:latest".into(),
            ports: vec![PublishedPort {
                host_ip: "127.0.0.1".into(),
                host_port: 13_120,
                container_port: 1972,
            }],
            ..Container::default()
        };
        container
            .labels
            .insert(COMPOSE_PROJECT_LABEL.into(), "shop".into());
        let owners = in_containers(&[container], 13_120, "unix:///var/run/docker.sock");
        assert_eq!(
            owners[0].to_string(),
            "container `shop-iris-1` (image `iris:latest`, compose project `shop`, engine `unix:///var/run/docker.sock`)"
        );
    }

    #[test]
    fn up_counts_a_port_taken_by_others_or_by_the_bind_test() {
        let assignment = |project: &str| Owner::Assignment {
            project: project.into(),
            status: "active".into(),
            assignment_type: "auto".into(),
            role: "superserver",
            stack_port: None,
        };
        let process = Owner::Process {
            pid: 7,
            command: "docker-proxy".into(),
            uid: 0,
            user: None,
            serves: None,
        };
        let owners = others(vec![assignment("/me"), assignment("/other")], "/me");
        assert_eq!(owners, [assignment("/other")]);
        assert!(taken_for_up(&owners, None));

        let free = || true;
        let bound = || false;
        assert!(!taken_for_up(&[], None));
        assert!(!taken_for_up(std::slice::from_ref(&process), None));
        assert!(!taken_for_up(std::slice::from_ref(&process), Some(&free)));
        assert!(taken_for_up(&[process], Some(&bound)));
        assert!(taken_for_up(&[], Some(&bound)));
        let never = || -> bool { panic!("a known owner needs no bind test") };
        assert!(taken_for_up(&owners, Some(&never)));
    }
}
