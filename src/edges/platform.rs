//! Everything that differs between operating systems, behind one small API with a
//! portable fallback, so that no other module calls a Unix-only function.
//!
//! | what | Unix (Linux, macOS) | elsewhere (Windows) |
//! |---|---|---|
//! | file owner check | the file's uid against `geteuid()` | no check: NTFS ACLs guard the profile |
//! | private files | mode 0600 (directories 0700), `O_NOFOLLOW`, `O_CLOEXEC` | default ACLs; symlinks are still refused by a `symlink_metadata` check first |
//! | a final symlink opened anyway (race) | `ELOOP`, reported as a symlink | not detected beyond the check above |
//! | durable rename | the directory is synced | nothing: NTFS journals the rename |
//! | Ctrl-C | a SIGINT handler that sets a flag | none: Ctrl-C ends the process as it always did |
//! | who listens on a port | Linux: `/proc/net/tcp{,6}` and `/proc/*/fd`; macOS: `lsof`, when it is installed (else `None`) | `None`: cannot tell |
//! | open a URL in the browser | `xdg-open` (macOS: `open`) | `cmd /c start "" URL` |
//!
//! Must not decide policy: callers say what a failed check means.

use std::collections::BTreeSet;
#[cfg(target_os = "linux")]
use std::collections::HashSet;
use std::io;
use std::path::Path;

use crate::core::invocation::Invocation;
use crate::core::owner::{self, Owner};
#[cfg(unix)]
use crate::edges::process::Runner;

/// The command a person runs to see which processes listen on `port` (every
/// TCP listener without one): `ss` on Linux, `lsof` elsewhere. Other users'
/// processes need `sudo` with either.
pub fn listeners_command(port: Option<u16>) -> String {
    match (cfg!(target_os = "linux"), port) {
        (true, Some(port)) => format!("ss -ltnp 'sport = :{port}'"),
        (true, None) => "ss -ltnp".to_owned(),
        (false, Some(port)) => format!("lsof -nP -iTCP:{port} -sTCP:LISTEN"),
        (false, None) => "lsof -nP -iTCP -sTCP:LISTEN".to_owned(),
    }
}

/// The command line that opens `url` in the system's browser.
pub fn browser_command(url: &str) -> Vec<String> {
    let words: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else if cfg!(windows) {
        // `start` takes its first quoted argument as the window title.
        &["cmd", "/c", "start", ""]
    } else {
        &["xdg-open"]
    };
    words
        .iter()
        .map(|word| (*word).to_owned())
        .chain(std::iter::once(url.to_owned()))
        .collect()
}

/// The effective user, when the platform has numeric owners.
pub fn current_uid() -> Option<u32> {
    #[cfg(unix)]
    {
        // SAFETY: geteuid has no preconditions and cannot fail.
        Some(unsafe { libc::geteuid() })
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Whether no process `pid` runs on this host (`kill(pid, 0)` fails with
/// `ESRCH`): a registry temp file named after it belongs to a dead writer.
/// `false` when in doubt (another user's process answers `EPERM`).
#[cfg(unix)]
pub fn process_is_gone(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 is never delivered; the call only checks that the
    // process exists.
    let sent = unsafe { libc::kill(pid, 0) };
    sent == -1 && io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
}

/// Elsewhere a process cannot be asked about cheaply: the exclusive lock the
/// caller holds is what keeps a live writer's file.
#[cfg(not(unix))]
pub fn process_is_gone(_pid: u32) -> bool {
    true
}

/// The numeric owner of a file, when the platform has one.
pub fn owner(metadata: &std::fs::Metadata) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(metadata.uid())
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        None
    }
}

/// The permission bits of a file, when the platform has them.
pub fn mode(metadata: &std::fs::Metadata) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(metadata.permissions().mode())
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        None
    }
}

/// Makes `options` create files only the user can read (0600) and refuse to
/// follow a final symlink.
pub fn private_file_options(options: &mut fs_err::OpenOptions) {
    #[cfg(unix)]
    {
        use fs_err::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
        options.custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    #[cfg(not(unix))]
    let _ = options;
}

/// Makes `builder` create directories only the user can enter (0700).
pub fn private_dir_builder(builder: &mut std::fs::DirBuilder) {
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(builder, 0o700);
    #[cfg(not(unix))]
    let _ = builder;
}

/// Whether opening failed because the final component was a symlink
/// ([`private_file_options`] refuses those). `fs_err` wraps the OS error, so the
/// wrapped one is looked at too.
pub fn is_symlink_refusal(err: &io::Error) -> bool {
    #[cfg(unix)]
    {
        let wrapped = err
            .get_ref()
            .and_then(|inner| inner.source())
            .and_then(|source| source.downcast_ref::<io::Error>());
        [Some(err), wrapped]
            .into_iter()
            .flatten()
            .any(|err| err.raw_os_error() == Some(libc::ELOOP))
    }
    #[cfg(not(unix))]
    {
        let _ = err;
        false
    }
}

/// Makes a rename inside `dir` durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        fs_err::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// From now on, Ctrl-C calls `on_interrupt` instead of ending the process.
/// `on_interrupt` runs in a signal handler: it may only touch atomics.
pub fn catch_interrupt(on_interrupt: extern "C" fn(libc::c_int)) {
    #[cfg(unix)]
    // SAFETY: the caller's handler is async-signal-safe (it only stores to an
    // atomic), and `signal` has no other preconditions.
    unsafe {
        libc::signal(
            libc::SIGINT,
            on_interrupt as *const () as libc::sighandler_t,
        );
    }
    #[cfg(not(unix))]
    let _ = on_interrupt;
}

/// The host processes listening on TCP `ports`, each port with each of its
/// owners, or [`Owner::Unknown`] with the reason for a socket whose process
/// this user cannot see; `None` where the platform cannot tell (then the bind
/// test is all there is). One scan of the host, whatever the number of ports.
pub fn host_listeners(ports: &BTreeSet<u16>) -> Option<Vec<(u16, Owner)>> {
    #[cfg(target_os = "linux")]
    {
        Some(linux_listeners(ports))
    }
    #[cfg(target_os = "macos")]
    {
        lsof_listeners(&crate::edges::process::DuctRunner, ports)
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    {
        let _ = ports;
        None
    }
}

/// The processes `lsof` sees listening on any of `ports`: how macOS names a
/// port's owner, where there is no `/proc` (issue 9 §3). `None` when `lsof`
/// is not installed or fails. Every listener is listed and filtered here, so
/// the command line stays short for a whole range of ports.
#[cfg(unix)]
pub fn lsof_listeners(runner: &dyn Runner, ports: &BTreeSet<u16>) -> Option<Vec<(u16, Owner)>> {
    let invocation = Invocation {
        // `-n -P`: numbers, no lookups; `-w`: no warnings; `+c 0`: the whole
        // command name; `-F`: one field a line, for `owner::parse_lsof`.
        argv: [
            "lsof",
            "-nP",
            "-w",
            "+c",
            "0",
            "-iTCP",
            "-sTCP:LISTEN",
            "-F",
            "pcuLn",
        ]
        .map(str::to_owned)
        .to_vec(),
        dir: "/".into(),
        env: Vec::new(),
    };
    let captured = runner.capture(&invocation).ok()?;
    // lsof exits 1 both when it finds no listener at all (with nothing on
    // stderr: `-w` keeps warnings off it) and when it fails.
    let nothing_found = captured.code == 1 && captured.stderr.trim().is_empty();
    if captured.code != 0 && !nothing_found && captured.stdout.is_empty() {
        return None;
    }
    Some(
        owner::parse_lsof(&captured.stdout)
            .into_iter()
            .filter(|(port, _)| ports.contains(port))
            .collect(),
    )
}

#[cfg(target_os = "linux")]
fn linux_listeners(ports: &BTreeSet<u16>) -> Vec<(u16, Owner)> {
    let listeners: Vec<owner::Listener> = ["/proc/net/tcp", "/proc/net/tcp6"]
        .into_iter()
        .filter_map(|path| fs_err::read_to_string(path).ok())
        .flat_map(|text| owner::parse_proc_net_tcp(&text))
        .filter(|listener| ports.contains(&listener.port))
        .collect();
    if listeners.is_empty() {
        return Vec::new();
    }
    let passwd = fs_err::read_to_string("/etc/passwd").unwrap_or_default();
    let user = |uid: u32| owner::user_name(&passwd, uid);
    let wanted: HashSet<u64> = listeners.iter().map(|listener| listener.inode).collect();
    let mut found: Vec<(u64, u32)> = Vec::new();
    for entry in fs_err::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(descriptors) = fs_err::read_dir(entry.path().join("fd")) else {
            continue;
        };
        for descriptor in descriptors.flatten() {
            let inode = fs_err::read_link(descriptor.path())
                .ok()
                .and_then(|link| owner::socket_inode(&link.to_string_lossy()));
            if let Some(inode) = inode.filter(|inode| wanted.contains(inode))
                && !found.contains(&(inode, pid))
            {
                found.push((inode, pid));
            }
        }
    }
    let mut owners = Vec::new();
    for listener in &listeners {
        let pids: Vec<u32> = found
            .iter()
            .filter(|(inode, _)| *inode == listener.inode)
            .map(|&(_, pid)| pid)
            .collect();
        if pids.is_empty() {
            let unreadable = owner::unreadable(listener, user(listener.uid).as_deref());
            owners.push((listener.port, unreadable));
        }
        for pid in pids {
            let proc = Path::new("/proc").join(pid.to_string());
            let command = fs_err::read(proc.join("cmdline"))
                .map(|raw| owner::command_line(&raw))
                .unwrap_or_default();
            let uid = fs_err::read_to_string(proc.join("status"))
                .ok()
                .and_then(|status| owner::status_uid(&status))
                .unwrap_or(listener.uid);
            let process = (
                listener.port,
                Owner::Process {
                    pid,
                    command,
                    uid,
                    user: user(uid),
                    serves: None,
                },
            );
            if !owners.contains(&process) {
                owners.push(process);
            }
        }
    }
    owners.sort_by_key(|&(port, _)| port);
    owners
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::edges::process::Captured;
    use crate::edges::process::fake::FakeRunner;

    fn lsof(runner: &FakeRunner, ports: &[u16]) -> Option<Vec<(u16, Owner)>> {
        lsof_listeners(runner, &ports.iter().copied().collect())
    }

    #[test]
    fn lsof_listeners_are_the_wanted_ports_only() {
        let runner = FakeRunner::default().answer(
            "lsof",
            0,
            "p412\ncControlCenter\nu501\nLanna\nf9\nn*:7000\nf10\nn[::1]:5000\n",
        );
        let owners = lsof(&runner, &[5000, 6000]).unwrap();
        assert_eq!(owners.len(), 1);
        assert_eq!(owners[0].0, 5000);
        assert_eq!(
            owners[0].1.to_string(),
            "process 412 `ControlCenter` (user anna)"
        );
        assert_eq!(
            runner.calls.borrow()[0].to_string(),
            "lsof -nP -w +c 0 -iTCP -sTCP:LISTEN -F pcuLn"
        );
    }

    #[test]
    fn lsof_finding_nothing_is_no_listener_and_failing_is_cannot_tell() {
        let nothing = FakeRunner::default().answer("lsof", 1, "");
        assert_eq!(lsof(&nothing, &[5000]), Some(Vec::new()));

        let mut failed = FakeRunner::default();
        failed.answers.push((
            "lsof",
            Captured {
                code: 1,
                stdout: String::new(),
                stderr: "lsof: unsupported TCP/TPI info selection: LISTEN\n".into(),
            },
        ));
        assert_eq!(lsof(&failed, &[5000]), None);

        // The fake answers nothing else, as when `lsof` is not installed.
        let missing = FakeRunner::default();
        assert_eq!(lsof(&missing, &[5000]), None);
    }
}
