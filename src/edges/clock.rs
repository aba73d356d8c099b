//! The system clock behind [`Clock`].

use std::time::SystemTime;

use crate::core::timestamp::{Clock, Timestamp};

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_system_time(SystemTime::now())
    }
}
