//! Time, injected: nothing else in tokenbench reads the system time.
//!
//! A [`Clock`] reads real time from a [`TimeSource`] (the system, or a manual instant for
//! tests and `--now`) and can run a virtual time on top of it: paused, faster, or jumped.

use chrono::{DateTime, TimeDelta, Utc};

/// Where real time comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeSource {
    System,
    /// A pinned instant that only moves when told to (tests, `--now` for scripts).
    Manual(DateTime<Utc>),
}

impl TimeSource {
    fn now(&self) -> DateTime<Utc> {
        match self {
            TimeSource::System => Utc::now(),
            TimeSource::Manual(instant) => *instant,
        }
    }
}

/// Speeds the lab offers, slowest first.
pub const SPEEDS: [u32; 4] = [1, 10, 60, 600];

/// A clock whose virtual time is `anchor_virtual + (real − anchor_real) × speed` while running.
#[derive(Clone, Debug)]
pub struct Clock {
    source: TimeSource,
    anchor_real: DateTime<Utc>,
    anchor_virtual: DateTime<Utc>,
    speed: u32,
    paused: bool,
}

impl Clock {
    pub fn new(source: TimeSource) -> Self {
        let now = source.now();
        Clock {
            source,
            anchor_real: now,
            anchor_virtual: now,
            speed: 1,
            paused: false,
        }
    }

    pub fn system() -> Self {
        Clock::new(TimeSource::System)
    }

    /// A clock pinned at `instant` until it is advanced by hand.
    pub fn manual(instant: DateTime<Utc>) -> Self {
        Clock::new(TimeSource::Manual(instant))
    }

    /// The current (virtual) time.
    pub fn now(&self) -> DateTime<Utc> {
        if self.paused {
            return self.anchor_virtual;
        }
        let real_elapsed = self.source.now() - self.anchor_real;
        self.anchor_virtual + real_elapsed * self.speed as i32
    }

    /// True when the clock shows anything other than real time at ×1.
    pub fn is_virtual(&self) -> bool {
        self.paused || self.speed != 1 || self.anchor_real != self.anchor_virtual
    }

    pub fn speed(&self) -> u32 {
        self.speed
    }

    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// Re-anchors at the present so that a change of speed or pause never makes time jump.
    fn reanchor(&mut self) {
        self.anchor_virtual = self.now();
        self.anchor_real = self.source.now();
    }

    pub fn set_speed(&mut self, speed: u32) {
        self.reanchor();
        self.speed = speed.max(1);
    }

    /// The next speed in [`SPEEDS`] (or the previous with `faster == false`), clamped at the ends.
    pub fn step_speed(&mut self, faster: bool) {
        let index = SPEEDS.iter().position(|s| *s >= self.speed).unwrap_or(0);
        let next = if faster {
            (index + 1).min(SPEEDS.len() - 1)
        } else {
            index.saturating_sub(1)
        };
        self.set_speed(SPEEDS[next]);
    }

    pub fn set_paused(&mut self, paused: bool) {
        self.reanchor();
        self.paused = paused;
    }

    pub fn toggle_pause(&mut self) {
        self.set_paused(!self.paused);
    }

    pub fn jump_by(&mut self, delta: TimeDelta) {
        self.reanchor();
        self.anchor_virtual += delta;
    }

    pub fn jump_to(&mut self, instant: DateTime<Utc>) {
        self.reanchor();
        self.anchor_virtual = instant;
    }

    /// Back to real time at ×1, running.
    pub fn reset(&mut self) {
        *self = Clock::new(self.source);
    }

    /// Moves a manual source forward (tests and fixed-clock demos); no effect on the system source.
    pub fn advance_source(&mut self, delta: TimeDelta) {
        if let TimeSource::Manual(instant) = &mut self.source {
            *instant += delta;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_341_600, 0).unwrap()
    }

    #[test]
    fn manual_clock_is_pinned_until_advanced() {
        let mut clock = Clock::manual(base());
        assert_eq!(clock.now(), base());
        assert!(!clock.is_virtual());
        clock.advance_source(TimeDelta::seconds(5));
        assert_eq!(clock.now(), base() + TimeDelta::seconds(5));
    }

    #[test]
    fn speed_multiplies_elapsed_real_time_from_the_moment_it_changes() {
        let mut clock = Clock::manual(base());
        clock.advance_source(TimeDelta::seconds(10));
        clock.set_speed(60);
        clock.advance_source(TimeDelta::seconds(2));
        assert_eq!(clock.now(), base() + TimeDelta::seconds(10 + 120));
        assert!(clock.is_virtual());
    }

    #[test]
    fn pause_freezes_and_resume_continues_without_a_jump() {
        let mut clock = Clock::manual(base());
        clock.set_speed(10);
        clock.advance_source(TimeDelta::seconds(1));
        clock.toggle_pause();
        let frozen = clock.now();
        clock.advance_source(TimeDelta::seconds(100));
        assert_eq!(clock.now(), frozen);
        clock.toggle_pause();
        clock.advance_source(TimeDelta::seconds(1));
        assert_eq!(clock.now(), frozen + TimeDelta::seconds(10));
    }

    #[test]
    fn jumps_and_reset() {
        let mut clock = Clock::manual(base());
        clock.jump_by(TimeDelta::minutes(10));
        assert_eq!(clock.now(), base() + TimeDelta::minutes(10));
        let target = base() + TimeDelta::hours(3);
        clock.jump_to(target);
        assert_eq!(clock.now(), target);
        clock.set_speed(600);
        clock.reset();
        assert_eq!(clock.now(), base());
        assert_eq!(clock.speed(), 1);
        assert!(!clock.is_virtual());
    }

    #[test]
    fn speed_steps_through_the_lab_speeds_and_clamps() {
        let mut clock = Clock::manual(base());
        clock.step_speed(false);
        assert_eq!(clock.speed(), 1);
        for expected in [10, 60, 600, 600] {
            clock.step_speed(true);
            assert_eq!(clock.speed(), expected);
        }
        clock.step_speed(false);
        assert_eq!(clock.speed(), 60);
    }
}
