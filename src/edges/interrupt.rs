//! Ctrl-C while `up` runs compose or waits: noticed, so that iris-dev can say what
//! was interrupted instead of vanishing mid-line.
//!
//! The handler only sets a flag (all a signal handler may safely do). Compose is
//! in the same process group and gets the same SIGINT, so it stops by itself; the
//! registry lock is never held across these waits, so nothing is left locked.
//! Installing the handler is [`crate::edges::platform`]'s job.

use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_interrupt(_signal: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// From now on, Ctrl-C sets the flag instead of ending the process.
pub fn catch() {
    crate::edges::platform::catch_interrupt(on_interrupt);
}

/// Whether Ctrl-C arrived since [`catch`].
pub fn requested() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}
