//! Timelines for people (an aligned table) and for scripts (JSON).

use chrono::SecondsFormat;
use serde::Serialize;

use super::{Actor, Confidence, Event, TokenTimes, format_offset};

/// One event as `tokenbench simulate --json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventJson {
    /// Seconds since iat.
    pub t: f64,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor: Actor,
    pub event: &'static str,
    pub outcome: String,
    pub confidence: Confidence,
}

fn instant(times: &TokenTimes, t_ms: i64) -> String {
    times.at(t_ms).to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub fn to_json(events: &[Event], times: &TokenTimes) -> Vec<EventJson> {
    events
        .iter()
        .map(|event| EventJson {
            t: event.t_ms as f64 / 1_000.0,
            at: instant(times, event.t_ms),
            actor: event.actor,
            event: event.event,
            outcome: event.outcome.clone(),
            confidence: event.confidence,
        })
        .collect()
}

/// The timeline as aligned columns. The outcome, the one long column, comes last so it is
/// never padded and wraps cleanly in a narrow terminal.
pub fn render_table(events: &[Event], times: &TokenTimes) -> String {
    let rows: Vec<[String; 6]> = events
        .iter()
        .map(|event| {
            [
                format_offset(event.t_ms),
                instant(times, event.t_ms),
                event.actor.as_str().to_owned(),
                event.event.to_owned(),
                event.confidence.as_str().to_owned(),
                event.outcome.clone(),
            ]
        })
        .collect();
    let header = ["t", "at", "actor", "event", "confidence", "outcome"].map(str::to_owned);
    let mut widths = [0; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut table = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        for (cell, width) in row.iter().zip(widths) {
            table.push_str(&format!("{cell:<width$}  "));
        }
        table.push_str(&row[5]);
        table.push('\n');
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifetime::{Scenario, model};
    use crate::platform::lifetime::format_delay;
    use crate::platform::lifetime::testing::{secs, token};

    #[test]
    fn offsets_read_as_clock_times() {
        assert_eq!(format_offset(0), "+00:00");
        assert_eq!(format_offset(secs(880)), "+14:40");
        assert_eq!(format_offset(secs(7_200)), "+2:00:00");
        assert_eq!(format_offset(secs(30 * 86_400)), "+720:00:00");
        assert_eq!(format_offset(-secs(5)), "-00:05");
        assert_eq!(format_offset(891_523), "+14:51.523");
        assert_eq!(format_offset(i64::MIN), "-2562047788015:12:55.808");
    }

    #[test]
    fn delays_read_in_seconds() {
        assert_eq!(format_delay(secs(900)), "900 s");
        assert_eq!(format_delay(10_734), "10.734 s");
        assert_eq!(format_delay(-1_500), "-1.500 s");
    }

    #[test]
    fn json_has_exactly_the_documented_fields() {
        let times = token(900);
        let events = model("relaybox")
            .unwrap()
            .simulate(&times, &Scenario::default());
        let json = serde_json::to_value(to_json(&events, &times)).unwrap();
        let refresh = &json[1];
        assert_eq!(
            refresh.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["t", "at", "actor", "event", "outcome", "confidence"]
        );
        assert_eq!(refresh["t"], 880.0);
        assert_eq!(refresh["at"], "2026-11-22T10:30:20Z");
        assert_eq!(refresh["actor"], "sdk");
        assert_eq!(refresh["event"], "refresh");
        assert_eq!(refresh["confidence"], "sdk-code");
        assert_eq!(json[2]["confidence"], "unconfirmed");
    }

    #[test]
    fn json_keeps_milliseconds() {
        let times = token(900);
        let event = Event {
            t_ms: 891_523,
            actor: Actor::AuthEndpoint,
            event: "endpoint-up",
            outcome: String::new(),
            confidence: Confidence::Documented,
            presence: None,
        };
        let json = serde_json::to_value(to_json(&[event], &times)).unwrap();
        assert_eq!(json[0]["t"], 891.523);
        assert_eq!(json[0]["at"], "2026-11-22T10:30:31.523Z");
        assert_eq!(json[0]["actor"], "auth-endpoint");
    }

    #[test]
    fn table_aligns_every_column_but_the_last() {
        let times = token(900);
        let table = render_table(
            &model("relaybox")
                .unwrap()
                .simulate(&times, &Scenario::default()),
            &times,
        );
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(
            lines[0]
                .starts_with("t       at                    actor   event    confidence   outcome"),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].starts_with(
                "+00:00  2026-11-22T10:15:40Z  client  join     sdk-code     connected"
            )
        );
        assert!(lines[2].starts_with(
            "+14:40  2026-11-22T10:30:20Z  sdk     refresh  sdk-code     the refresh timer"
        ));
        assert!(lines[3].starts_with(
            "+15:00  2026-11-22T10:30:40Z  server  exp      unconfirmed  the token expires"
        ));
        assert!(lines.iter().all(|line| !line.ends_with(' ')));
    }
}
