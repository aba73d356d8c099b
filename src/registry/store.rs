//! The registry on disk: where it lives, its lock, and crash-safe writes.
//!
//! This is the one module that touches `port-registry.json` and
//! `port-registry.lock`. Every read-modify-write holds the exclusive lock, plain
//! reads a shared one, because iris-devtester rewrites the file in place and a
//! lock-free read could see it torn. We never write in place ourselves: a new file
//! is written beside the registry, synced and renamed over it, so a crash at any
//! instant leaves the old file or the new one. The lock is the same `flock` that
//! Python's `filelock.FileLock` takes on the same lock file.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use fs_err as fs;

use super::model::{ContentError, Registry};
use crate::platform;
use crate::timestamp::Timestamp;

pub const REGISTRY_FILE: &str = "port-registry.json";
pub const LOCK_FILE: &str = "port-registry.lock";
/// Prefix of the temporary files a write renames over the registry; one left
/// behind is the trace of a crash and is removed under the next exclusive lock.
const TEMP_PREFIX: &str = ".port-registry.json.tmp-";
/// How long a waiter stays quiet before saying what it waits for.
const WAIT_NOTICE_AFTER: Duration = Duration::from_millis(500);

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
}

/// The registry directory and how long to wait for its lock.
pub struct Store {
    dir: PathBuf,
    timeout: Duration,
    /// Called once when a wait for the lock outlasts [`WAIT_NOTICE_AFTER`].
    on_wait: Box<dyn Fn(&Path)>,
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

    /// Reads the registry under a shared lock. A registry that does not exist yet
    /// reads as empty, and nothing is created for it.
    pub fn read(&self) -> Result<Registry, StoreError> {
        if !self.check_dir(false)? {
            return Ok(Registry::empty());
        }
        let _lock = self.lock(LockMode::Shared)?;
        self.load()
    }

    /// Runs `change` on the registry under the exclusive lock and writes the
    /// result back atomically if it changed.
    pub fn update<T, E>(&self, change: impl FnOnce(&mut Registry) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        self.check_dir(true)?;
        let _lock = self.lock(LockMode::Exclusive)?;
        self.remove_leftover_temp_files();
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
        self.remove_leftover_temp_files();
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

    /// Takes the lock, polling so that the wait can be announced and bounded.
    fn lock(&self, mode: LockMode) -> Result<fs::File, StoreError> {
        let path = self.lock_path();
        let file = open_private(&path, OpenMode::Lock)?;
        let started = Instant::now();
        let mut pause = Duration::from_millis(1);
        let mut announced = false;
        loop {
            let attempt = match mode {
                LockMode::Shared => file.file().try_lock_shared(),
                LockMode::Exclusive => file.file().try_lock(),
            };
            match attempt {
                Ok(()) => return Ok(file),
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(err)) => {
                    return Err(io::Error::new(
                        err.kind(),
                        format!("failed to lock `{}`: {err}", path.display()),
                    )
                    .into());
                }
            }
            let waited = started.elapsed();
            if waited >= self.timeout {
                return Err(StoreError::LockTimeout {
                    path,
                    timeout: self.timeout,
                });
            }
            if !announced && waited >= WAIT_NOTICE_AFTER {
                (self.on_wait)(&path);
                announced = true;
            }
            thread::sleep(pause.min(self.timeout - waited));
            pause = (pause * 2).min(Duration::from_millis(25));
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
        let path = self.registry_path();
        let mut file = match open_private(&path, OpenMode::Read) {
            Ok(file) => file,
            Err(StoreError::Io(err)) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(err),
        };
        let mut bytes = Vec::new();
        io::Read::read_to_end(&mut file, &mut bytes)?;
        Ok(Some(bytes))
    }

    /// Writes a new file beside the registry and renames it over the old one.
    fn write(&self, registry: &Registry) -> Result<(), StoreError> {
        let path = self.registry_path();
        let temp = self
            .dir
            .join(format!("{TEMP_PREFIX}{}", std::process::id()));
        let result = (|| {
            let mut file = open_private(&temp, OpenMode::CreateNew)?;
            file.write_all(&registry.to_json())?;
            file.sync_all()?;
            drop(file);
            fs::rename(&temp, &path)?;
            Ok(platform::sync_dir(&self.dir)?)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&temp);
        }
        result
    }

    fn remove_leftover_temp_files(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
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

enum OpenMode {
    Read,
    Lock,
    CreateNew,
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
