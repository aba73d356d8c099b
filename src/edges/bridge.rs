//! A local unix socket in a private temporary directory whose every accepted
//! connection is handed to a fresh dial process ([`super::dial::Transport::Dial`]:
//! `ssh ... docker system dial-stdio`, or the local docker CLI for TLS), so that
//! bollard talks to a remote engine as if it were a local socket.
//!
//! The processes start through [`DuctRunner::attach`]; the last one that failed
//! is kept (exit code and standard error) so that a failed connection can say
//! which step failed. Dropping the bridge stops accepting and removes the
//! directory; a running dial process ends when bollard closes its connection.

use std::io;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::core::invocation::Invocation;
use crate::edges::process::{Captured, DuctRunner};

pub struct Bridge {
    dir: PathBuf,
    socket: PathBuf,
    stop: Arc<AtomicBool>,
    failure: Arc<Mutex<Option<Captured>>>,
}

impl Bridge {
    pub fn start(argv: Vec<String>, env: Vec<(String, String)>) -> io::Result<Self> {
        let temp = private_temp_dir()?;
        let invocation = Invocation {
            argv,
            dir: temp.clone(),
            env,
        };
        let socket = temp.join("docker.sock");
        let listener = UnixListener::bind(&socket).map_err(|err| {
            io::Error::new(
                err.kind(),
                format!("cannot listen on `{}`: {err}", socket.display()),
            )
        })?;
        let stop = Arc::new(AtomicBool::new(false));
        let failure = Arc::new(Mutex::new(None));
        let (accept_stop, accept_failure) = (Arc::clone(&stop), Arc::clone(&failure));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if accept_stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let failure = Arc::clone(&accept_failure);
                match DuctRunner.attach(&invocation, stream) {
                    Ok(handle) => {
                        std::thread::spawn(move || {
                            if let Ok(output) = handle.wait()
                                && !output.status.success()
                            {
                                *failure.lock().unwrap_or_else(|e| e.into_inner()) =
                                    Some(Captured {
                                        code: output.status.code().unwrap_or(1),
                                        stdout: String::new(),
                                        stderr: String::from_utf8_lossy(&output.stderr)
                                            .into_owned(),
                                    });
                            }
                        });
                    }
                    Err(err) => {
                        *failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(Captured {
                            code: 127,
                            stdout: String::new(),
                            stderr: err.to_string(),
                        });
                    }
                }
            }
        });
        Ok(Self {
            dir: temp,
            socket,
            stop,
            failure,
        })
    }

    /// The socket's path, for `bollard::Docker::connect_with_unix`.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// The last dial process that failed, waiting up to `wait` for one to be
    /// recorded (the connection may break a moment before the process is reaped).
    pub fn failure(&self, wait: Duration) -> Option<Captured> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(failure) = self
                .failure
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone()
            {
                return Some(failure);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = UnixStream::connect(&self.socket);
        let _ = fs_err::remove_dir_all(&self.dir);
    }
}

/// A new directory only this user can enter, under the system's temporary
/// directory.
fn private_temp_dir() -> io::Result<PathBuf> {
    let base = std::env::temp_dir();
    let pid = std::process::id();
    for attempt in 0..100u32 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        let dir = base.join(format!("iris-dev-{pid}-{nanos:x}-{attempt}"));
        let mut builder = std::fs::DirBuilder::new();
        crate::edges::platform::private_dir_builder(&mut builder);
        match builder.create(&dir) {
            Ok(()) => return Ok(dir),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
            Err(err) => {
                return Err(io::Error::new(
                    err.kind(),
                    format!("cannot create `{}`: {err}", dir.display()),
                ));
            }
        }
    }
    Err(io::Error::other(format!(
        "cannot create a private directory in `{}`",
        base.display()
    )))
}
