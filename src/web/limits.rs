//! Abuse limits: how often one client address (or one reader's email) may search, file a
//! request or try the staff token, counted in a sliding window in the server's memory (a
//! restart forgets them). Past a limit the answer is 429 with `Retry-After`.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys kept at most per limit: beyond it the quietest are forgotten, so a flood of
/// addresses cannot grow memory without bound.
const MAX_KEYS: usize = 100_000;

/// At most `limit` events per key within `window`; 0 means no limit.
pub(crate) struct RateLimit {
    limit: u32,
    window: Duration,
    events: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimit {
    pub(crate) fn new(limit: u32, window: Duration) -> RateLimit {
        RateLimit { limit, window, events: Mutex::new(HashMap::new()) }
    }

    /// Counts an event for `key`: `Err` with how long until the next would be taken when
    /// the key is at its limit (the event is not counted then).
    pub(crate) fn take(&self, key: &str) -> Result<(), Duration> {
        if self.limit == 0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut events = self.events.lock().expect("limit lock");
        if events.len() >= MAX_KEYS && !events.contains_key(key) {
            events.retain(|_, times| times.back().is_some_and(|last| now.duration_since(*last) < self.window));
            if events.len() >= MAX_KEYS {
                events.clear();
            }
        }
        let times = events.entry(key.to_string()).or_default();
        while times.front().is_some_and(|first| now.duration_since(*first) >= self.window) {
            times.pop_front();
        }
        if times.len() >= self.limit as usize {
            let oldest = *times.front().expect("at its limit, so not empty");
            return Err(self.window.saturating_sub(now.duration_since(oldest)).max(Duration::from_secs(1)));
        }
        times.push_back(now);
        Ok(())
    }

    /// Whether `key` is at its limit now, without counting anything.
    pub(crate) fn exhausted(&self, key: &str) -> Option<Duration> {
        if self.limit == 0 {
            return None;
        }
        let now = Instant::now();
        let events = self.events.lock().expect("limit lock");
        let times = events.get(key)?;
        let recent: Vec<&Instant> = times.iter().filter(|t| now.duration_since(**t) < self.window).collect();
        (recent.len() >= self.limit as usize)
            .then(|| self.window.saturating_sub(now.duration_since(*recent[0])).max(Duration::from_secs(1)))
    }
}

/// Every limit of one server.
pub(crate) struct Limits {
    pub searches: RateLimit,
    pub requests_per_address: RateLimit,
    pub requests_per_reader: RateLimit,
    /// Failed staff logins per address: past the limit the address is locked out.
    pub failed_logins: RateLimit,
    /// Failed staff logins from everywhere: many addresses guessing together.
    pub failed_logins_everywhere: RateLimit,
}

impl Limits {
    pub(crate) fn of(config: &crate::config::Web) -> Limits {
        const MINUTE: Duration = Duration::from_secs(60);
        const HOUR: Duration = Duration::from_secs(3600);
        Limits {
            searches: RateLimit::new(config.searches_per_minute, MINUTE),
            requests_per_address: RateLimit::new(config.requests_per_hour, HOUR),
            requests_per_reader: RateLimit::new(config.requests_per_hour, HOUR),
            failed_logins: RateLimit::new(config.failed_logins_per_hour, HOUR),
            failed_logins_everywhere: RateLimit::new(config.failed_logins_per_hour.saturating_mul(10), HOUR),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_refused_past_its_limit_and_others_are_not() {
        let limit = RateLimit::new(2, Duration::from_secs(60));
        assert!(limit.take("a").is_ok() && limit.take("a").is_ok());
        let wait = limit.take("a").unwrap_err();
        assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60), "{wait:?}");
        assert!(limit.exhausted("a").is_some());
        assert!(limit.take("b").is_ok(), "another key has its own count");
        assert!(RateLimit::new(0, Duration::from_secs(1)).take("a").is_ok(), "0: no limit");
    }

    #[test]
    fn events_older_than_the_window_no_longer_count() {
        let limit = RateLimit::new(1, Duration::from_millis(50));
        assert!(limit.take("a").is_ok());
        assert!(limit.take("a").is_err());
        std::thread::sleep(Duration::from_millis(60));
        assert!(limit.take("a").is_ok());
    }
}
