//! The workbench, driven without a terminal: actions in, state and effects out; frames drawn on
//! a `TestBackend` against a pinned clock and compared with insta snapshots.

#[path = "support/http.rs"]
mod http;

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

use tokenbench::clock::Clock;
use tokenbench::findings::Field;
use tokenbench::serve::{self, RequestRecord};
use tokenbench::token::Signature;
use tokenbench::tui::app::{Endpoint, Mode, Origin, Pane, REQUESTS_KEPT, Row};
use tokenbench::tui::clipboard::MemoryClipboard;
use tokenbench::tui::event::{EventSource, to_action};
use tokenbench::tui::{
    Action, App, AppConfig, CopyReport, CopyWhat, Edge, Effect, run_loop, ui, update,
};

fn start() -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_341_600, 0).unwrap() // 2026-11-22T10:00:00Z
}

fn app() -> App {
    App::new(AppConfig::demo(Clock::manual(start())))
}

fn run(app: &mut App, actions: impl IntoIterator<Item = Action>) -> Vec<Effect> {
    actions.into_iter().flat_map(|a| update(app, a)).collect()
}

fn typing(text: &str) -> Vec<Action> {
    text.chars().map(Action::Insert).collect()
}

fn token(app: &App) -> String {
    app.shown
        .as_ref()
        .expect("a token is shown")
        .report
        .token
        .clone()
}

fn claims(app: &App) -> serde_json::Value {
    app.shown
        .as_ref()
        .expect("a token is shown")
        .report
        .claims
        .clone()
}

/// Focuses `row`, starts editing (the cursor at the end), types `text` and finishes.
fn type_into(app: &mut App, row: Row, text: &str) {
    focus(app, row);
    update(app, Action::Activate);
    run(app, typing(text));
    update(app, Action::EndEdit);
}

fn focus(app: &mut App, row: Row) {
    while app.current().current_row() != row {
        update(app, Action::NextField);
    }
}

fn render(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::draw(app, frame)).unwrap();
    terminal
}

fn screen(app: &App, width: u16, height: u16) -> String {
    render(app, width, height).backend().to_string()
}

// ---- state ----

#[test]
fn opens_on_zoom_with_focus_on_the_first_field_and_a_valid_token() {
    let app = app();
    assert_eq!(app.current().platform.id(), "zoom");
    assert_eq!(app.pane, Pane::Form);
    assert_eq!(app.current().current_row(), Row::Field(Field::Role));
    let view = app.shown.as_ref().unwrap();
    assert_eq!(view.report.signature, Signature::Valid);
    assert_eq!(claims(&app)["tpc"], "teammeeting");
}

#[test]
fn each_platform_shows_its_fields_in_the_workbench_order() {
    let mut app = app();
    let mut orders = Vec::new();
    for _ in 0..4 {
        orders.push(app.current().rows());
        update(&mut app, Action::NextPlatform);
    }
    use Field::*;
    let fields = |rows: &[Row]| -> Vec<Field> { rows.iter().map(|r| r.field()).collect() };
    assert_eq!(
        fields(&orders[0]),
        [Role, Topic, Password, Expiry, ClientId, Claims, Key, Secret]
    );
    assert_eq!(
        fields(&orders[1]),
        [Role, Topic, Expiry, Data, Claims, Key, Secret]
    );
    assert_eq!(
        fields(&orders[2]),
        [Role, Topic, Expiry, Data, Claims, Format, Key, Secret]
    );
    assert_eq!(
        orders[3],
        [
            Row::Field(Expiry),
            Row::Room(0),
            Row::Room(1),
            Row::AddRoom,
            Row::Field(ClientId),
            Row::Field(Claims),
            Row::Field(Key),
            Row::Field(Secret)
        ]
    );
}

#[test]
fn editing_a_field_starts_at_the_end_and_remints_on_every_keystroke() {
    let mut app = app();
    update(&mut app, Action::NextField);
    update(&mut app, Action::Activate);
    let Mode::Editing(input) = &app.mode else {
        panic!("Enter edits the topic")
    };
    assert_eq!(input.cursor, "teammeeting".len());
    let before = token(&app);
    update(&mut app, Action::Insert('-'));
    assert_eq!(claims(&app)["tpc"], "teammeeting-");
    assert_ne!(token(&app), before, "the keystroke re-minted");
    run(&mut app, typing("x"));
    run(
        &mut app,
        [
            Action::CursorHome,
            Action::Delete,
            Action::Insert('T'),
            Action::EndEdit,
        ],
    );
    assert!(matches!(app.mode, Mode::Normal));
    assert_eq!(app.current().form.topic, "Teammeeting-x");
    assert_eq!(claims(&app)["tpc"], "Teammeeting-x");
}

#[test]
fn choices_cycle_with_arrows_and_space() {
    let mut app = app();
    update(&mut app, Action::Right);
    assert_eq!(claims(&app)["role_type"], 0);
    update(&mut app, Action::Left);
    assert_eq!(claims(&app)["role_type"], 1);
    update(&mut app, Action::PreviousPlatform);
    update(&mut app, Action::PreviousPlatform); // opentok
    focus(&mut app, Row::Field(Field::Format));
    update(&mut app, Action::Right);
    assert!(token(&app).starts_with("T1=="));
}

#[test]
fn each_platform_keeps_its_own_form() {
    let mut app = app();
    update(&mut app, Action::NextField);
    run(&mut app, [Action::Activate, Action::ClearToStart]);
    run(&mut app, typing("standup"));
    update(&mut app, Action::EndEdit);
    update(&mut app, Action::NextPlatform);
    assert_eq!(app.current().platform.id(), "vonage");
    run(&mut app, [Action::Right, Action::Right]); // publisher → publisher-only → moderator
    assert_eq!(claims(&app)["role"], "moderator");
    update(&mut app, Action::PreviousPlatform);
    assert_eq!(claims(&app)["tpc"], "standup");
    assert_eq!(app.current().row, 1, "the cursor stays where it was");
    update(&mut app, Action::NextPlatform);
    assert_eq!(claims(&app)["role"], "moderator");
}

#[test]
fn an_expiry_that_does_not_parse_is_shown_on_its_field_and_stops_minting() {
    let mut app = app();
    focus(&mut app, Row::Field(Field::Expiry));
    update(&mut app, Action::Activate);
    run(&mut app, typing("soon"));
    assert!(
        app.current()
            .input_error(Field::Expiry)
            .unwrap()
            .contains("not an expiry")
    );
    assert!(
        app.shown
            .as_ref()
            .is_err_and(|e| e.starts_with("fix the expiry"))
    );
    run(&mut app, [Action::ClearToStart]);
    run(&mut app, typing("2026-11-22T11:00:00Z"));
    assert_eq!(claims(&app)["exp"], 1_795_345_200);
    run(&mut app, [Action::ClearToStart]);
    run(&mut app, typing("45m"));
    assert_eq!(claims(&app)["exp"], 1_795_341_600 + 2700);
}

#[test]
fn extra_claims_and_typed_secrets_are_read_like_the_command_line() {
    let mut app = app();
    focus(&mut app, Row::Field(Field::Claims));
    update(&mut app, Action::Activate);
    run(&mut app, typing("geo_regions=US,DE; version=2"));
    assert_eq!(claims(&app)["geo_regions"], "US,DE");
    assert_eq!(claims(&app)["version"], 2);
    update(&mut app, Action::EndEdit);
    focus(&mut app, Row::Field(Field::Secret));
    run(&mut app, [Action::Activate, Action::ClearToStart]);
    run(&mut app, typing("a-secret-typed-into-the-workbench-0123"));
    let view = app.shown.as_ref().unwrap();
    assert_eq!(view.report.signature, Signature::Valid);
    let rules: Vec<&str> = view.report.findings.iter().map(|f| f.rule).collect();
    assert!(!rules.contains(&"demo-credentials"), "{rules:?}");
    assert!(
        !rules.contains(&"secret.argv"),
        "typed in the form, not on argv: {rules:?}"
    );
    run(&mut app, [Action::ClearToStart, Action::Insert('-')]);
    assert!(
        app.current()
            .input_error(Field::Secret)
            .unwrap()
            .contains("standard input")
    );
}

#[test]
fn relaybox_permissions_are_room_to_operation_toggles() {
    let mut app = app();
    update(&mut app, Action::PreviousPlatform);
    assert_eq!(app.current().platform.id(), "relaybox");
    focus(&mut app, Row::Room(0));
    // The vocabulary: create, join, subscribe, publish, …: the cursor starts on create.
    update(&mut app, Action::Toggle);
    assert_eq!(
        claims(&app)["permissions"]["chat:*"],
        json!(["create", "publish", "presence"])
    );
    run(
        &mut app,
        [Action::Right, Action::Right, Action::Right, Action::Toggle],
    );
    assert_eq!(
        claims(&app)["permissions"]["chat:*"],
        json!(["create", "presence"])
    );
    focus(&mut app, Row::AddRoom);
    update(&mut app, Action::Activate);
    assert_eq!(app.current().current_row(), Row::Room(2));
    run(&mut app, [Action::ClearToStart]);
    run(&mut app, typing("lobby"));
    update(&mut app, Action::EndEdit);
    assert_eq!(claims(&app)["permissions"]["lobby"], json!(["subscribe"]));
    update(&mut app, Action::RemoveRoom);
    assert!(claims(&app)["permissions"].get("lobby").is_none());
}

#[test]
fn copy_is_an_effect_and_its_outcome_a_status_line() {
    let mut app = app();
    /// The text of the one copy effect `action` gives, which must copy `expected`.
    fn copied(app: &mut App, action: Action, expected: CopyWhat) -> String {
        match update(app, action).as_slice() {
            [Effect::Copy { what, text }] if *what == expected => text.clone(),
            effects => panic!("{effects:?}"),
        }
    }
    assert_eq!(
        copied(&mut app, Action::CopyToken, CopyWhat::Token),
        token(&app)
    );
    let claims_text = copied(&mut app, Action::CopyClaims, CopyWhat::Claims);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&claims_text).unwrap(),
        claims(&app)
    );
    update(
        &mut app,
        Action::Copied(CopyReport {
            what: CopyWhat::Token,
            chars: 239,
            paths: vec![
                ("OSC 52", Ok(())),
                (
                    "the system clipboard",
                    Err("unavailable (no display)".into()),
                ),
            ],
        }),
    );
    let status = app.status.clone().unwrap();
    assert_eq!(
        status.text,
        "copied the token (239 chars) via OSC 52; the system clipboard: unavailable (no display)"
    );
    assert!(!status.error);
}

#[test]
fn nothing_to_copy_is_a_message() {
    let mut app = app();
    type_into(&mut app, Row::Field(Field::Expiry), "x");
    assert!(update(&mut app, Action::CopyToken).is_empty());
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .starts_with("nothing to copy")
    );
}

#[test]
fn a_pasted_token_of_a_known_platform_fills_its_form_for_re_signing() {
    let mut app = app();
    update(&mut app, Action::NextPlatform);
    run(&mut app, [Action::Right, Action::Right]); // vonage moderator
    type_into(&mut app, Row::Field(Field::Data), "name=bob");
    let pasted = token(&app);
    let mut app = self::app();
    update(&mut app, Action::Paste(pasted.clone()));
    assert_eq!(app.current().platform.id(), "vonage");
    assert_eq!(app.current().form.role, "moderator");
    assert_eq!(app.current().form.data, "name=bob");
    let view = app.shown.as_ref().unwrap();
    assert_eq!(view.origin, Origin::Inspected { known: true });
    assert_eq!(view.report.token, pasted);
    assert_eq!(view.report.signature, Signature::Valid);
    assert!(app.status.as_ref().unwrap().text.contains("vonage token"));
    // Any edit re-signs from the filled form.
    update(&mut app, Action::Left);
    let view = app.shown.as_ref().unwrap();
    assert_eq!(view.origin, Origin::Minted);
    assert_eq!(claims(&app)["role"], "publisheronly");
    assert_eq!(claims(&app)["connection_data"], "name=bob");
}

#[test]
fn the_inspect_box_decodes_on_enter_and_explains_what_is_not_a_token() {
    let mut app = app();
    update(&mut app, Action::OpenInspect);
    run(&mut app, typing("nope"));
    update(&mut app, Action::SubmitInspect);
    let Mode::Inspect { error, .. } = &app.mode else {
        panic!("the box stays open")
    };
    assert!(error.as_deref().unwrap().starts_with("this is not a token"));
    // A token of no known platform: read-only, with the generic findings.
    let foreign = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4IiwiZXhwIjoxNzk1MzQxNjYwfQ.c2ln";
    run(
        &mut app,
        [
            Action::ClearToStart,
            Action::Paste(foreign.into()),
            Action::SubmitInspect,
        ],
    );
    assert!(matches!(app.mode, Mode::Normal));
    let view = app.shown.as_ref().unwrap();
    assert_eq!(view.origin, Origin::Inspected { known: false });
    assert_eq!(view.report.platform, None);
    assert_eq!(view.report.signature, Signature::Unverified);
    let rules: Vec<&str> = view.report.findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["jwt.unverified"]);
    assert_eq!(app.current().platform.id(), "zoom", "no form was touched");
    update(&mut app, Action::Back);
    assert_eq!(app.shown.as_ref().unwrap().origin, Origin::Minted);
}

#[test]
fn ticks_move_the_countdown_and_never_remint() {
    let mut app = app();
    let before = token(&app);
    app.clock.advance_source(TimeDelta::seconds(3 * 3600));
    update(&mut app, Action::Tick);
    assert_eq!(token(&app), before);
    assert_eq!(app.now, start() + TimeDelta::seconds(3 * 3600));
    assert!(screen(&app, 120, 40).contains("expired 1h 00m 00s ago"));
}

#[test]
fn enter_on_a_finding_focuses_its_field() {
    let mut app = app();
    type_into(&mut app, Row::Field(Field::Expiry), "10m");
    update(&mut app, Action::NextField);
    let findings = &app.shown.as_ref().unwrap().report.findings;
    let index = findings
        .iter()
        .position(|f| f.rule == "zoom.exp-window")
        .unwrap();
    update(&mut app, Action::FocusFindings);
    for _ in 0..index {
        update(&mut app, Action::SelectDown);
    }
    update(&mut app, Action::GoToFinding);
    assert_eq!(app.pane, Pane::Form);
    assert_eq!(app.current().current_row(), Row::Field(Field::Expiry));
}

#[test]
fn keys_become_actions_through_the_key_table() {
    let mut app = app();
    let key = |code| Event::Key(KeyEvent::new(code, KeyModifiers::NONE));
    assert_eq!(to_action(&app, key(KeyCode::Char('q'))), Some(Action::Quit));
    assert_eq!(to_action(&app, key(KeyCode::Tab)), Some(Action::NextField));
    assert_eq!(to_action(&app, key(KeyCode::Char('x'))), None);
    update(&mut app, Action::NextField);
    update(&mut app, Action::Activate);
    assert_eq!(
        to_action(&app, key(KeyCode::Char('q'))),
        Some(Action::Insert('q'))
    );
    assert_eq!(to_action(&app, key(KeyCode::Esc)), Some(Action::EndEdit));
    let ctrl_c = Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(to_action(&app, ctrl_c), Some(Action::Quit));
    assert_eq!(
        to_action(&app, Event::Paste("t".into())),
        Some(Action::Paste("t".into()))
    );
}

#[test]
fn clicks_switch_tabs_and_focus_fields_and_findings() {
    let mut app = app();
    update(
        &mut app,
        Action::Resize {
            width: 120,
            height: 40,
        },
    );
    let screen = screen(&app, 120, 40);
    let line_of = |needle: &str| screen.lines().position(|l| l.contains(needle)).unwrap() as u16;
    update(&mut app, Action::Click { column: 10, row: 0 }); // " vonage "
    assert_eq!(app.current().platform.id(), "vonage");
    update(&mut app, Action::Click { column: 1, row: 0 });
    assert_eq!(app.current().platform.id(), "zoom");
    update(
        &mut app,
        Action::Click {
            column: 5,
            row: line_of("password"),
        },
    );
    assert_eq!(app.current().current_row(), Row::Field(Field::Password));
    update(
        &mut app,
        Action::Click {
            column: 60,
            row: line_of("demo-credentials"),
        },
    );
    assert_eq!(app.pane, Pane::Findings);
    update(
        &mut app,
        Action::Click {
            column: 60,
            row: line_of("\"tpc\""),
        },
    );
    assert_eq!(app.pane, Pane::Claims);
}

#[test]
fn secrets_are_masked_until_revealed() {
    let mut app = app();
    let secret = tokenbench::platform::ALL[0]
        .demo_credentials()
        .secret
        .expose_text();
    let masked = screen(&app, 120, 40);
    assert!(!masked.contains(&secret[..12]));
    assert!(masked.contains("•••••••• demo"));
    update(&mut app, Action::ToggleReveal);
    assert!(screen(&app, 120, 40).contains(&secret[..12]));
}

#[test]
fn help_and_footer_come_from_the_key_table() {
    let mut app = app();
    let footer = screen(&app, 120, 40);
    for binding in tokenbench::tui::keymap::KEYS {
        if let (Some(hint), tokenbench::tui::keymap::Context::Global) =
            (binding.hint, binding.context)
        {
            assert!(
                footer.contains(&format!("{} {hint}", binding.label)),
                "{hint}"
            );
        }
    }
    update(&mut app, Action::ToggleHelp);
    let help = screen(&app, 120, 110);
    for binding in tokenbench::tui::keymap::KEYS {
        assert!(
            help.contains(binding.description),
            "{}",
            binding.description
        );
    }
}

// ---- the local auth endpoint ----

const URL: &str = "http://127.0.0.1:8787";

/// The app serving (as the edge reports it) at [`URL`], no request yet.
fn serving() -> App {
    let mut app = app();
    update(&mut app, Action::ToggleServe);
    update(&mut app, Action::ServeStarted(Ok(URL.into())));
    app
}

/// A record as the endpoint logs it: `seconds` after [`start`], the token valid for `ttl`.
fn record(
    seconds: i64,
    method: &str,
    route: &str,
    client_id: Option<&str>,
    status: u16,
    ttl: Option<i64>,
) -> RequestRecord {
    let at = start() + TimeDelta::seconds(seconds);
    RequestRecord {
        at,
        method: method.into(),
        route: route.into(),
        platform: None,
        client_id: client_id.map(Into::into),
        status,
        token: ttl.map(|_| format!("token-{seconds}")),
        expires_at: ttl.map(|ttl| at + TimeDelta::seconds(ttl)),
        error: None,
    }
}

/// Four requests, oldest first: a zoom signature, a Relaybox token that has expired by
/// [`start`] + 30 s, a Vonage refusal and a Relaybox token.
fn requests() -> Vec<RequestRecord> {
    let mut refused = record(20, "POST", "/vonage/token", None, 400, None);
    refused.error = Some("role: 'boss' is not a role of vonage".into());
    vec![
        record(5, "POST", "/zoom", Some("alice"), 200, Some(7200)),
        record(
            8,
            "GET",
            "/relaybox/auth",
            Some("short-lived"),
            200,
            Some(10),
        ),
        refused,
        record(
            25,
            "GET",
            "/relaybox/auth",
            Some("e2e-browser"),
            200,
            Some(900),
        ),
    ]
}

#[test]
fn s_starts_the_endpoint_with_every_forms_values_and_stops_it() {
    let mut app = app();
    update(&mut app, Action::NextField);
    run(&mut app, [Action::Activate, Action::ClearToStart]);
    run(&mut app, typing("standup"));
    update(&mut app, Action::EndEdit);
    update(&mut app, Action::NextPlatform);
    run(&mut app, [Action::Right, Action::Right]); // vonage moderator
    assert!(!app.requests_shown(), "no pane before the endpoint ran");
    let effects = update(&mut app, Action::ToggleServe);
    let [Effect::StartServe { config, port }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(*port, serve::DEFAULT_PORT);
    assert_eq!(config.zoom.form.topic, "standup");
    assert_eq!(config.vonage.form.role, "moderator");
    assert_eq!(config.relaybox.form, app.platforms[3].form);
    assert_eq!(config.zoom.credentials.key, app.platforms[0].key);
    assert_eq!(
        config.clock.now(),
        start(),
        "the endpoint mints on the app's clock"
    );
    assert_eq!(app.endpoint, Endpoint::Starting);
    assert!(
        update(&mut app, Action::ToggleServe).is_empty(),
        "s again while starting does nothing"
    );
    update(&mut app, Action::ServeStarted(Ok(URL.into())));
    assert_eq!(app.endpoint, Endpoint::Serving { url: URL.into() });
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "serving on http://127.0.0.1:8787: POST /zoom, GET /relaybox/auth, POST /vonage/token, POST /opentok/token"
    );
    assert!(app.requests_shown());
    let effects = update(&mut app, Action::ToggleServe);
    assert!(
        matches!(effects.as_slice(), [Effect::StopServe]),
        "{effects:?}"
    );
    update(&mut app, Action::ServeStopped);
    assert_eq!(app.endpoint, Endpoint::Stopped);
    assert_eq!(app.status.as_ref().unwrap().text, "endpoint stopped");
    assert!(!app.requests_shown(), "nothing was asked: the pane goes");
}

#[test]
fn a_start_that_fails_says_why_in_one_sentence() {
    let mut app = app();
    update(&mut app, Action::ToggleServe);
    update(
        &mut app,
        Action::ServeStarted(Err(
            "cannot listen on 127.0.0.1:8787: Address in use (os error 98)".into(),
        )),
    );
    assert_eq!(app.endpoint, Endpoint::Stopped);
    let status = app.status.clone().unwrap();
    assert!(status.error);
    assert_eq!(
        status.text,
        "the endpoint did not start: cannot listen on 127.0.0.1:8787: Address in use (os error 98)"
    );
    // A form that does not parse does not even try.
    type_into(&mut app, Row::Field(Field::Expiry), "soon");
    assert!(update(&mut app, Action::ToggleServe).is_empty());
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .starts_with("the endpoint did not start: fix the zoom expiry"),
        "{:?}",
        app.status
    );
}

#[test]
fn editing_a_field_while_serving_reconfigures_the_endpoint() {
    let mut app = app();
    focus(&mut app, Row::Field(Field::Topic));
    update(&mut app, Action::Activate);
    assert!(
        update(&mut app, Action::Insert('x')).is_empty(),
        "not serving: nothing to tell"
    );
    update(&mut app, Action::EndEdit);
    update(&mut app, Action::ToggleServe);
    update(&mut app, Action::ServeStarted(Ok(URL.into())));
    update(&mut app, Action::Activate);
    let effects = update(&mut app, Action::Insert('y'));
    let [Effect::ReconfigureServe(config)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(config.zoom.form.topic, "teammeetingxy");
    update(&mut app, Action::EndEdit);
    // A choice, a room toggle: each is an input; switching tabs and moving the cursor are not.
    update(&mut app, Action::PreviousField);
    let effects = update(&mut app, Action::Right);
    assert!(
        matches!(effects.as_slice(), [Effect::ReconfigureServe(c)] if c.zoom.form.role == "participant")
    );
    assert!(update(&mut app, Action::NextPlatform).is_empty());
    assert!(update(&mut app, Action::NextField).is_empty());
    // The endpoint refused the new forms: it keeps the old ones, and says so.
    update(
        &mut app,
        Action::ServeReconfigured(Err("vonage: the role 'x' is unknown".into())),
    );
    let status = app.status.clone().unwrap();
    assert!(status.error);
    assert_eq!(
        status.text,
        "the endpoint keeps its settings: vonage: the role 'x' is unknown"
    );
    // An input that does not parse is not sent at all.
    update(&mut app, Action::PreviousPlatform);
    focus(&mut app, Row::Field(Field::Expiry));
    update(&mut app, Action::Activate);
    assert!(update(&mut app, Action::Insert('z')).is_empty());
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .starts_with("the endpoint keeps its settings: fix the zoom expiry"),
        "{:?}",
        app.status
    );
}

#[test]
fn the_clock_keys_move_the_endpoints_clock_while_serving() {
    let mut app = app();
    assert!(
        update(&mut app, Action::ClockJump(60)).is_empty(),
        "not serving"
    );
    let mut app = serving();
    let effects = update(&mut app, Action::ClockJump(600));
    let [Effect::SetServeClock(clock)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(clock.now(), start() + TimeDelta::seconds(600));
    let effects = update(&mut app, Action::ClockPause);
    let [Effect::SetServeClock(clock)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert!(clock.is_paused());
}

#[test]
fn requests_are_listed_newest_first_and_kept_to_a_bound() {
    let mut app = serving();
    update(&mut app, Action::ServeRequests(requests()));
    let routes: Vec<&str> = app.requests.iter().map(|r| r.route.as_str()).collect();
    assert_eq!(
        routes,
        ["/relaybox/auth", "/vonage/token", "/relaybox/auth", "/zoom"]
    );
    assert!(app.status.is_some(), "a drain does not clear the status");
    // With the pane focused, the selected request stays selected as new ones arrive.
    update(&mut app, Action::FocusRequests);
    run(&mut app, [Action::SelectDown, Action::SelectDown]);
    assert_eq!(app.requests[app.selected_request].route, "/relaybox/auth");
    update(
        &mut app,
        Action::ServeRequests(vec![record(
            40,
            "POST",
            "/opentok/token",
            None,
            200,
            Some(60),
        )]),
    );
    assert_eq!(app.requests[0].route, "/opentok/token");
    assert_eq!(app.selected_request, 3);
    let many: Vec<RequestRecord> = (0..REQUESTS_KEPT as i64 + 50)
        .map(|n| record(100 + n, "GET", "/healthz", None, 200, None))
        .collect();
    update(&mut app, Action::ServeRequests(many));
    assert_eq!(app.requests.len(), REQUESTS_KEPT);
    assert_eq!(
        app.requests[0].at,
        start() + TimeDelta::seconds(100 + REQUESTS_KEPT as i64 + 49)
    );
    assert_eq!(app.selected_request, REQUESTS_KEPT - 1);
}

#[test]
fn enter_on_a_request_inspects_its_token_like_a_paste() {
    // A real Relaybox token, minted by the app's own form with a client id.
    let mut minter = app();
    update(&mut minter, Action::PreviousPlatform);
    focus(&mut minter, Row::Field(Field::ClientId));
    run(&mut minter, [Action::Activate, Action::ClearToStart]);
    run(&mut minter, typing("alice"));
    let mut served = record(5, "GET", "/relaybox/auth", Some("alice"), 200, Some(900));
    served.token = Some(token(&minter));
    let mut refused = record(9, "GET", "/relaybox/auth", None, 400, None);
    refused.error = Some("clientId: must not be empty".into());

    let mut app = serving();
    update(
        &mut app,
        Action::ServeRequests(vec![served.clone(), refused]),
    );
    update(&mut app, Action::FocusRequests);
    assert_eq!(app.pane, Pane::Requests);
    update(&mut app, Action::InspectRequest);
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "GET /relaybox/auth got no token (400): clientId: must not be empty"
    );
    update(&mut app, Action::SelectDown);
    update(&mut app, Action::InspectRequest);
    assert_eq!(app.current().platform.id(), "relaybox");
    assert_eq!(app.current().form.client_id, "alice");
    let view = app.shown.as_ref().unwrap();
    assert_eq!(view.origin, Origin::Inspected { known: true });
    assert_eq!(Some(&view.report.token), served.token.as_ref());
    assert_eq!(view.report.signature, Signature::Valid);
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .starts_with("inspected a relaybox token")
    );
}

#[test]
fn s_and_the_requests_pane_through_the_key_table() {
    let mut app = app();
    let key = |c| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    let enter = Event::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(to_action(&app, key('s')), Some(Action::ToggleServe));
    assert_eq!(to_action(&app, key('R')), Some(Action::FocusRequests));
    update(&mut app, Action::FocusRequests);
    assert_eq!(app.pane, Pane::Form, "no requests pane yet");
    let cycle = |app: &mut App| {
        let mut panes = Vec::new();
        for _ in 0..5 {
            update(app, Action::NextPane);
            panes.push(app.pane);
        }
        panes
    };
    use Pane::*;
    assert_eq!(cycle(&mut app), [Token, Claims, Findings, Form, Token]);
    update(&mut app, Action::Back);
    update(&mut app, Action::ToggleServe);
    update(&mut app, Action::ServeStarted(Ok(URL.into())));
    update(&mut app, Action::Back);
    assert_eq!(cycle(&mut app), [Token, Claims, Findings, Requests, Form]);
    update(&mut app, Action::FocusRequests);
    assert_eq!(to_action(&app, enter.clone()), Some(Action::InspectRequest));
    update(&mut app, Action::Back);
    update(&mut app, Action::NextField);
    update(&mut app, Action::Activate);
    assert_eq!(
        to_action(&app, key('s')),
        Some(Action::Insert('s')),
        "typed while editing"
    );
}

#[test]
fn clicks_on_the_requests_pane_select_a_request() {
    let mut app = serving();
    update(&mut app, Action::ServeRequests(requests()));
    update(
        &mut app,
        Action::Resize {
            width: 120,
            height: 40,
        },
    );
    let screen = screen(&app, 120, 40);
    let row = screen
        .lines()
        .position(|l| l.contains("short-lived"))
        .unwrap() as u16;
    update(&mut app, Action::Click { column: 80, row });
    assert_eq!(app.pane, Pane::Requests);
    assert_eq!(
        app.requests[app.selected_request].client_id.as_deref(),
        Some("short-lived")
    );
}

/// Events from a script; when it runs out the loop sees timeouts (ticks).
struct Script(VecDeque<Event>);

impl EventSource for Script {
    fn next(&mut self, _: Duration) -> io::Result<Option<Event>> {
        Ok(self.0.pop_front())
    }
}

#[test]
fn the_real_loop_runs_on_a_test_backend_and_copies_through_its_sinks() {
    let mut app = app();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let key = |c| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    let special = |code| Event::Key(KeyEvent::new(code, KeyModifiers::NONE));
    let mut events = Script(VecDeque::from([
        special(KeyCode::Down),
        special(KeyCode::Enter),
        key('2'),
        special(KeyCode::Enter),
        key('c'),
        Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 10,
            row: 0,
            modifiers: KeyModifiers::NONE,
        }),
        Event::Resize(30, 10),
        key('q'),
    ]));
    let mut memory = MemoryClipboard::default();
    let mut edge = Edge::new(vec![&mut memory]);
    run_loop(&mut terminal, &mut app, &mut events, &mut edge).unwrap();
    drop(edge);
    assert!(app.quit);
    assert_eq!(memory.copied.len(), 1);
    let copied = tokenbench::token::inspect(&memory.copied[0]).unwrap();
    assert_eq!(copied.claim_str("tpc").as_deref(), Some("teammeeting2"));
    assert_eq!(app.current().platform.id(), "vonage");
    assert_eq!(app.size, (30, 10));
}

/// A scripted session for the real loop: events, and pauses until the loop's next tick.
enum Step {
    Event(Event),
    Tick,
}

struct Session(VecDeque<Step>);

impl EventSource for Session {
    fn next(&mut self, timeout: Duration) -> io::Result<Option<Event>> {
        match self.0.pop_front() {
            Some(Step::Event(event)) => Ok(Some(event)),
            Some(Step::Tick) => {
                std::thread::sleep(timeout);
                Ok(None)
            }
            None => Ok(None),
        }
    }
}

fn press(code: KeyCode) -> Step {
    Step::Event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn address(url: &str) -> SocketAddr {
    url.trim_start_matches("http://")
        .parse()
        .unwrap_or_else(|e| panic!("{url}: {e}"))
}

#[test]
fn the_real_loop_serves_on_loopback_lists_a_request_and_inspects_its_token() {
    let mut config = AppConfig::demo(Clock::manual(start()));
    config.serve_port = 0;
    let mut app = App::new(config);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    // The edge outlives a run of the loop: q ends the first run, the endpoint keeps listening.
    let mut edge = Edge::new(Vec::new());
    let mut first = Session(VecDeque::from([
        press(KeyCode::Char('s')),
        press(KeyCode::Char('q')),
    ]));
    run_loop(&mut terminal, &mut app, &mut first, &mut edge).unwrap();
    let Endpoint::Serving { url } = app.endpoint.clone() else {
        panic!("not serving: {:?}", app.status)
    };
    let addr = address(&url);
    assert!(addr.ip().is_loopback() && addr.port() != 0, "{addr}");
    let reply = http::request(addr, http::Call::get("/relaybox/auth?clientId=loop-test"));
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );

    // Back in the loop: a tick brings the request in; R, Enter inspects it; s stops serving.
    app.quit = false;
    let mut second = Session(VecDeque::from([
        Step::Tick,
        press(KeyCode::Char('R')),
        press(KeyCode::Enter),
        press(KeyCode::Char('s')),
        press(KeyCode::Char('q')),
    ]));
    run_loop(&mut terminal, &mut app, &mut second, &mut edge).unwrap();
    assert_eq!(app.endpoint, Endpoint::Stopped);
    let [record] = app.requests.as_slice() else {
        panic!("{:?}", app.requests)
    };
    assert_eq!(
        (
            record.route.as_str(),
            record.client_id.as_deref(),
            record.status
        ),
        ("/relaybox/auth", Some("loop-test"), 200)
    );
    let screen = terminal.backend().to_string();
    assert!(
        screen.contains("Requests · endpoint stopped · 1"),
        "{screen}"
    );
    assert!(
        screen.contains("GET /relaybox/auth  loop-test  200  in 15m"),
        "{screen}"
    );
    // The token the endpoint returned is the one inspected, and it filled the Relaybox form.
    let view = app.shown.as_ref().unwrap();
    assert_eq!(Some(&view.report.token), record.token.as_ref());
    assert_eq!(view.origin, Origin::Inspected { known: true });
    assert_eq!(view.report.signature, Signature::Valid);
    assert_eq!(app.current().platform.id(), "relaybox");
    assert_eq!(app.current().form.client_id, "loop-test");
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "the endpoint stopped listening"
    );
}

#[test]
fn the_edge_reconfigures_the_endpoint_and_moves_its_clock() {
    let app = app();
    let config = app.serve_config().unwrap();
    let mut edge = Edge::new(Vec::new());
    let started = edge.run(Effect::StartServe {
        config: config.clone(),
        port: 0,
    });
    let Some(Action::ServeStarted(Ok(url))) = started else {
        panic!("{started:?}")
    };
    let addr = address(&url);
    assert!(edge.poll().is_none(), "nothing asked yet");
    // A form that cannot mint is refused; the endpoint keeps the forms it has.
    let mut broken = config.clone();
    broken.opentok.form.role = "boss".into();
    let Some(Action::ServeReconfigured(Err(error))) = edge.run(Effect::ReconfigureServe(broken))
    else {
        panic!("a broken form is refused")
    };
    assert!(
        error.starts_with("opentok: 'boss' is not a role"),
        "{error}"
    );
    let later = start() + TimeDelta::minutes(10);
    assert!(
        edge.run(Effect::SetServeClock(Clock::manual(later)))
            .is_none()
    );
    let reply = http::request(addr, http::Call::get("/relaybox/auth?clientId=clocked"));
    assert_eq!(reply.status, 200);
    let Some(Action::ServeRequests(records)) = edge.poll() else {
        panic!("the request is drained")
    };
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].at, later, "minted on the clock it was given");
    assert_eq!(records[0].expires_at, Some(later + TimeDelta::seconds(900)));
    assert!(matches!(
        edge.run(Effect::StopServe),
        Some(Action::ServeStopped)
    ));
    assert!(edge.poll().is_none());
    assert!(std::net::TcpStream::connect(addr).is_err());
}

// ---- rendering ----

fn snapshot(name: &str, app: &App) {
    for (width, height) in [(80, 24), (120, 40)] {
        insta::assert_snapshot!(
            format!("{name}_{width}x{height}"),
            render(app, width, height).backend()
        );
    }
}

#[test]
fn snapshots_of_each_platform() {
    let mut app = app();
    for id in ["zoom", "vonage", "opentok", "relaybox"] {
        assert_eq!(app.current().platform.id(), id);
        snapshot(id, &app);
        update(&mut app, Action::NextPlatform);
    }
}

#[test]
fn snapshot_of_relaybox_on_a_room() {
    let mut app = app();
    update(&mut app, Action::PreviousPlatform);
    focus(&mut app, Row::Room(0));
    snapshot("relaybox_room", &app);
}

#[test]
fn snapshot_of_help() {
    let mut app = app();
    update(&mut app, Action::ToggleHelp);
    snapshot("help", &app);
}

#[test]
fn snapshot_of_inspect() {
    let mut app = app();
    update(&mut app, Action::OpenInspect);
    run(
        &mut app,
        [Action::Paste("eyJhbGciOi".into()), Action::SubmitInspect],
    );
    snapshot("inspect_box", &app);
    let zoom = token(&app);
    let mut app = self::app();
    update(&mut app, Action::NextPlatform);
    update(&mut app, Action::Paste(zoom));
    snapshot("inspected_zoom", &app);
}

/// Serving, 30 s after the start, with [`requests`] listed and the pane focused on the second.
fn serving_with_requests() -> App {
    let mut app = serving();
    app.clock.advance_source(TimeDelta::seconds(30));
    update(&mut app, Action::Tick);
    update(&mut app, Action::ServeRequests(requests()));
    run(&mut app, [Action::FocusRequests, Action::SelectDown]);
    app
}

#[test]
fn snapshot_of_the_requests_pane() {
    snapshot("serving_no_requests", &serving());
    let mut app = serving_with_requests();
    snapshot("serving_requests", &app);
    run(&mut app, [Action::ToggleServe, Action::ServeStopped]);
    snapshot("stopped_requests", &app);
}

#[test]
fn request_statuses_are_coloured() {
    let app = serving_with_requests();
    let terminal = render(&app, 120, 40);
    let buffer = terminal.backend().buffer();
    let theme = ui::theme::Theme::of(&app);
    // The colour of the first cell of `needle` on screen.
    let colour_of = |needle: &str| {
        (0..buffer.area.height)
            .find_map(|y| {
                let row: String = (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect();
                row.find(needle)
                    .map(|at| buffer[(row[..at].chars().count() as u16, y)].fg)
            })
            .unwrap()
    };
    assert_eq!(colour_of("200  in 14m"), theme.ok.fg.unwrap());
    assert_eq!(colour_of("400  role"), theme.error.fg.unwrap());
}

#[test]
fn snapshot_of_an_expired_token() {
    let mut app = app();
    app.clock.advance_source(TimeDelta::seconds(2 * 3600 + 12));
    update(&mut app, Action::Tick);
    snapshot("expired", &app);
}

#[test]
fn the_expired_countdown_is_drawn_in_the_error_colour() {
    let mut app = app();
    app.clock.advance_source(TimeDelta::seconds(2 * 3600 + 12));
    update(&mut app, Action::Tick);
    let terminal = render(&app, 120, 40);
    let buffer = terminal.backend().buffer();
    let theme = ui::theme::Theme::of(&app);
    let (x, y) = (0..buffer.area.height)
        .find_map(|y| {
            let row: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect();
            row.find("expired 12s")
                .map(|at| (row[..at].chars().count() as u16, y))
        })
        .unwrap();
    let gauge_cell = (x, y);
    assert_eq!(buffer[gauge_cell].fg, theme.gauge_expired.fg.unwrap());
}

#[test]
fn no_color_draws_without_colours() {
    let mut config = AppConfig::demo(Clock::manual(start()));
    config.no_color = true;
    let app = App::new(config);
    let terminal = render(&app, 120, 40);
    for cell in terminal.backend().buffer().content() {
        assert_eq!(cell.fg, ratatui::style::Color::Reset);
        assert_eq!(cell.bg, ratatui::style::Color::Reset);
    }
}

#[test]
fn drawing_never_panics_at_any_size_from_1x1_to_200x60() {
    let mut apps: Vec<App> = Vec::new();
    for setup in 0..8 {
        let mut app = app();
        match setup {
            1 => run(&mut app, [Action::NextPlatform]),
            2 => {
                update(&mut app, Action::PreviousPlatform);
                focus(&mut app, Row::Room(0));
                Vec::new()
            }
            3 => run(&mut app, [Action::ToggleHelp]),
            4 => run(
                &mut app,
                [
                    Action::OpenInspect,
                    Action::Paste("x".repeat(500)),
                    Action::SubmitInspect,
                ],
            ),
            5 => run(
                &mut app,
                [
                    Action::NextField,
                    Action::Activate,
                    Action::Insert('é'),
                    Action::FocusFindings,
                ],
            ),
            6 => run(
                &mut app,
                [
                    Action::PreviousPlatform,
                    Action::ToggleLab,
                    Action::ClockToExpiry,
                    Action::NextField,
                    Action::Activate,
                    Action::Insert('9'),
                ],
            ),
            7 => {
                app = serving_with_requests();
                Vec::new()
            }
            _ => Vec::new(),
        };
        apps.push(app);
    }
    let mut terminal = Terminal::new(TestBackend::new(1, 1)).unwrap();
    for width in 1..=200u16 {
        for height in 1..=60u16 {
            let count = apps.len();
            let app = &mut apps[usize::from(width + height) % count];
            update(app, Action::Resize { width, height });
            terminal.backend_mut().resize(width, height);
            terminal
                .resize(ratatui::layout::Rect::new(0, 0, width, height))
                .unwrap();
            terminal.draw(|frame| ui::draw(app, frame)).unwrap();
            // Clicks anywhere resolve against the same layout.
            for (column, row) in [(0, 0), (width / 2, height / 2), (width - 1, height - 1)] {
                ui::hit_test(app, column, row);
            }
        }
    }
}

#[test]
fn t_switches_to_the_light_theme() {
    let mut app = app();
    let dark = render(&app, 80, 24).backend().buffer().clone();
    update(&mut app, Action::ToggleTheme);
    let light = render(&app, 80, 24).backend().buffer().clone();
    assert_eq!(dark.content().len(), light.content().len());
    let differs = dark
        .content()
        .iter()
        .zip(light.content())
        .any(|(d, l)| d.fg != l.fg || d.bg != l.bg);
    assert!(differs, "the light theme has its own colours");
    update(&mut app, Action::ToggleTheme);
    assert_eq!(render(&app, 80, 24).backend().buffer(), &dark);
}

#[test]
fn without_a_terminal_the_workbench_says_what_to_use_instead() {
    let assert = assert_cmd::Command::cargo_bin("tokenbench")
        .unwrap()
        .arg("tui")
        .write_stdin("")
        .assert();
    assert
        .code(2)
        .stderr(predicates::str::contains("the workbench needs a terminal"));
}

// ---- the lifetime lab and the virtual clock ----

fn rules(app: &App) -> Vec<&'static str> {
    app.shown
        .as_ref()
        .expect("a token is shown")
        .report
        .findings
        .iter()
        .map(|f| f.rule)
        .collect()
}

#[test]
fn the_virtual_clock_pauses_runs_faster_and_jumps() {
    let mut app = app();
    run(&mut app, [Action::ClockFaster, Action::ClockFaster]);
    assert_eq!(app.clock.speed(), 60);
    app.clock.advance_source(TimeDelta::seconds(2));
    update(&mut app, Action::Tick);
    assert_eq!(app.now, start() + TimeDelta::seconds(120));
    update(&mut app, Action::ClockPause);
    app.clock.advance_source(TimeDelta::seconds(5));
    update(&mut app, Action::Tick);
    assert_eq!(app.now, start() + TimeDelta::seconds(120), "paused");
    run(
        &mut app,
        [
            Action::ClockPause,
            Action::ClockJump(60),
            Action::ClockJump(600),
            Action::ClockJump(3600),
        ],
    );
    assert_eq!(app.now, start() + TimeDelta::seconds(120 + 4260));
    update(&mut app, Action::ClockToExpiry);
    assert_eq!(
        app.now,
        start() + TimeDelta::seconds(7200 - 10),
        "10 s before the 2 h expiry"
    );
    run(&mut app, [Action::ClockSlower, Action::ClockReset]);
    assert_eq!((app.clock.speed(), app.clock.is_virtual()), (1, false));
    assert_eq!(app.now, start() + TimeDelta::seconds(7));
}

#[test]
fn findings_follow_the_clock_and_the_token_stays_the_same() {
    let mut app = app();
    let minted = token(&app);
    assert!(!rules(&app).contains(&"jwt.expired"));
    update(&mut app, Action::ClockToExpiry);
    assert!(!rules(&app).contains(&"jwt.expired"), "10 s left");
    update(&mut app, Action::ClockJump(10));
    assert!(rules(&app).contains(&"jwt.expired"), "at exp");
    assert_eq!(token(&app), minted, "the clock never re-mints");
    assert!(screen(&app, 120, 40).contains("expired"));
    update(&mut app, Action::ClockReset);
    assert!(!rules(&app).contains(&"jwt.expired"));
    assert_eq!(token(&app), minted);
}

#[test]
fn an_inspected_token_expires_on_the_virtual_clock_too() {
    let mut app = app();
    let minted = token(&app);
    run(
        &mut app,
        [
            Action::OpenInspect,
            Action::Paste(minted.clone()),
            Action::SubmitInspect,
        ],
    );
    assert_eq!(
        app.shown.as_ref().unwrap().origin,
        Origin::Inspected { known: true }
    );
    update(&mut app, Action::ClockJump(7200));
    assert!(rules(&app).contains(&"jwt.expired"));
    assert_eq!(
        app.shown.as_ref().unwrap().origin,
        Origin::Inspected { known: true }
    );
}

#[test]
fn the_lab_edits_its_scenario_like_a_form_and_never_remints() {
    use tokenbench::lifetime::Model;
    use tokenbench::tui::keymap::Context;
    use tokenbench::tui::lab::LabField;
    let mut app = app();
    let minted = token(&app);
    update(&mut app, Action::ToggleLab);
    assert!(app.lab.open);
    assert_eq!(app.contexts()[0], Context::Lab);
    run(
        &mut app,
        [Action::NextField, Action::NextField, Action::Activate],
    );
    assert!(matches!(app.mode, Mode::Editing(_)));
    run(&mut app, typing("14m"));
    update(&mut app, Action::EndEdit);
    assert_eq!(app.lab.text(LabField::DropAt), "14m");
    assert_eq!(token(&app), minted);
    run(
        &mut app,
        [Action::PreviousField, Action::PreviousField, Action::Right],
    );
    assert_eq!(
        app.lab.model(Some("zoom")),
        Some(Model::Vonage),
        "the model after zoom"
    );
    assert!(screen(&app, 120, 40).contains("Timeline · vonage"));
    update(&mut app, Action::Back);
    assert!(!app.lab.open);
    assert_eq!(
        app.current().form.topic,
        "teammeeting",
        "the form was not touched"
    );
}

#[test]
fn the_lab_says_what_happens_now_to_joining_and_connected_clients() {
    let mut app = app();
    update(&mut app, Action::ToggleLab);
    let before = screen(&app, 120, 40);
    assert!(before.contains("A client joining now"), "{before}");
    update(&mut app, Action::ClockJump(7200));
    let after = screen(&app, 120, 40);
    assert!(after.contains("error 200"), "{after}");
    assert!(after.contains("A client already connected"));
}

#[test]
fn snapshot_of_the_lab_in_mid_demo() {
    let mut app = app();
    run(
        &mut app,
        [
            Action::PreviousPlatform,
            Action::ToggleLab,
            Action::NextField,
            Action::NextField,
            Action::Activate,
        ],
    );
    run(&mut app, typing("16m"));
    run(
        &mut app,
        [
            Action::EndEdit,
            Action::NextField,
            Action::NextField,
            Action::NextField,
            Action::Activate,
        ],
    );
    run(&mut app, typing("870s"));
    run(
        &mut app,
        [Action::EndEdit, Action::NextField, Action::Activate],
    );
    run(&mut app, typing("905s"));
    run(
        &mut app,
        [
            Action::EndEdit,
            Action::ClockFaster,
            Action::ClockFaster,
            Action::ClockJump(895),
        ],
    );
    snapshot("lab_relaybox_refresh_fails_then_recovers", &app);
}

/// The key table as the README shows it, generated from the bindings.
fn key_table_markdown() -> String {
    use tokenbench::tui::keymap::{Context, KEYS};
    let mut out = String::from("| where | keys | does |\n|---|---|---|\n");
    for context in Context::ALL {
        for binding in KEYS.iter().filter(|b| b.context == context) {
            out.push_str(&format!(
                "| {} | `{}` | {} |\n",
                context.title(),
                binding.label,
                binding.description
            ));
        }
    }
    out
}

#[test]
fn the_documented_key_table_is_the_key_table() {
    let table = key_table_markdown();
    let documented = ["README.md", "docs/workbench.md"]
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .any(|text| text.contains(&table));
    assert!(
        documented,
        "README.md or docs/workbench.md should hold the key table:\n{table}"
    );
}

#[test]
fn u_switches_the_dates_between_utc_and_local_time() {
    let mut app = app();
    assert!(screen(&app, 120, 40).contains("(times in UTC)"));
    update(&mut app, Action::ToggleLocalTime);
    assert!(app.local_time);
    let local = screen(&app, 120, 40);
    assert!(local.contains("(times in local)"), "{local}");
    assert!(!local.contains(" UTC, "), "no claim date is left in UTC");
    update(&mut app, Action::ToggleLocalTime);
    assert!(screen(&app, 120, 40).contains("(times in UTC)"));
}
