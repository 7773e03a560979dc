//! Durations and instants as people type them, and as they read them back.

use chrono::{DateTime, Utc};

/// The forms accepted for a duration, for error messages.
pub const DURATION_FORMS: &str = "a duration such as 90s, 30m, 2h, 1d or 1h 30m";
/// The forms accepted for an instant, for error messages.
pub const INSTANT_FORMS: &str =
    "an RFC 3339 time such as 2026-11-22T10:00:00Z, or unix seconds such as 1795341600";

/// The last instant a token may name: 9999-12-31T23:59:59Z. Later than that no platform (and no
/// RFC 3339 date) can hold it.
pub const LATEST_UNIX: i64 = 253_402_300_799;
/// Unix seconds before this (2001-09-09) are taken for a mistake where a time is asked for:
/// `--exp 90` is far likelier to mean 90 seconds than 1970.
const EARLIEST_PLAUSIBLE_UNIX: i64 = 1_000_000_000;

/// Why a typed duration or time does not read; one sentence for the user.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("'{0}' is not a duration: use {DURATION_FORMS}")]
    NotADuration(String),
    #[error("'{0}' is not a time: use {INSTANT_FORMS}")]
    NotATime(String),
    #[error(
        "'{0}' is not an expiry: use {DURATION_FORMS}, or a time (RFC 3339, or @ and unix seconds such as @1795341600)"
    )]
    NotAnExpiry(String),
    #[error("'{0}' is out of range: tokens end before the year 10000")]
    OutOfRange(String),
    #[error(
        "'{text}' reads as unix seconds, which is {when}: for a lifetime use --ttl {text}s, for a time give it in full"
    )]
    TooEarly { text: String, when: String },
}

/// Parses `90s`, `30m`, `2h`, `1d`, `1h30m` or `1h 30m` (units may repeat in any order, an
/// optional leading `+`), or bare seconds, into seconds.
pub fn parse_duration(text: &str) -> Result<i64, TimeError> {
    let text = text.trim();
    let error = || TimeError::NotADuration(text.to_string());
    let body = text.strip_prefix('+').unwrap_or(text);
    if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()) {
        return body.parse().map_err(|_| error());
    }
    let mut total: i64 = 0;
    let mut number: Option<i64> = None;
    for c in body.chars() {
        if let Some(digit) = c.to_digit(10) {
            let so_far = number.unwrap_or(0);
            number = Some(
                so_far
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(digit as i64))
                    .ok_or_else(error)?,
            );
            continue;
        }
        if c == ' ' && number.is_none() {
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(error()),
        };
        let amount = number.take().ok_or_else(error)?;
        total = amount
            .checked_mul(unit)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(error)?;
    }
    if number.is_some() || body.trim().is_empty() {
        return Err(error());
    }
    Ok(total)
}

/// Parses an RFC 3339 time or unix seconds (from 2001 on: earlier is taken for a mistake).
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, TimeError> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<i64>() {
        if !(0..=LATEST_UNIX).contains(&seconds) {
            return Err(TimeError::OutOfRange(text.to_string()));
        }
        let at = DateTime::from_timestamp(seconds, 0)
            .ok_or_else(|| TimeError::OutOfRange(text.to_string()))?;
        if seconds < EARLIEST_PLAUSIBLE_UNIX {
            return Err(TimeError::TooEarly {
                text: text.to_string(),
                when: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            });
        }
        return Ok(at);
    }
    let at = DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| TimeError::NotATime(text.to_string()))?;
    if at.timestamp() > LATEST_UNIX {
        return Err(TimeError::OutOfRange(text.to_string()));
    }
    Ok(at)
}

/// When a token should expire: the platform's default, after a duration, or at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Expiry {
    #[default]
    Default,
    After(i64),
    At(DateTime<Utc>),
}

impl Expiry {
    /// Reads the one expiry box of the workbench, by one rule: a duration (a bare number is
    /// seconds), or a time as RFC 3339 or `@` and unix seconds; empty is the default.
    pub fn parse(text: &str) -> Result<Expiry, TimeError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Expiry::Default);
        }
        if let Some(unix) = text.strip_prefix('@') {
            return parse_instant(unix).map(Expiry::At);
        }
        if let Ok(seconds) = parse_duration(text) {
            return Ok(Expiry::After(seconds));
        }
        parse_instant(text)
            .map(Expiry::At)
            .map_err(|_| TimeError::NotAnExpiry(text.to_string()))
    }

    /// The expiry instant for a token issued at `iat`.
    pub fn resolve(&self, iat: DateTime<Utc>, default_ttl: i64) -> DateTime<Utc> {
        match self {
            Expiry::Default => iat + chrono::TimeDelta::seconds(default_ttl),
            Expiry::After(seconds) => iat + chrono::TimeDelta::seconds(*seconds),
            Expiry::At(instant) => *instant,
        }
    }

    /// [`Expiry::resolve`] in unix seconds, for a token issued at `iat` unix seconds: the claim
    /// value itself, without calendar arithmetic (bulk minting does this once per token).
    pub fn resolve_unix(&self, iat: i64, default_ttl: i64) -> i64 {
        match self {
            Expiry::Default => iat.saturating_add(default_ttl),
            Expiry::After(seconds) => iat.saturating_add(*seconds),
            Expiry::At(instant) => instant.timestamp(),
        }
    }

    /// The text that reads back as this expiry.
    pub fn to_text(&self) -> String {
        match self {
            Expiry::Default => String::new(),
            Expiry::After(seconds) => format_duration_compact(*seconds),
            Expiry::At(instant) => instant.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}

/// `2h`, `1h30m`, `90s` → the shortest input form that parses back to the same seconds.
pub fn format_duration_compact(seconds: i64) -> String {
    if seconds == 0 {
        return "0s".into();
    }
    let sign = if seconds < 0 { "-" } else { "" };
    let mut rest = seconds.unsigned_abs();
    let mut out = String::from(sign);
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    out
}

/// `1h 59m 58s`, `3m 05s`, `12s`: for countdowns, always down to the second.
pub fn format_countdown(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    if d > 0 {
        format!("{d}d {h}h {m:02}m {sec:02}s")
    } else if h > 0 {
        format!("{h}h {m:02}m {sec:02}s")
    } else if m > 0 {
        format!("{m}m {sec:02}s")
    } else {
        format!("{sec}s")
    }
}

/// `1h 59m`, `3m`, `12s`: the two largest units, for relative times beside dates.
pub fn format_approx(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    if d > 0 {
        if h > 0 {
            format!("{d}d {h}h")
        } else {
            format!("{d}d")
        }
    } else if h > 0 {
        if m > 0 {
            format!("{h}h {m}m")
        } else {
            format!("{h}h")
        }
    } else if m > 0 {
        format!("{m}m")
    } else {
        format!("{sec}s")
    }
}

/// "in 1h 59m", "3m ago", "now".
pub fn format_relative(target: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (target - now).num_seconds();
    match seconds {
        0 => "now".into(),
        s if s > 0 => format!("in {}", format_approx(s)),
        s => format!("{} ago", format_approx(s)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_unix_is_resolve_in_seconds() {
        let iat = DateTime::from_timestamp(1_795_341_600, 0).unwrap();
        for expiry in [
            Expiry::Default,
            Expiry::After(90),
            Expiry::After(-5),
            Expiry::At(DateTime::from_timestamp(1_800_000_000, 0).unwrap()),
        ] {
            assert_eq!(
                expiry.resolve_unix(iat.timestamp(), 7200),
                expiry.resolve(iat, 7200).timestamp(),
                "{expiry:?}"
            );
        }
    }

    #[test]
    fn durations_in_every_documented_form() {
        for (text, seconds) in [
            ("90s", 90),
            ("30m", 1800),
            ("2h", 7200),
            ("1d", 86_400),
            ("1h30m", 5400),
            ("+30m", 1800),
            ("90", 90),
            ("1w", 604_800),
            (" 2h ", 7200),
            ("1h 30m", 5400),
            ("1d 2h 3m 4s", 93_784),
        ] {
            assert_eq!(parse_duration(text), Ok(seconds), "{text}");
        }
    }

    #[test]
    fn bad_durations_name_the_accepted_forms() {
        for text in [
            "",
            "h",
            "2x",
            "1h30",
            "abc",
            "-5m",
            "99999999999999999999s",
            " ",
            "1 h",
        ] {
            let error = parse_duration(text).unwrap_err().to_string();
            assert!(
                error.contains("90s, 30m, 2h, 1d or 1h 30m"),
                "{text}: {error}"
            );
        }
    }

    #[test]
    fn instants_as_rfc3339_or_unix_seconds() {
        let expected = DateTime::from_timestamp(1_795_341_600, 0).unwrap();
        assert_eq!(parse_instant("2026-11-22T10:00:00Z"), Ok(expected));
        assert_eq!(parse_instant("2026-11-22T11:00:00+01:00"), Ok(expected));
        assert_eq!(parse_instant("1795341600"), Ok(expected));
        assert!(
            parse_instant("tomorrow")
                .unwrap_err()
                .to_string()
                .contains("RFC 3339")
        );
        let early = parse_instant("90").unwrap_err().to_string();
        assert!(
            early.contains("1970-01-01T00:01:30Z") && early.contains("--ttl 90s"),
            "{early}"
        );
        assert!(parse_instant("1000000000").is_ok());
        assert!(matches!(
            parse_instant("253402300800"),
            Err(TimeError::OutOfRange(_))
        ));
        assert!(parse_instant("253402300799").is_ok());
        assert!(matches!(parse_instant("-5"), Err(TimeError::OutOfRange(_))));
    }

    #[test]
    fn expiry_box_reads_durations_and_instants() {
        let at = DateTime::from_timestamp(1_795_341_600, 0).unwrap();
        assert_eq!(Expiry::parse(""), Ok(Expiry::Default));
        assert_eq!(Expiry::parse("2h"), Ok(Expiry::After(7200)));
        assert_eq!(Expiry::parse("1800"), Ok(Expiry::After(1800)));
        assert_eq!(
            Expiry::parse("1795341600"),
            Ok(Expiry::After(1_795_341_600))
        );
        assert_eq!(Expiry::parse("@1795341600"), Ok(Expiry::At(at)));
        assert_eq!(Expiry::parse("1h 30m"), Ok(Expiry::After(5400)));
        assert_eq!(Expiry::parse("2026-11-22T10:00:00Z"), Ok(Expiry::At(at)));
        assert!(Expiry::parse("soon").is_err());
        for expiry in [Expiry::After(5400), Expiry::At(at), Expiry::Default] {
            assert_eq!(Expiry::parse(&expiry.to_text()), Ok(expiry));
        }
    }

    #[test]
    fn readable_durations() {
        assert_eq!(format_duration_compact(5400), "1h30m");
        assert_eq!(format_duration_compact(90), "1m30s");
        assert_eq!(format_countdown(7198), "1h 59m 58s");
        assert_eq!(format_countdown(-12), "12s");
        assert_eq!(format_countdown(185), "3m 05s");
        assert_eq!(format_approx(7140), "1h 59m");
        let now = DateTime::from_timestamp(1_795_341_600, 0).unwrap();
        assert_eq!(
            format_relative(now + chrono::TimeDelta::seconds(7140), now),
            "in 1h 59m"
        );
        assert_eq!(
            format_relative(now - chrono::TimeDelta::seconds(180), now),
            "3m ago"
        );
        assert_eq!(format_relative(now, now), "now");
    }
}
