//! A keystroke in a form field of the workbench: update (which re-mints and re-checks the
//! token) and a full redraw of the 120×40 screen, for an HS256 platform (zoom) and an RS256
//! one (vonage). Also a tick: a redraw with no crypto, what the running countdown costs; and a
//! tick of the lifetime lab at ×600.
//!
//! cargo bench --bench frame

use std::hint::black_box;

use chrono::DateTime;
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use tokenbench::clock::Clock;
use tokenbench::tui::{Action, App, AppConfig, layout, update};

/// The workbench on `platform`, editing the topic, with random claims drawn as in a real run.
fn editing_topic(platform: usize) -> App {
    let start = DateTime::from_timestamp(1_795_341_600, 0).unwrap();
    let mut config = AppConfig::demo(Clock::manual(start));
    config.deterministic = false;
    config.active = platform;
    let mut app = App::new(config);
    update(&mut app, Action::NextField);
    update(&mut app, Action::Activate);
    app
}

fn keystroke_then_redraw(c: &mut Criterion, name: &str, platform: usize) {
    let mut app = editing_topic(platform);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal
        .draw(|frame| drop(layout::draw(&app, frame)))
        .unwrap();
    let mut typed = false;
    c.bench_function(name, |b| {
        b.iter(|| {
            // Type a character, then delete it: each is one keystroke that changes the token.
            let key = if typed {
                Action::Backspace
            } else {
                Action::Insert('x')
            };
            typed = !typed;
            black_box(update(&mut app, key));
            terminal
                .draw(|frame| drop(layout::draw(&app, frame)))
                .unwrap();
        })
    });
}

fn frame(c: &mut Criterion) {
    keystroke_then_redraw(c, "keystroke_remint_redraw_120x40_hs256_zoom", 0);
    keystroke_then_redraw(c, "keystroke_remint_redraw_120x40_rs256_vonage", 1);
    let mut app = editing_topic(0);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    c.bench_function("tick_redraw_120x40", |b| {
        b.iter(|| {
            app.clock.advance_source(chrono::TimeDelta::seconds(1));
            update(&mut app, Action::Tick);
            terminal
                .draw(|frame| drop(layout::draw(&app, frame)))
                .unwrap();
        })
    });
}

/// A second of the lab at ×600: the clock moves ten minutes, the picture's cursor and "now" follow.
fn lab_tick(c: &mut Criterion) {
    let mut app = editing_topic(0);
    update(&mut app, Action::EndEdit);
    update(&mut app, Action::ToggleLab);
    app.clock.set_speed(600);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let start = app.clock.now();
    c.bench_function("lab_tick_redraw_120x40_x600", |b| {
        b.iter(|| {
            app.clock.advance_source(chrono::TimeDelta::seconds(1));
            // Round the token's lifetime (and a little past it) again and again.
            if app.clock.now() - start > chrono::TimeDelta::hours(30) {
                app.clock.jump_to(start);
            }
            update(&mut app, Action::Tick);
            terminal
                .draw(|frame| drop(layout::draw(&app, frame)))
                .unwrap();
        })
    });
}

criterion_group!(benches, frame, lab_tick);
criterion_main!(benches);
