//! Capped, jittered exponential backoff between reconnects.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Delays of 1 s, 2 s, 4 s … up to five minutes, each ±25 %.
#[derive(Debug, Default)]
pub struct Backoff {
    failures: u32,
}

const CAP: Duration = Duration::from_secs(300);

impl Backoff {
    /// The delay before the next attempt; each call counts one more failure.
    pub fn next_delay(&mut self) -> Duration {
        let base = Duration::from_secs(1u64 << self.failures.min(9)).min(CAP);
        self.failures = self.failures.saturating_add(1);
        // Jitter spreads reconnects of many clients after a server restart.
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let factor = 0.75 + f64::from(nanos % 1000) / 2000.0;
        base.mul_f64(factor)
    }

    /// Back to the shortest delay after a success.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_and_is_capped() {
        let mut b = Backoff::default();
        let first = b.next_delay();
        assert!(first >= Duration::from_millis(750) && first <= Duration::from_millis(1250));
        for _ in 0..20 {
            assert!(b.next_delay() <= CAP.mul_f64(1.25));
        }
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(1250));
    }
}
