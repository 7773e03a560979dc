//! The requests the endpoint has answered, kept for a front end to drain: the workbench's
//! requests pane, or the CLI's one line per request.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

/// How many undrained records are kept; past that the oldest go (counted in [`RequestLog::dropped`]),
/// so a front end that never drains costs bounded memory.
pub const CAPACITY: usize = 1000;

/// One answered request.
#[derive(Clone, PartialEq)]
pub struct RequestRecord {
    /// When it was answered, on the endpoint's clock (the clock tokens are minted on).
    pub at: DateTime<Utc>,
    pub method: String,
    /// The path, without the query string.
    pub route: String,
    /// The platform whose route answered; `None` for `/healthz` and unknown routes.
    pub platform: Option<&'static str>,
    /// Zoom `userIdentity`, Relaybox `clientId`; `None` where the route has none.
    pub client_id: Option<String>,
    pub status: u16,
    /// The token returned, when one was.
    pub token: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Why the request was refused, in one sentence (the first error when there were several).
    pub error: Option<String>,
}

impl RequestRecord {
    /// The first characters of the token, enough to tell tokens apart in a log line.
    pub fn token_prefix(&self) -> Option<&str> {
        self.token.as_deref().map(|token| {
            let end = token
                .char_indices()
                .nth(TOKEN_PREFIX_CHARS)
                .map_or(token.len(), |(i, _)| i);
            &token[..end]
        })
    }
}

/// Log lines and `Debug` show this much of a token, never all of it.
pub const TOKEN_PREFIX_CHARS: usize = 12;

impl std::fmt::Debug for RequestRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestRecord")
            .field("at", &self.at)
            .field("method", &self.method)
            .field("route", &self.route)
            .field("platform", &self.platform)
            .field("client_id", &self.client_id)
            .field("status", &self.status)
            .field("token", &self.token_prefix().map(|p| format!("{p}…")))
            .field("expires_at", &self.expires_at)
            .field("error", &self.error)
            .finish()
    }
}

#[derive(Default)]
struct Pending {
    records: VecDeque<RequestRecord>,
    dropped: u64,
}

/// A bounded queue of records: the server pushes, one front end drains.
#[derive(Default)]
pub struct RequestLog {
    pending: Mutex<Pending>,
    arrived: Condvar,
}

impl RequestLog {
    pub(crate) fn push(&self, record: RequestRecord) {
        let mut pending = self.lock();
        if pending.records.len() == CAPACITY {
            pending.records.pop_front();
            pending.dropped += 1;
        }
        pending.records.push_back(record);
        drop(pending);
        self.arrived.notify_all();
    }

    /// The records since the last drain, oldest first, without waiting.
    pub fn drain(&self) -> Vec<RequestRecord> {
        self.lock().records.drain(..).collect()
    }

    /// Like [`drain`](Self::drain), but waits up to `timeout` for a first record.
    pub fn wait_and_drain(&self, timeout: Duration) -> Vec<RequestRecord> {
        let pending = self.lock();
        let (mut pending, _) = self
            .arrived
            .wait_timeout_while(pending, timeout, |p| p.records.is_empty())
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        pending.records.drain(..).collect()
    }

    /// How many records were discarded because nobody drained them in time.
    pub fn dropped(&self) -> u64 {
        self.lock().dropped
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Pending> {
        // A panic elsewhere while holding the lock leaves the queue itself consistent.
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: u16) -> RequestRecord {
        RequestRecord {
            at: DateTime::from_timestamp(1_795_341_600, 0).unwrap(),
            method: "GET".into(),
            route: "/healthz".into(),
            platform: None,
            client_id: None,
            status: n,
            token: Some("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln".into()),
            expires_at: None,
            error: None,
        }
    }

    #[test]
    fn drains_in_order_and_only_once() {
        let log = RequestLog::default();
        log.push(record(1));
        log.push(record(2));
        let statuses: Vec<u16> = log.drain().iter().map(|r| r.status).collect();
        assert_eq!(statuses, [1, 2]);
        assert!(log.drain().is_empty());
    }

    #[test]
    fn keeps_the_newest_when_full_and_counts_the_rest() {
        let log = RequestLog::default();
        for n in 0..(CAPACITY as u16 + 5) {
            log.push(record(n));
        }
        let drained = log.drain();
        assert_eq!(drained.len(), CAPACITY);
        assert_eq!(drained[0].status, 5);
        assert_eq!(log.dropped(), 5);
    }

    #[test]
    fn waiting_returns_empty_after_the_timeout_and_records_as_they_come() {
        let log = std::sync::Arc::new(RequestLog::default());
        assert!(log.wait_and_drain(Duration::from_millis(10)).is_empty());
        let writer = std::sync::Arc::clone(&log);
        let thread = std::thread::spawn(move || writer.push(record(7)));
        let got = log.wait_and_drain(Duration::from_secs(10));
        thread.join().unwrap();
        assert_eq!(got.len(), 1);
    }

    #[test]
    fn debug_shows_a_token_prefix_only() {
        let shown = format!("{:?}", record(200));
        assert!(shown.contains("eyJhbGciOiJI…"), "{shown}");
        assert!(!shown.contains("c2ln"), "{shown}");
    }
}
