//! The registry on disk: where it lives, its lock, and crash-safe writes.
//!
//! This is the one module that touches `port-registry.json` and
//! `port-registry.lock`. Every read-modify-write holds the exclusive lock, plain
//! reads a shared one, because iris-devtester rewrites the file in place and a
//! lock-free read could see it torn. We never write in place ourselves: a new file
//! is written beside the registry, synced and renamed over it, so a crash at any
//! instant leaves the old file or the new one. The lock is the same `flock` that
//! Python's `filelock.FileLock` takes on the same lock file.
//!
//! Beside them it keeps iris-dev's own `iris-dev-containers.json`: the engine's
//! container listing, which iris-dev processes share for a moment
//! ([`Store::shared_listing`]).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use fs_err as fs;

use serde::{Deserialize, Serialize};

use crate::core::engine::{Container, EngineError, Listing};
use crate::core::env_vars;
use crate::core::registry::model::{ContentError, Registry};
use crate::core::shell;
use crate::core::timestamp::Timestamp;
use crate::edges::platform;

pub const REGISTRY_FILE: &str = "port-registry.json";
pub const LOCK_FILE: &str = "port-registry.lock";
/// The registry's identity ([`Store::identity`]); iris-dev's alone.
const ID_FILE: &str = "iris-dev-registry-id";
/// Prefix of the temporary files a write renames over the registry; one left
/// behind is the trace of a crash and is removed under the next exclusive lock.
const TEMP_PREFIX: &str = ".port-registry.json.tmp-";
/// How long a waiter stays quiet before saying what it waits for.
const WAIT_NOTICE_AFTER: Duration = Duration::from_millis(500);
/// The shared container listing, its lock and its temporary files.
const LISTING_FILE: &str = "iris-dev-containers.json";
const LISTING_LOCK_FILE: &str = "iris-dev-containers.lock";
const LISTING_TEMP_PREFIX: &str = ".iris-dev-containers.json.tmp-";

/// One process's answer from the engine, as the others read it.
#[derive(Serialize, Deserialize)]
struct SharedListing {
    /// The endpoint's URL: a listing of another engine is not used.
    engine: String,
    /// Callers that began before this use the answer.
    asked_at: Timestamp,
    /// The containers, or why the engine could not be asked.
    containers: Result<Vec<Container>, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error("`{}` is a symbolic link; iris-dev does not write through links", path.display())]
    Symlink { path: PathBuf },
    #[error("`{}` belongs to another user (uid {owner}, you are uid {user})", path.display())]
    ForeignOwner {
        path: PathBuf,
        owner: u32,
        user: u32,
    },
    #[error("`{}` is not a directory", path.display())]
    NotDirectory { path: PathBuf },
    #[error("timed out after {timeout:?} waiting for the lock on `{}`", path.display())]
    LockTimeout { path: PathBuf, timeout: Duration },
    #[error("the port registry `{}` cannot be read", path.display())]
    Content {
        path: PathBuf,
        #[source]
        source: ContentError,
    },
    #[error(
        "the port registry `{}` has schema_version \"{version}\", newer than this iris-dev knows; it is read but not rewritten",
        path.display()
    )]
    NewerSchema { path: PathBuf, version: String },
    /// The disk filled up during a write: the registry is as it was (the new
    /// file never replaced it).
    #[error(
        "no space left to write the port registry `{}`: the file system that holds `{}` is full; the registry is kept as it was",
        path.display(),
        dir.display()
    )]
    Full {
        path: PathBuf,
        dir: PathBuf,
        /// The bytes the new registry needed.
        needed: usize,
    },
    /// A write the command needs cannot be made: a read-only HOME, file
    /// system or directory. Reads still work ([`Store::read`]).
    #[error(
        "cannot write `{}`: `{}` is read-only or not writable by you ({reason}); this command changes the registry",
        path.display(),
        dir.display()
    )]
    ReadOnly {
        path: PathBuf,
        dir: PathBuf,
        reason: String,
    },
}

/// Whether `err` says the file system or directory refuses writes.
fn refuses_writes(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied
    )
}

/// The registry directory and how long to wait for its lock.
pub struct Store {
    dir: PathBuf,
    timeout: Duration,
    /// Called once when a wait for the lock outlasts [`WAIT_NOTICE_AFTER`].
    on_wait: Box<dyn Fn(&Path)>,
}

/// Whether a write must survive a crash of the machine.
#[derive(Clone, Copy, PartialEq)]
enum Durability {
    /// The file and the rename are synced: the registry.
    Synced,
    /// Neither: a cache, which a reader drops when it is torn or old.
    Cache,
}

#[derive(Clone, Copy, PartialEq)]
enum LockMode {
    Shared,
    Exclusive,
}

impl Store {
    pub fn new(dir: PathBuf, timeout: Duration, on_wait: Box<dyn Fn(&Path)>) -> Self {
        Self {
            dir,
            timeout,
            on_wait,
        }
    }

    pub fn registry_path(&self) -> PathBuf {
        self.dir.join(REGISTRY_FILE)
    }

    pub fn lock_path(&self) -> PathBuf {
        self.dir.join(LOCK_FILE)
    }

    /// This registry's identity, which `up` puts on the IRIS container
    /// ([`crate::core::engine::REGISTRY_LABEL`]) so that only this registry ever
    /// recovers the stack from its labels: random, made once in
    /// `iris-dev-registry-id` beside the registry (`ports reset` keeps it), so
    /// that two registries at the same path (a devcontainer's, another machine's
    /// on a shared engine) never take each other's stacks. `create: false` only
    /// reads it: `None` when there is none yet.
    pub fn identity(&self, create: bool) -> Result<Option<String>, StoreError> {
        let path = self.dir.join(ID_FILE);
        let valid = |text: String| {
            let id = text.trim().to_owned();
            (id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit())).then_some(id)
        };
        if !self.check_dir(create)? {
            return Ok(None);
        }
        let read = || -> Result<Option<String>, StoreError> {
            let mut text = String::new();
            match open_private(&path, OpenMode::Read) {
                Ok(mut file) => {
                    io::Read::read_to_string(&mut file, &mut text)?;
                    Ok(valid(text))
                }
                Err(StoreError::Io(err)) if err.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(err) => Err(err),
            }
        };
        if let Some(id) = read()? {
            return Ok(Some(id));
        }
        if !create {
            return Ok(None);
        }
        let id = random_id();
        match open_private(&path, OpenMode::CreateNew) {
            Ok(mut file) => {
                io::Write::write_all(&mut file, format!("{id}\n").as_bytes())?;
                file.sync_all()?;
                Ok(Some(id))
            }
            // Another process made it first: its id is the registry's.
            Err(StoreError::Io(err)) if err.kind() == io::ErrorKind::AlreadyExists => {
                Ok(Some(read()?.unwrap_or(id)))
            }
            Err(err) => Err(err),
        }
    }

    /// Reads the registry under a shared lock. A registry that does not exist yet
    /// reads as empty, and nothing is created for it.
    pub fn read(&self) -> Result<Registry, StoreError> {
        if !self.check_dir(false)? {
            return Ok(Registry::empty());
        }
        let _lock = match self.lock(LockMode::Shared) {
            Ok(lock) => Some(lock),
            // A read-only HOME or file system: the lock file opens for reading
            // (`flock` needs no write access), and where there is none, nobody
            // can make one to write under either (issue 21 §4).
            Err(StoreError::Io(err)) if refuses_writes(&err) => {
                let path = self.lock_path();
                match lock(
                    &path,
                    OpenMode::Read,
                    LockMode::Shared,
                    self.timeout,
                    &*self.on_wait,
                ) {
                    Ok(lock) => Some(lock),
                    Err(StoreError::Io(err)) if err.kind() == io::ErrorKind::NotFound => None,
                    Err(err) => return Err(err),
                }
            }
            Err(err) => return Err(err),
        };
        self.load()
    }

    /// Runs `change` on the registry under the exclusive lock and writes the
    /// result back atomically if it changed.
    pub fn update<T, E>(&self, change: impl FnOnce(&mut Registry) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        self.check_dir(true)
            .map_err(|err| self.not_writable(err, &self.dir))?;
        let _lock = self
            .lock(LockMode::Exclusive)
            .map_err(|err| self.not_writable(err, &self.lock_path()))?;
        self.remove_leftover_temp_files(TEMP_PREFIX);
        let before = self.load()?;
        let mut registry = before.clone();
        let value = change(&mut registry)?;
        if registry != before || !self.registry_path().exists() {
            if registry.is_newer_schema() {
                return Err(StoreError::NewerSchema {
                    path: self.registry_path(),
                    version: registry.schema_version,
                }
                .into());
            }
            self.write(&registry)?;
        }
        Ok(value)
    }

    /// Moves the registry aside, whatever its state, and starts an empty one.
    /// Returns where the old file went, if there was one.
    pub fn reset(&self, now: &Timestamp) -> Result<Option<PathBuf>, StoreError> {
        self.check_dir(true)?;
        let _lock = self.lock(LockMode::Exclusive)?;
        self.remove_leftover_temp_files(TEMP_PREFIX);
        let path = self.registry_path();
        let aside = match self.read_bytes()? {
            None => None,
            Some(bytes) => {
                let kind = match Registry::parse(&bytes) {
                    Ok(_) => "backup",
                    Err(_) => "corrupt",
                };
                let aside = free_name(&path, &format!("{kind}-{}", now.file_suffix()));
                fs::rename(&path, &aside)?;
                Some(aside)
            }
        };
        self.write(&Registry::empty())?;
        Ok(aside)
    }

    /// The containers of the engine at `endpoint`, asked for after this call
    /// began: by another iris-dev process this call waited for, or by `list`.
    ///
    /// Callers take turns under a lock of its own (never the registry's: a slow
    /// engine holds up no registry user). Whoever has the lock asks the engine
    /// and leaves the answer, an error included, in `iris-dev-containers.json`;
    /// the callers that were already waiting then use it. So concurrent callers
    /// (a burst of first assignments, `make -j` over many projects) ask the
    /// engine about once per answer it takes to give, however slow it is, and
    /// no caller gets an answer from before it began. The answer's `asked_at`
    /// says when it was asked (see [`crate::core::stale`]). The wait for the lock is
    /// announced and bounded like the registry's; anything wrong with the
    /// shared file or its lock only means that `list` is called.
    pub fn shared_listing(
        &self,
        endpoint: &str,
        now: &dyn Fn() -> Timestamp,
        list: impl FnOnce() -> Result<Vec<Container>, EngineError>,
    ) -> Result<Listing, EngineError> {
        let path = self.dir.join(LISTING_FILE);
        let entered = now();
        // An answer of this engine asked for after this call began.
        let since_entered = || {
            let bytes = self.read_file(&path).ok()??;
            let shared: SharedListing = serde_json::from_slice(&bytes).ok()?;
            (shared.engine == endpoint && shared.asked_at > entered).then(|| {
                let asked_at = shared.asked_at;
                shared
                    .containers
                    .map(|containers| Listing {
                        asked_at,
                        containers,
                    })
                    .map_err(|message| EngineError {
                        endpoint: endpoint.to_owned(),
                        message,
                    })
            })
        };
        let lock = self
            .check_dir(true)
            .and_then(|_| {
                let path = self.dir.join(LISTING_LOCK_FILE);
                lock(
                    &path,
                    OpenMode::Lock,
                    LockMode::Exclusive,
                    self.timeout,
                    &*self.on_wait,
                )
            })
            .ok();
        if lock.is_some()
            && let Some(shared) = since_entered()
        {
            return shared;
        }
        let asked_at = now();
        let containers = list();
        if lock.is_some() {
            self.remove_leftover_temp_files(LISTING_TEMP_PREFIX);
            let shared = SharedListing {
                engine: endpoint.to_owned(),
                asked_at: asked_at.clone(),
                containers: match &containers {
                    Ok(containers) => Ok(containers.clone()),
                    Err(err) => Err(err.message.clone()),
                },
            };
            let bytes = serde_json::to_vec(&shared).expect("a listing serialises");
            // A cache: a crash leaves the old file or a torn one, which is not used.
            let _ = self.replace(&path, LISTING_TEMP_PREFIX, &bytes, Durability::Cache);
        }
        containers.map(|containers| Listing {
            asked_at,
            containers,
        })
    }

    /// Checks the directory, creating it (0700) when `create`; `false` when it
    /// does not exist and was not created.
    fn check_dir(&self, create: bool) -> Result<bool, StoreError> {
        match fs::symlink_metadata(&self.dir) {
            Ok(metadata) => {
                if metadata.file_type().is_symlink() {
                    return Err(StoreError::Symlink {
                        path: self.dir.clone(),
                    });
                }
                if !metadata.is_dir() {
                    return Err(StoreError::NotDirectory {
                        path: self.dir.clone(),
                    });
                }
                check_owner(&self.dir, &metadata)?;
                Ok(true)
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound && create => {
                let mut builder = std::fs::DirBuilder::new();
                builder.recursive(true);
                platform::private_dir_builder(&mut builder);
                builder.create(&self.dir).map_err(|err| {
                    io::Error::new(
                        err.kind(),
                        format!("failed to create directory `{}`: {err}", self.dir.display()),
                    )
                })?;
                Ok(true)
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    fn lock(&self, mode: LockMode) -> Result<fs::File, StoreError> {
        let path = self.lock_path();
        lock(&path, OpenMode::Lock, mode, self.timeout, &*self.on_wait)
    }

    /// `err` as [`StoreError::ReadOnly`] when the file system or directory
    /// refuses the write of `path`.
    fn not_writable(&self, err: StoreError, path: &Path) -> StoreError {
        match err {
            StoreError::Io(err) if refuses_writes(&err) => StoreError::ReadOnly {
                path: path.to_owned(),
                dir: self.dir.clone(),
                reason: io::Error::from(err.kind()).to_string(),
            },
            err => err,
        }
    }

    fn load(&self) -> Result<Registry, StoreError> {
        match self.read_bytes()? {
            None => Ok(Registry::empty()),
            Some(bytes) => Registry::parse(&bytes).map_err(|source| StoreError::Content {
                path: self.registry_path(),
                source,
            }),
        }
    }

    fn read_bytes(&self) -> Result<Option<Vec<u8>>, StoreError> {
        self.read_file(&self.registry_path())
    }

    /// A private file in the directory, or `None` when it does not exist.
    fn read_file(&self, path: &Path) -> Result<Option<Vec<u8>>, StoreError> {
        let mut file = match open_private(path, OpenMode::Read) {
            Ok(file) => file,
            Err(StoreError::Io(err)) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(err),
        };
        let mut bytes = Vec::new();
        io::Read::read_to_end(&mut file, &mut bytes)?;
        Ok(Some(bytes))
    }

    fn write(&self, registry: &Registry) -> Result<(), StoreError> {
        let path = self.registry_path();
        let bytes = registry.to_json();
        self.replace(&path, TEMP_PREFIX, &bytes, Durability::Synced)
            .map_err(|err| match err {
                StoreError::Io(err) if err.kind() == io::ErrorKind::StorageFull => {
                    StoreError::Full {
                        path: path.clone(),
                        dir: self.dir.clone(),
                        needed: bytes.len(),
                    }
                }
                err => self.not_writable(err, &path),
            })
    }

    /// Writes `bytes` to a new file named `temp_prefix` and the process id, and
    /// renames it over `path`.
    fn replace(
        &self,
        path: &Path,
        temp_prefix: &str,
        bytes: &[u8],
        durability: Durability,
    ) -> Result<(), StoreError> {
        let temp = self
            .dir
            .join(format!("{temp_prefix}{}", std::process::id()));
        let synced = durability == Durability::Synced;
        let result = (|| {
            let mut file = open_private(&temp, OpenMode::CreateNew)?;
            file.write_all(bytes)?;
            if synced {
                file.sync_all()?;
            }
            drop(file);
            fs::rename(&temp, path)?;
            if synced {
                platform::sync_dir(&self.dir)?;
            }
            Ok(())
        })();
        if result.is_err() {
            let _ = fs::remove_file(&temp);
        }
        result
    }

    /// Removes what killed writers left (issue 21 §3); only under the lock
    /// that guards writes with this prefix. A temp file is named after its
    /// writer's pid ([`Self::replace`]), and is removed only when that process
    /// is gone, or is this one (which writes nothing at the moment: the file is
    /// an earlier process's that had the same pid): so a live writer's file is
    /// kept even should the lock fail to exclude it (a lock file replaced under
    /// a waiting writer). A name that carries no pid is not ours to judge.
    fn remove_leftover_temp_files(&self, prefix: &str) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().and_then(|name| name.strip_prefix(prefix)) else {
                continue;
            };
            let Ok(pid) = pid.parse::<u32>() else {
                continue;
            };
            if pid == std::process::id() || platform::process_is_gone(pid) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// `path` with `.suffix`, or `.suffix-N` when that name is taken.
fn free_name(path: &Path, suffix: &str) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    (0..)
        .map(|n| match n {
            0 => path.with_file_name(format!("{name}.{suffix}")),
            n => path.with_file_name(format!("{name}.{suffix}-{n}")),
        })
        .find(|candidate| fs::symlink_metadata(candidate).is_err())
        .expect("an unused name exists")
}

/// Takes the lock on `path`. A lock another process holds is waited for in the
/// kernel, on a thread of its own so that the wait can be announced (`on_wait`,
/// after [`WAIT_NOTICE_AFTER`]) and bounded: the lock passes to a waiter the
/// moment it is released, where a polling waiter would sleep through releases
/// (64 concurrent first assignments spent most of their time so). A waiter
/// that times out leaves its thread blocked; should the lock come later, the
/// thread drops it at once.
fn lock(
    path: &Path,
    open: OpenMode,
    mode: LockMode,
    timeout: Duration,
    on_wait: &dyn Fn(&Path),
) -> Result<fs::File, StoreError> {
    let file = open_private(path, open)?;
    let failed = |err: io::Error| {
        StoreError::from(io::Error::new(
            err.kind(),
            format!("failed to lock `{}`: {err}", path.display()),
        ))
    };
    let attempt = match mode {
        LockMode::Shared => file.file().try_lock_shared(),
        LockMode::Exclusive => file.file().try_lock(),
    };
    match attempt {
        Ok(()) => return Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {}
        Err(std::fs::TryLockError::Error(err)) => return Err(failed(err)),
    }
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let locked = match mode {
            LockMode::Shared => file.file().lock_shared(),
            LockMode::Exclusive => file.file().lock(),
        };
        // Nobody listens after a timeout: then `file` is dropped, and the lock
        // with it.
        let _ = sender.send(locked.map(|()| file));
    });
    let notice = WAIT_NOTICE_AFTER.min(timeout);
    let mut answer = receiver.recv_timeout(notice);
    if matches!(answer, Err(mpsc::RecvTimeoutError::Timeout)) && timeout > notice {
        on_wait(path);
        answer = receiver.recv_timeout(timeout - notice);
    }
    match answer {
        Ok(Ok(file)) => Ok(file),
        Ok(Err(err)) => Err(failed(err)),
        Err(_) => Err(StoreError::LockTimeout {
            path: path.to_owned(),
            timeout,
        }),
    }
}

enum OpenMode {
    Read,
    Lock,
    CreateNew,
}

/// 128 random bits in hex, from the operating system's seed for std's hashers
/// (no crate needed for an id that only has to differ between registries).
fn random_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    (0..2)
        .map(|_| {
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|since| since.as_nanos())
                    .unwrap_or_default(),
            );
            format!("{:016x}", hasher.finish())
        })
        .collect()
}

/// Opens a registry file without following a final symlink, refusing one owned by
/// somebody else; new files are 0600.
fn open_private(path: &Path, mode: OpenMode) -> Result<fs::File, StoreError> {
    if let Ok(metadata) = fs::symlink_metadata(path)
        && metadata.file_type().is_symlink()
    {
        return Err(StoreError::Symlink {
            path: path.to_owned(),
        });
    }
    let mut options = fs::OpenOptions::new();
    match mode {
        OpenMode::Read => options.read(true),
        OpenMode::Lock => options.read(true).write(true).create(true),
        OpenMode::CreateNew => options.write(true).create_new(true),
    };
    platform::private_file_options(&mut options);
    let file = options.open(path).map_err(|err| {
        if platform::is_symlink_refusal(&err) {
            return StoreError::Symlink {
                path: path.to_owned(),
            };
        }
        StoreError::Io(err)
    })?;
    check_owner(path, &file.metadata()?)?;
    Ok(file)
}

/// Refuses a file or directory that belongs to another user: writing through it
/// would let that user read or swap the registry.
fn check_owner(path: &Path, metadata: &std::fs::Metadata) -> Result<(), StoreError> {
    if let (Some(owner), Some(user)) = (platform::owner(metadata), platform::current_uid())
        && owner != user
    {
        return Err(StoreError::ForeignOwner {
            path: path.to_owned(),
            owner,
            user,
        });
    }
    Ok(())
}

impl StoreError {
    /// What to run or change, as the user would type it.
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::Content { .. } => vec![
                "move it aside and start an empty registry with `iris-dev ports reset` \
                 (the old file is kept)"
                    .into(),
            ],
            Self::Symlink { .. } | Self::ForeignOwner { .. } | Self::NotDirectory { .. } => {
                vec![format!(
                    "use a directory of your own: `export {}=\"$HOME/.iris-dev\"`",
                    env_vars::IRIS_DEV_HOME
                )]
            }
            Self::LockTimeout { path, .. } => vec![
                format!(
                    "another iris-dev or iris-devtester process holds it; find it with `{}`",
                    shell::join(["fuser", "-v", &path.display().to_string()])
                ),
                format!("or wait longer: `{}=120`", env_vars::IRIS_DEV_LOCK_TIMEOUT),
            ],
            Self::NewerSchema { .. } => {
                vec!["upgrade iris-dev to one that knows this schema".into()]
            }
            Self::Full { dir, needed, .. } => vec![format!(
                "free at least {needed} bytes on that file system (`{}` shows it), then run the command again",
                shell::join(["df", "-h", &dir.display().to_string()])
            )],
            Self::ReadOnly { dir, .. } => vec![format!(
                "make `{}` writable, or keep the registry in a directory you can write: `export {}=\"$HOME/.iris-dev\"`; commands that only read it (`iris-dev port` of a project that has its ports) still work",
                dir.display(),
                env_vars::IRIS_DEV_HOME
            )],
            Self::Io(_) => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};

    use super::*;

    const ENGINE: &str = "unix:///var/run/docker.sock";

    fn store(dir: &Path) -> Store {
        Store::new(
            dir.join(".iris-devtester"),
            Duration::from_secs(5),
            Box::new(|_| {}),
        )
    }

    fn containers(name: &str) -> Vec<Container> {
        vec![Container {
            name: name.into(),
            ..Container::default()
        }]
    }

    /// A clock that moves one microsecond each time it is read.
    fn ticking() -> impl Fn() -> Timestamp {
        let micros = AtomicI64::new(1_000_000);
        move || {
            let micros = micros.fetch_add(1, Ordering::SeqCst);
            Timestamp::from_system_time(
                std::time::UNIX_EPOCH + Duration::from_micros(micros.unsigned_abs()),
            )
        }
    }

    #[test]
    fn an_answer_from_before_the_call_began_is_never_used() {
        let temp = tempfile::tempdir().unwrap();
        let store = store(temp.path());
        let now = ticking();
        let listed = |engine: &str, name: &str| {
            store
                .shared_listing(engine, &now, || Ok(containers(name)))
                .unwrap()
                .containers
        };
        assert_eq!(listed(ENGINE, "a"), containers("a"));
        // `docker rm` here: the next call must see it.
        assert_eq!(listed(ENGINE, "b"), containers("b"));
        assert_eq!(listed("tcp://far:2375", "c"), containers("c"));
    }

    #[test]
    fn callers_waiting_together_share_one_answer_an_error_included() {
        for answer in [Ok(containers("a")), Err("no answer within 5s")] {
            let temp = tempfile::tempdir().unwrap();
            let asked = AtomicUsize::new(0);
            let now = || Timestamp::from_system_time(std::time::SystemTime::now());
            thread::scope(|scope| {
                for _ in 0..8 {
                    scope.spawn(|| {
                        let listing = store(temp.path()).shared_listing(ENGINE, &now, || {
                            asked.fetch_add(1, Ordering::SeqCst);
                            thread::sleep(Duration::from_millis(100));
                            answer.clone().map_err(|message| EngineError {
                                endpoint: ENGINE.into(),
                                message: message.into(),
                            })
                        });
                        match &answer {
                            Ok(expected) => assert_eq!(&listing.unwrap().containers, expected),
                            Err(message) => {
                                assert!(listing.unwrap_err().to_string().contains(message));
                            }
                        }
                    });
                }
            });
            // One, or two when some callers began after the first one asked.
            let asked = asked.load(Ordering::SeqCst);
            assert!((1..=2).contains(&asked), "{asked} of 8 asked");
        }
    }

    #[test]
    fn a_damaged_listing_file_only_means_asking() {
        let temp = tempfile::tempdir().unwrap();
        let store = store(temp.path());
        let dir = temp.path().join(".iris-devtester");
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join(LISTING_FILE);
        fs::write(&path, "{\"engine\": ").unwrap();
        let listing = store
            .shared_listing(ENGINE, &ticking(), || Ok(containers("a")))
            .unwrap();
        assert_eq!(listing.containers, containers("a"));
        assert!(
            serde_json::from_slice::<SharedListing>(&fs::read(&path).unwrap()).is_ok(),
            "rewritten"
        );
    }

    #[test]
    fn a_write_removes_the_temp_files_of_dead_writers_only() {
        let temp = tempfile::tempdir().unwrap();
        let store = store(temp.path());
        let dir = temp.path().join(".iris-devtester");
        fs::create_dir_all(&dir).unwrap();
        let mut dead = std::process::Command::new("true").spawn().unwrap();
        dead.wait().unwrap();
        let mut live = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let file = |pid: &dyn std::fmt::Display| dir.join(format!("{TEMP_PREFIX}{pid}"));
        for pid in [
            &dead.id() as &dyn std::fmt::Display,
            &live.id(),
            &std::process::id(),
            &"x1",
        ] {
            fs::write(file(pid), "{\"schema_version\": ").unwrap();
        }
        store
            .update(|registry| {
                registry.extra.insert("touched".into(), true.into());
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let left = |pid: &dyn std::fmt::Display| file(pid).exists();
        assert!(!left(&dead.id()), "a dead writer's file is removed");
        assert!(
            !left(&std::process::id()),
            "an earlier process with this pid"
        );
        assert!(left(&live.id()), "a live writer's file is kept");
        assert!(left(&"x1"), "a name without a pid is not judged");
        live.kill().unwrap();
        live.wait().unwrap();
        assert!(Registry::parse(&fs::read(store.registry_path()).unwrap()).is_ok());
    }

    #[test]
    fn the_identity_is_made_once_and_kept() {
        let temp = tempfile::tempdir().unwrap();
        let store = Store::new(
            temp.path().join("reg"),
            Duration::from_secs(1),
            Box::new(|_| {}),
        );
        assert_eq!(
            store.identity(false).unwrap(),
            None,
            "reading creates nothing"
        );
        assert!(!temp.path().join("reg").exists());
        let id = store.identity(true).unwrap().unwrap();
        assert_eq!(id.len(), 32);
        assert_eq!(store.identity(false).unwrap(), Some(id.clone()));
        assert_eq!(store.identity(true).unwrap(), Some(id.clone()));
        let other = Store::new(
            temp.path().join("other"),
            Duration::from_secs(1),
            Box::new(|_| {}),
        );
        assert_ne!(
            other.identity(true).unwrap(),
            Some(id),
            "each registry its own"
        );
    }
}
