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
//!
//! Must not decide policy: callers say what a failed check means.

use std::io;
use std::path::Path;

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
