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
use tokenbench::platform::FieldValue;
use tokenbench::serve::{self, RequestRecord};
use tokenbench::token::Signature;
use tokenbench::tui::app::{Pane, Popup, Screen, ThemeChoice};
use tokenbench::tui::clipboard::MemoryClipboard;
use tokenbench::tui::event::{EventSource, to_action};
use tokenbench::tui::form::Row;
use tokenbench::tui::layout::{self, Hits, Target};
use tokenbench::tui::requests::{EndpointState, REQUESTS_KEPT};
use tokenbench::tui::token::Origin;
use tokenbench::tui::{
    Action, App, AppConfig, CopyReport, CopyWhat, Edge, Effect, run_loop, until_next_tick, update,
    update_batch,
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

/// The first row of the current tab whose field id is `id`.
fn row_of(app: &App, id: &str) -> Row {
    let tab = app.tab();
    tab.rows()
        .into_iter()
        .find(|row| tab.row_id(*row) == id)
        .unwrap_or_else(|| panic!("{} has no row {id}", tab.platform.id()))
}

fn focus_row(app: &mut App, row: Row) {
    update(app, Action::Back);
    while app.tab().current_row() != row {
        update(app, Action::NextField);
    }
}

fn focus(app: &mut App, id: &str) {
    let row = row_of(app, id);
    focus_row(app, row);
}

/// Focuses field `id`, edits it (Enter, cleared), types `text` and finishes.
fn type_into(app: &mut App, id: &str, text: &str) {
    focus(app, id);
    run(app, [Action::Activate, Action::ClearToStart]);
    run(app, typing(text));
    update(app, Action::EndEdit);
}

fn switch_to(app: &mut App, id: &str) {
    while app.tab().platform.id() != id {
        update(app, Action::NextPlatform);
    }
}

fn render(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| drop(layout::draw(app, frame)))
        .unwrap();
    terminal
}

fn screen(app: &App, width: u16, height: u16) -> String {
    render(app, width, height).backend().to_string()
}

/// What the last frame at `width` × `height` drew where.
fn hits(app: &App, width: u16, height: u16) -> Hits {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut hits = Hits::default();
    terminal
        .draw(|frame| hits = layout::draw(app, frame))
        .unwrap();
    hits
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ch(c: char) -> Event {
    key(KeyCode::Char(c))
}

fn ctrl(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

// ---- state ----

#[test]
fn opens_on_the_first_platform_with_focus_on_the_first_field_and_a_valid_token() {
    let app = app();
    assert_eq!(app.tab().platform.id(), "zoom");
    assert_eq!(app.pane, Pane::Form);
    assert_eq!(app.tab().current_row(), row_of(&app, "role"));
    let view = app.shown.as_ref().unwrap();
    assert_eq!(view.report.signature, Signature::Valid);
    assert_eq!(claims(&app)["tpc"], "teammeeting");
}

#[test]
fn each_platform_shows_its_fields_in_its_order_then_its_credentials() {
    let mut app = app();
    let mut orders = Vec::new();
    for _ in 0..app.tabs.len() {
        let tab = app.tab();
        let ids: Vec<&str> = tab.rows().iter().map(|r| tab.row_id(*r)).collect();
        orders.push((tab.platform.id(), ids));
        update(&mut app, Action::NextPlatform);
    }
    let of = |id: &str| orders.iter().find(|(p, _)| *p == id).unwrap().1.clone();
    assert_eq!(
        of("zoom"),
        [
            "role",
            "topic",
            "password",
            "expiry",
            "client-id",
            "claims",
            "key",
            "secret"
        ]
    );
    assert_eq!(
        of("vonage"),
        ["role", "topic", "expiry", "data", "claims", "key", "secret"]
    );
    assert_eq!(
        of("opentok"),
        [
            "role", "topic", "expiry", "data", "claims", "format", "key", "secret"
        ]
    );
    assert_eq!(
        of("relaybox"),
        [
            "expiry",
            "permissions",
            "client-id",
            "claims",
            "key",
            "secret"
        ],
        "no room until one is added: the API key's own permissions apply"
    );
    assert_eq!(
        of("twilio"),
        [
            "topic",
            "expiry",
            "grants",
            "grants",
            "grants",
            "grants",
            "grants",
            "client-id",
            "region",
            "claims",
            "key",
            "account",
            "secret"
        ],
        "a row per grant, each out until put in"
    );
    assert_eq!(
        of("ably"),
        [
            "expiry",
            "permissions",
            "client-id",
            "claims",
            "format",
            "key",
            "secret"
        ]
    );
}

#[test]
fn platforms_label_their_fields_their_own_way() {
    let mut app = app();
    assert_eq!(app.tab().label(row_of(&app, "topic")), "session name");
    switch_to(&mut app, "vonage");
    assert_eq!(app.tab().label(row_of(&app, "topic")), "session id");
    assert!(screen(&app, 120, 40).contains("session id"));
}

#[test]
fn editing_a_field_starts_at_the_end_and_remints_on_every_keystroke() {
    let mut app = app();
    update(&mut app, Action::NextField);
    update(&mut app, Action::Activate);
    let input = app.editing.as_ref().expect("Enter edits the topic");
    assert_eq!(input.cursor_chars(), "teammeeting".len());
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
    assert!(app.editing.is_none());
    assert_eq!(app.tab().text(row_of(&app, "topic")), "Teammeeting-x");
    assert_eq!(claims(&app)["tpc"], "Teammeeting-x");
}

#[test]
fn typing_on_a_focused_field_edits_it_and_runs_no_command() {
    let mut app = app();
    update(&mut app, Action::NextField);
    let (theme, platform) = (app.theme, app.tab().platform.id());
    let mut hits = Hits::default();
    for c in "standup".chars() {
        let action = to_action(&app, &hits, ch(c)).expect("a typed key acts");
        assert!(
            matches!(action, Action::TypeToEdit(_) | Action::Insert(_)),
            "{c} → {action:?}"
        );
        assert!(update(&mut app, action).is_empty(), "{c} started nothing");
        hits = Hits::default();
    }
    assert_eq!(
        claims(&app)["tpc"],
        "standup",
        "typed over, as in a spreadsheet"
    );
    assert_eq!((app.theme, app.tab().platform.id()), (theme, platform));
    assert_eq!(app.endpoint.state, EndpointState::Stopped);
    // Every command is reachable while typing, by a key that cannot be typed.
    assert_eq!(
        to_action(&app, &hits, ctrl('n')),
        Some(Action::NextPlatform)
    );
    assert_eq!(to_action(&app, &hits, ctrl('y')), Some(Action::CopyToken));
    assert_eq!(to_action(&app, &hits, ctrl('s')), Some(Action::ToggleServe));
    assert_eq!(
        to_action(&app, &hits, key(KeyCode::Esc)),
        Some(Action::EndEdit)
    );
    update(&mut app, Action::EndEdit);
    // On a choice a letter picks the choice it starts, and nothing else.
    update(&mut app, Action::PreviousField);
    assert_eq!(
        to_action(&app, &hits, ch('p')),
        Some(Action::TypeToEdit('p'))
    );
    update(&mut app, Action::TypeToEdit('p'));
    assert_eq!(claims(&app)["role_type"], 0, "participant");
    // Where nothing is typed, letters are commands.
    update(&mut app, Action::FocusFindings);
    assert_eq!(to_action(&app, &hits, ch('c')), Some(Action::CopyToken));
    assert_eq!(
        to_action(&app, &hits, ch('s')),
        None,
        "no bare letter opens a port"
    );
}

#[test]
fn choices_cycle_with_arrows_and_space() {
    let mut app = app();
    update(&mut app, Action::Right);
    assert_eq!(claims(&app)["role_type"], 0);
    update(&mut app, Action::Left);
    assert_eq!(claims(&app)["role_type"], 1);
    switch_to(&mut app, "opentok");
    focus(&mut app, "format");
    update(&mut app, Action::Right);
    assert!(token(&app).starts_with("T1=="));
}

#[test]
fn each_platform_keeps_its_own_form() {
    let mut app = app();
    type_into(&mut app, "topic", "standup");
    switch_to(&mut app, "vonage");
    run(&mut app, [Action::Right, Action::Right]); // publisher → publisher-only → moderator
    assert_eq!(claims(&app)["role"], "moderator");
    switch_to(&mut app, "zoom");
    assert_eq!(claims(&app)["tpc"], "standup");
    switch_to(&mut app, "vonage");
    assert_eq!(claims(&app)["role"], "moderator");
}

#[test]
fn an_expiry_that_does_not_read_is_shown_on_its_field_and_keeps_the_last_token_marked_stale() {
    let mut app = app();
    let good = token(&app);
    focus(&mut app, "expiry");
    update(&mut app, Action::Activate);
    run(&mut app, typing("soon"));
    assert!(
        app.tab()
            .input_error("expiry")
            .unwrap()
            .contains("not an expiry")
    );
    assert_eq!(token(&app), good, "the last good token stays on screen");
    assert!(app.stale.as_ref().unwrap().starts_with("fix the expiry"));
    let shown = screen(&app, 120, 40);
    assert!(shown.contains("stale"), "{shown}");
    assert!(
        shown.contains("\"tpc\": \"teammeeting\""),
        "the claims stay: {shown}"
    );
    run(&mut app, [Action::ClearToStart]);
    run(&mut app, typing("2026-11-22T11:00:00Z"));
    assert_eq!(claims(&app)["exp"], 1_795_345_200);
    assert!(app.stale.is_none());
    run(&mut app, [Action::ClearToStart]);
    run(&mut app, typing("1h 30m"));
    assert_eq!(claims(&app)["exp"], 1_795_341_600 + 5400);
    assert!(
        screen(&app, 120, 40).contains("→ 2026-11-22 11:30:00 UTC"),
        "the resulting date shows as it is typed"
    );
    run(&mut app, [Action::ClearToStart]);
    run(&mut app, typing("90"));
    assert_eq!(
        claims(&app)["exp"],
        1_795_341_600 + 90,
        "a bare number is seconds"
    );
}

#[test]
fn extra_claims_and_typed_secrets_are_read_like_the_command_line() {
    let mut app = app();
    type_into(&mut app, "claims", "geo_regions=US,DE; version=2");
    assert_eq!(claims(&app)["geo_regions"], "US,DE");
    assert_eq!(claims(&app)["version"], 2);
    type_into(&mut app, "secret", "a-secret-typed-into-the-workbench-0123");
    let view = app.shown.as_ref().unwrap();
    assert_eq!(view.report.signature, Signature::Valid);
    let found = rules(&app);
    assert!(!found.contains(&"demo-credentials"), "{found:?}");
    assert!(
        !found.contains(&"secret.argv"),
        "typed in the form, not on argv: {found:?}"
    );
    // A token of this key pasted back is checked with the typed secret, not the demo one.
    let minted = token(&app);
    update(&mut app, Action::Paste(minted.clone()));
    let view = app.shown.as_ref().unwrap();
    assert_eq!(
        (view.origin, view.report.token.as_str()),
        (Origin::Inspected { known: true }, minted.as_str())
    );
    assert_eq!(view.report.signature, Signature::Valid);
    update(&mut app, Action::Back);
    type_into(&mut app, "secret", "-");
    assert!(
        app.tab()
            .input_error("secret")
            .unwrap()
            .contains("standard input")
    );
    type_into(&mut app, "secret", "");
    assert!(
        app.tab().input_error("secret").unwrap().contains("empty"),
        "an emptied secret is unusable"
    );
}

#[test]
fn an_extra_claim_over_a_built_one_says_so_and_never_contradicts() {
    let mut app = app();
    type_into(&mut app, "claims", "exp=soon; iat=1");
    let found = rules(&app);
    assert!(found.contains(&"form.claim-override"), "{found:?}");
    assert!(found.contains(&"jwt.exp-type"), "{found:?}");
    assert!(
        !found.contains(&"jwt.no-exp"),
        "exp is there, as a string: {found:?}"
    );
    assert!(found.contains(&"jwt.iat-implausible"), "{found:?}");
}

#[test]
fn secret_references_stay_readable_and_secrets_are_masked_until_revealed() {
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
    update(&mut app, Action::ToggleReveal);
    type_into(&mut app, "secret", "env:NOPE_X");
    let shown = screen(&app, 120, 40);
    assert!(
        shown.contains("env:NOPE_X"),
        "a reference is no secret: {shown}"
    );
    assert!(shown.contains("NOPE_X is not set"), "{shown}");
}

#[test]
fn rooms_are_resource_to_operation_toggles_and_a_new_room_starts_empty() {
    let mut app = app();
    switch_to(&mut app, "relaybox");
    let rooms = row_of(&app, "permissions");
    focus_row(&mut app, rooms);
    assert!(matches!(app.tab().current_row(), Row::AddRoom { .. }));
    update(&mut app, Action::Activate);
    assert!(matches!(app.tab().current_row(), Row::Room { room: 0, .. }));
    assert_eq!(
        app.editing.as_ref().unwrap().as_str(),
        "",
        "typed from empty"
    );
    run(&mut app, typing("lobby"));
    update(&mut app, Action::EndEdit);
    assert_eq!(claims(&app)["permissions"]["lobby"], json!(["create"]));
    // The vocabulary: create, join, subscribe, …; the cursor starts on create.
    run(&mut app, [Action::Right, Action::Right, Action::Toggle]);
    assert_eq!(
        claims(&app)["permissions"]["lobby"],
        json!(["create", "subscribe"])
    );
    update(&mut app, Action::RemoveEntry);
    assert!(
        claims(&app).get("permissions").is_none(),
        "none: the key's own apply"
    );
    // A room added and left without a name goes.
    let rooms = row_of(&app, "permissions");
    focus_row(&mut app, rooms);
    run(&mut app, [Action::Activate, Action::EndEdit]);
    assert!(claims(&app).get("permissions").is_none());
}

#[test]
fn grants_are_sub_forms_whose_fields_show_once_the_grant_is_in() {
    let mut app = app();
    switch_to(&mut app, "twilio");
    assert_eq!(claims(&app)["grants"], json!({"identity": "alice"}));
    let voice = row_of(&app, "grants");
    assert_eq!(app.tab().label(voice), "voice grant");
    focus_row(&mut app, voice);
    let rows = app.tab().rows().len();
    update(&mut app, Action::Right);
    assert_eq!(claims(&app)["grants"]["voice"], json!({}));
    assert_eq!(
        app.tab().rows().len(),
        rows + 5,
        "the voice grant's five fields"
    );
    // Its first field is a switch; the second is typed.
    update(&mut app, Action::NextField);
    assert!(matches!(
        app.tab().current_row(),
        Row::SubField { sub: 0, .. }
    ));
    assert_eq!(app.tab().label(app.tab().current_row()), " incoming calls");
    update(&mut app, Action::Right);
    assert_eq!(
        claims(&app)["grants"]["voice"]["incoming"],
        json!({"allow": true})
    );
    update(&mut app, Action::NextField);
    run(&mut app, [Action::Activate]);
    run(&mut app, typing("AP00000000000000000000000000000000"));
    update(&mut app, Action::EndEdit);
    assert_eq!(
        claims(&app)["grants"]["voice"]["outgoing"],
        json!({"application_sid": "AP00000000000000000000000000000000"})
    );
    // ←/→ on a typed field changes nothing.
    update(&mut app, Action::Right);
    assert_eq!(
        claims(&app)["grants"]["voice"]["outgoing"]["application_sid"],
        "AP00000000000000000000000000000000"
    );
    assert!(
        rules(&app).iter().all(|r| !r.starts_with("twilio.")),
        "{:?}",
        rules(&app)
    );
    // The video grant comes from the room.
    type_into(&mut app, "topic", "room1");
    assert_eq!(claims(&app)["grants"]["video"], json!({"room": "room1"}));
    // Taking the grant out takes its fields with it.
    focus_row(&mut app, voice);
    update(&mut app, Action::Left);
    assert!(claims(&app)["grants"].get("voice").is_none());
    assert_eq!(app.tab().rows().len(), rows);
}

#[test]
fn the_ably_capability_is_edited_like_relaybox_permissions_in_either_format() {
    let mut app = app();
    switch_to(&mut app, "ably");
    assert_eq!(claims(&app)["x-ably-capability"], r#"{"*":["*"]}"#);
    let rooms = row_of(&app, "permissions");
    focus_row(&mut app, rooms);
    update(&mut app, Action::Activate);
    run(&mut app, typing("chat:*"));
    update(&mut app, Action::EndEdit);
    // The vocabulary starts with * (all), then the operations in the order ably-js sorts them.
    run(&mut app, [Action::Toggle]);
    let presence = 11;
    for _ in 0..presence {
        update(&mut app, Action::Right);
    }
    update(&mut app, Action::Toggle);
    assert_eq!(
        claims(&app)["x-ably-capability"],
        r#"{"chat:*":["presence"]}"#
    );
    focus(&mut app, "format");
    update(&mut app, Action::Right);
    assert_eq!(
        app.shown.as_ref().unwrap().report.format,
        "ably-token-request"
    );
    assert_eq!(claims(&app)["capability"], r#"{"chat:*":["presence"]}"#);
    assert_eq!(
        app.shown.as_ref().unwrap().report.signature,
        Signature::Valid
    );
    // A TokenRequest pasted as JSON fills the form, in its format.
    let pasted = token(&app);
    let mut other = self::app();
    update(&mut other, Action::Paste(pasted.clone()));
    assert_eq!(other.tab().platform.id(), "ably");
    assert_eq!(other.tab().text(row_of(&other, "format")), "token-request");
    assert_eq!(other.shown.as_ref().unwrap().report.token, pasted);
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
                    Err("no X11 or Wayland display".into()),
                ),
            ],
        }),
    );
    let status = app.status.clone().unwrap();
    assert_eq!(
        status.text,
        "copied the token (239 chars) via OSC 52; the system clipboard: no X11 or Wayland display"
    );
    assert!(!status.error);
    assert!(
        screen(&app, 120, 40).contains(&status.text),
        "the status fits at 120 columns"
    );
}

#[test]
fn a_long_copy_status_takes_a_second_line_at_80_columns_rather_than_being_cut() {
    let mut app = app();
    update(
        &mut app,
        Action::Copied(CopyReport {
            what: CopyWhat::Claims,
            chars: 143,
            paths: vec![
                ("OSC 52", Ok(())),
                (
                    "the system clipboard",
                    Err("no X11 or Wayland display".into()),
                ),
            ],
        }),
    );
    for (width, height) in [(80, 24), (80, 40)] {
        let shown = screen(&app, width, height);
        let lines: Vec<&str> = shown.lines().collect();
        // The backend's lines are quoted: the status is the last one or two before the footer.
        let bottom = lines[lines.len().saturating_sub(4)..].join(" ");
        for word in [
            "copied",
            "(143",
            "OSC",
            "52;",
            "the",
            "system",
            "clipboard:",
            "no",
            "X11",
            "Wayland",
            "display",
        ] {
            assert!(
                bottom.contains(word),
                "{width}×{height}: {word} in\n{shown}"
            );
        }
        assert!(
            !bottom.contains('…'),
            "{width}×{height}: nothing cut\n{shown}"
        );
    }
}

#[test]
fn nothing_to_copy_is_a_message() {
    let mut config = AppConfig::demo(Clock::manual(start()));
    config.forms[0].0.set_by_id(
        tokenbench::platform::ALL[0].fields(),
        "role",
        FieldValue::Text("boss".into()),
    );
    let mut app = App::new(config);
    assert!(app.shown.is_none());
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
    switch_to(&mut app, "vonage");
    run(&mut app, [Action::Right, Action::Right]); // moderator
    type_into(&mut app, "data", "name=bob");
    let pasted = token(&app);
    let mut app = self::app();
    update(&mut app, Action::Paste(pasted.clone()));
    assert_eq!(app.tab().platform.id(), "vonage");
    assert_eq!(app.tab().text(row_of(&app, "role")), "moderator");
    assert_eq!(app.tab().text(row_of(&app, "data")), "name=bob");
    let view = app.shown.as_ref().unwrap();
    assert_eq!(view.origin, Origin::Inspected { known: true });
    assert_eq!(view.report.token, pasted);
    assert_eq!(view.report.signature, Signature::Valid);
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .contains("a token of vonage")
    );
    // Any edit re-signs from the filled form.
    update(&mut app, Action::Left);
    let view = app.shown.as_ref().unwrap();
    assert_eq!(view.origin, Origin::Minted);
    assert_eq!(claims(&app)["role"], "publisheronly");
    assert_eq!(claims(&app)["connection_data"], "name=bob");
}

#[test]
fn a_pasted_endpoint_answer_or_url_inspects_the_token_inside() {
    let minted = token(&app());
    for pasted in [
        format!(r#"{{"signature": "{minted}"}}"#),
        format!("ws://localhost:9000/socket?token={minted}"),
    ] {
        let mut app = app();
        update(&mut app, Action::NextPlatform);
        update(&mut app, Action::Paste(pasted));
        assert_eq!(app.tab().platform.id(), "zoom");
        assert_eq!(token(&app), minted);
    }
}

#[test]
fn the_inspect_box_decodes_on_enter_and_explains_what_is_not_a_token() {
    let mut app = app();
    update(&mut app, Action::OpenInspect);
    run(&mut app, typing("nope"));
    update(&mut app, Action::SubmitInspect);
    let Some(Popup::Inspect(inspect)) = &app.popup else {
        panic!("the box stays open")
    };
    assert!(
        inspect
            .error
            .as_deref()
            .unwrap()
            .starts_with("this is not a token")
    );
    // A token of no known platform, with the generic findings.
    let foreign = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4IiwiZXhwIjoxNzk1MzQxNjYwfQ.c2ln";
    run(
        &mut app,
        [
            Action::ClearToStart,
            Action::Paste(foreign.into()),
            Action::SubmitInspect,
        ],
    );
    assert!(app.popup.is_none());
    let view = app.shown.as_ref().unwrap();
    assert_eq!(view.origin, Origin::Inspected { known: false });
    assert_eq!(view.report.platform, None);
    assert_eq!(view.report.signature, Signature::Unverified);
    assert_eq!(rules(&app), ["jwt.unverified"]);
    update(&mut app, Action::Back);
    assert_eq!(app.shown.as_ref().unwrap().origin, Origin::Minted);
}

#[test]
fn ticks_move_the_countdown_and_never_remint() {
    let mut app = app();
    let (before, mints) = (token(&app), app.mints);
    app.clock.advance_source(TimeDelta::seconds(3 * 3600));
    update(&mut app, Action::Tick);
    assert_eq!(token(&app), before);
    assert_eq!(app.mints, mints);
    assert_eq!(app.now, start() + TimeDelta::seconds(3 * 3600));
    assert!(screen(&app, 120, 40).contains("expired 1h 00m 00s ago"));
}

#[test]
fn a_burst_of_keys_is_one_mint_and_a_paste_too() {
    let mut app = app();
    switch_to(&mut app, "vonage");
    focus(&mut app, "data");
    update(&mut app, Action::Activate);
    let mints = app.mints;
    update_batch(&mut app, typing(&"x".repeat(1000)));
    assert_eq!(app.mints, mints + 1, "1 000 keys, one RSA signature");
    assert_eq!(
        claims(&app)["connection_data"].as_str().unwrap().len(),
        1000
    );
    update(&mut app, Action::Paste("y".repeat(20_000)));
    assert_eq!(app.mints, mints + 2);
}

#[test]
fn enter_on_a_finding_focuses_its_field() {
    let mut app = app();
    type_into(&mut app, "expiry", "10m");
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
    assert_eq!(app.tab().current_row(), row_of(&app, "expiry"));
}

#[test]
fn findings_follow_the_clock_in_their_words_too() {
    let mut app = app();
    type_into(&mut app, "expiry", "0s");
    let message = |app: &App| {
        app.shown
            .as_ref()
            .unwrap()
            .report
            .findings
            .iter()
            .find(|f| f.rule == "jwt.expired")
            .unwrap()
            .message
            .clone()
    };
    assert!(
        message(&app).starts_with("the token expired now"),
        "{}",
        message(&app)
    );
    run(
        &mut app,
        [
            Action::ClockFaster,
            Action::ClockFaster,
            Action::ClockFaster,
        ],
    );
    app.clock.advance_source(TimeDelta::seconds(3));
    update(&mut app, Action::Tick);
    assert!(
        message(&app).starts_with("the token expired 30m ago"),
        "{}",
        message(&app)
    );
    assert!(screen(&app, 120, 40).contains("expired 30m 00s ago"));
}

#[test]
fn keys_become_actions_through_the_key_table() {
    let mut app = app();
    let hits = Hits::default();
    assert_eq!(to_action(&app, &hits, ctrl('q')), Some(Action::Quit));
    assert_eq!(
        to_action(&app, &hits, key(KeyCode::Tab)),
        Some(Action::NextField)
    );
    let before = claims(&app);
    let x = to_action(&app, &hits, ch('x')).unwrap();
    update(&mut app, x);
    assert_eq!(claims(&app), before, "x starts no choice of the role");
    update(&mut app, Action::NextField);
    update(&mut app, Action::Activate);
    assert_eq!(to_action(&app, &hits, ch('q')), Some(Action::Insert('q')));
    assert_eq!(
        to_action(&app, &hits, key(KeyCode::Esc)),
        Some(Action::EndEdit)
    );
    assert_eq!(to_action(&app, &hits, ctrl('c')), Some(Action::Quit));
    assert_eq!(
        to_action(&app, &hits, Event::Paste("t".into())),
        Some(Action::Paste("t".into()))
    );
}

#[test]
fn clicks_land_on_what_the_last_frame_drew() {
    let mut app = app();
    let (width, height) = (120, 40);
    let shown = screen(&app, width, height);
    let line_of = |needle: &str| shown.lines().position(|l| l.contains(needle)).unwrap() as u16;
    let click = |app: &App, column, row| {
        let event = Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: KeyModifiers::NONE,
        });
        to_action(app, &hits(app, width, height), event)
    };
    let vonage = click(&app, 10, 0).unwrap();
    assert_eq!(vonage, Action::Click(Target::Tab(1)));
    update(&mut app, vonage);
    assert_eq!(app.tab().platform.id(), "vonage");
    let action = click(&app, 1, 0).unwrap();
    update(&mut app, action);
    assert_eq!(app.tab().platform.id(), "zoom");
    let password = click(&app, 5, line_of("password")).unwrap();
    update(&mut app, password.clone());
    assert_eq!(app.tab().current_row(), row_of(&app, "password"));
    update(&mut app, password);
    assert!(
        app.editing.is_some(),
        "a click on the focused value edits it"
    );
    update(&mut app, Action::EndEdit);
    // The ▸ of the role cycles it.
    let role_line = line_of("◂ host ▸");
    let drawn = render(&app, width, height);
    let buffer = drawn.backend().buffer();
    let arrow = (0..width / 2)
        .rev()
        .find(|x| buffer[(*x, role_line)].symbol() == "▸")
        .unwrap();
    let after = screen(&app, width, height);
    assert!(after.contains("◂ host ▸"));
    let action = click(&app, arrow, role_line).unwrap();
    update(&mut app, action);
    assert_eq!(claims(&app)["role_type"], 0);
    let action = click(&app, 60, line_of("demo-credentials")).unwrap();
    update(&mut app, action);
    assert_eq!(app.pane, Pane::Findings);
    let action = click(&app, 60, line_of("\"version\"")).unwrap();
    update(&mut app, action);
    assert_eq!(app.pane, Pane::Claims);
    update(&mut app, Action::Scroll { down: true });
    assert_eq!(app.scroll, 1, "the wheel scrolls the pane in focus");
}

#[test]
fn help_and_footer_come_from_the_key_table() {
    let mut app = app();
    let footer = screen(&app, 120, 40);
    assert!(footer.contains("Ctrl-Y copy"), "{footer}");
    assert!(footer.contains("Ctrl-S serve"), "{footer}");
    update(&mut app, Action::ToggleHelp);
    let help = screen(&app, 140, 160);
    for binding in tokenbench::tui::keymap::KEYS {
        assert!(help.contains(binding.label), "{}", binding.label);
        let start: String = binding.description.chars().take(30).collect();
        assert!(help.contains(&start), "{}", binding.description);
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

fn text_of(config: &serve::ServeConfig, id: &str, field: &str) -> String {
    let settings = config.get(id).unwrap();
    match settings.form.get(settings.platform.fields(), field) {
        Some(FieldValue::Text(text)) => text.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn ctrl_s_starts_the_endpoint_with_every_forms_values_and_stops_it() {
    let mut app = app();
    type_into(&mut app, "topic", "standup");
    switch_to(&mut app, "vonage");
    run(&mut app, [Action::Right, Action::Right]); // moderator
    assert!(!app.requests_shown(), "no pane before the endpoint ran");
    let effects = update(&mut app, Action::ToggleServe);
    let [Effect::StartServe { config, port }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(*port, serve::DEFAULT_PORT);
    assert_eq!(text_of(config, "zoom", "topic"), "standup");
    assert_eq!(text_of(config, "vonage", "role"), "moderator");
    assert_eq!(config.get("zoom").unwrap().credentials.key, app.tabs[0].key);
    assert_eq!(
        config.clock.now(),
        start(),
        "the endpoint mints on the app's clock"
    );
    assert_eq!(app.endpoint.state, EndpointState::Starting);
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .contains("opening port 8787")
    );
    assert!(
        update(&mut app, Action::ToggleServe).is_empty(),
        "again while starting does nothing"
    );
    update(&mut app, Action::ServeStarted(Ok(URL.into())));
    assert_eq!(
        app.endpoint.state,
        EndpointState::Serving { url: URL.into() }
    );
    let status = app.status.as_ref().unwrap().text.clone();
    assert!(
        status.starts_with("serving on http://127.0.0.1:8787 (Ctrl-S stops)"),
        "{status}"
    );
    for (_, route) in serve::routes() {
        assert!(status.contains(route.path), "{status}");
    }
    assert!(app.requests_shown());
    assert!(
        screen(&app, 120, 40).contains("Ctrl-S stop"),
        "the footer says stop"
    );
    let effects = update(&mut app, Action::ToggleServe);
    assert!(
        matches!(effects.as_slice(), [Effect::StopServe]),
        "{effects:?}"
    );
    update(&mut app, Action::ServeStopped);
    assert_eq!(app.endpoint.state, EndpointState::Stopped);
    assert_eq!(app.status.as_ref().unwrap().text, "endpoint stopped");
    assert!(!app.requests_shown(), "nothing was asked: the pane goes");
}

#[test]
fn a_busy_port_says_what_to_do_and_the_port_can_be_changed_and_is_kept() {
    let mut app = app();
    update(&mut app, Action::ToggleServe);
    update(
        &mut app,
        Action::ServeStarted(Err(
            "cannot listen on 127.0.0.1:8787: Address in use (os error 98): another program listens there; choose another port (--port N, or 0 for any free one)".into(),
        )),
    );
    assert_eq!(app.endpoint.state, EndpointState::Stopped);
    let status = app.status.clone().unwrap();
    assert!(status.error);
    assert!(status.text.contains("change the port"), "{}", status.text);
    assert!(app.requests_shown(), "the pane stays to change the port");
    update(&mut app, Action::FocusRequests);
    update(&mut app, Action::InspectRequest);
    assert_eq!(app.editing.as_ref().unwrap().as_str(), "8787");
    run(
        &mut app,
        [Action::ClearToStart, Action::Insert('0'), Action::EndEdit],
    );
    assert_eq!(app.endpoint.port, 0);
    let effects = update(&mut app, Action::ToggleServe);
    assert!(
        matches!(effects.as_slice(), [Effect::StartServe { port: 0, .. }]),
        "{effects:?}"
    );
    update(
        &mut app,
        Action::ServeStarted(Ok("http://127.0.0.1:43123".into())),
    );
    run(&mut app, [Action::ToggleServe, Action::ServeStopped]);
    let effects = update(&mut app, Action::ToggleServe);
    assert!(
        matches!(effects.as_slice(), [Effect::StartServe { port: 43123, .. }]),
        "the port it got is kept for the next start: {effects:?}"
    );
    // A form that does not read does not even try.
    let mut app = self::app();
    type_into(&mut app, "expiry", "soon");
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
    focus(&mut app, "topic");
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
    assert_eq!(text_of(config, "zoom", "topic"), "teammeetingxy");
    update(&mut app, Action::EndEdit);
    // A choice is an input; switching tabs and moving the cursor are not.
    update(&mut app, Action::PreviousField);
    let effects = update(&mut app, Action::Right);
    assert!(
        matches!(effects.as_slice(), [Effect::ReconfigureServe(c)] if text_of(c, "zoom", "role") == "participant")
    );
    assert!(update(&mut app, Action::NextPlatform).is_empty());
    assert!(update(&mut app, Action::NextField).is_empty());
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
    // An input that does not read is not sent at all.
    switch_to(&mut app, "zoom");
    focus(&mut app, "expiry");
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
    let routes: Vec<&str> = app
        .endpoint
        .requests
        .iter()
        .map(|r| r.route.as_str())
        .collect();
    assert_eq!(
        routes,
        ["/relaybox/auth", "/vonage/token", "/relaybox/auth", "/zoom"]
    );
    assert!(app.status.is_some(), "a drain does not clear the status");
    // With the pane focused, the selected request stays selected as new ones arrive.
    update(&mut app, Action::FocusRequests);
    run(&mut app, [Action::SelectDown, Action::SelectDown]);
    assert_eq!(
        app.endpoint.selected_request().unwrap().route,
        "/relaybox/auth"
    );
    assert_eq!(
        app.endpoint
            .selected_request()
            .unwrap()
            .client_id
            .as_deref(),
        Some("short-lived")
    );
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
    assert_eq!(app.endpoint.requests[0].route, "/opentok/token");
    assert_eq!(
        app.endpoint
            .selected_request()
            .unwrap()
            .client_id
            .as_deref(),
        Some("short-lived")
    );
    let many: Vec<RequestRecord> = (0..REQUESTS_KEPT as i64 + 50)
        .map(|n| record(100 + n, "GET", "/healthz", None, 200, None))
        .collect();
    update(&mut app, Action::ServeRequests(many));
    assert_eq!(app.endpoint.requests.len(), REQUESTS_KEPT);
    assert_eq!(
        app.endpoint.requests[0].at,
        start() + TimeDelta::seconds(100 + REQUESTS_KEPT as i64 + 49)
    );
    assert_eq!(app.endpoint.selected, REQUESTS_KEPT);
}

#[test]
fn enter_on_a_request_inspects_its_token_like_a_paste() {
    // A real Relaybox token, minted by the app's own form with a client id.
    let mut minter = app();
    switch_to(&mut minter, "relaybox");
    type_into(&mut minter, "client-id", "alice");
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
    assert_eq!(app.tab().platform.id(), "relaybox");
    assert_eq!(app.tab().text(row_of(&app, "client-id")), "alice");
    let view = app.shown.as_ref().unwrap();
    assert_eq!(view.origin, Origin::Inspected { known: true });
    assert_eq!(Some(&view.report.token), served.token.as_ref());
    assert_eq!(view.report.signature, Signature::Valid);
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .starts_with("inspected a token of relaybox")
    );
}

#[test]
fn the_panes_cycle_and_the_requests_pane_joins_once_the_endpoint_ran() {
    let mut app = app();
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
}

#[test]
fn clicks_on_the_requests_pane_select_a_request() {
    let mut app = serving();
    update(&mut app, Action::ServeRequests(requests()));
    let shown = screen(&app, 120, 40);
    let row = shown
        .lines()
        .position(|l| l.contains("short-lived"))
        .unwrap() as u16;
    let target = hits(&app, 120, 40).at(80, row).unwrap();
    update(&mut app, Action::Click(target));
    assert_eq!(app.pane, Pane::Requests);
    assert_eq!(
        app.endpoint
            .selected_request()
            .unwrap()
            .client_id
            .as_deref(),
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

/// A backend that counts the frames drawn (a flush a frame).
struct Counting {
    inner: TestBackend,
    frames: usize,
}

impl ratatui::backend::Backend for Counting {
    type Error = <TestBackend as ratatui::backend::Backend>::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a ratatui::buffer::Cell)>,
    {
        self.inner.draw(content)
    }
    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }
    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }
    fn get_cursor_position(&mut self) -> Result<ratatui::layout::Position, Self::Error> {
        self.inner.get_cursor_position()
    }
    fn set_cursor_position<P: Into<ratatui::layout::Position>>(
        &mut self,
        position: P,
    ) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }
    fn clear_region(&mut self, region: ratatui::backend::ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(region)
    }
    fn size(&self) -> Result<ratatui::layout::Size, Self::Error> {
        self.inner.size()
    }
    fn window_size(&mut self) -> Result<ratatui::backend::WindowSize, Self::Error> {
        self.inner.window_size()
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.frames += 1;
        self.inner.flush()
    }
}

#[test]
fn the_real_loop_runs_on_a_test_backend_and_copies_through_its_sinks() {
    let mut app = app();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut events = Script(VecDeque::from([
        key(KeyCode::Down),
        key(KeyCode::Enter),
        ch('2'),
        key(KeyCode::Enter),
        ctrl('y'),
        Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 10,
            row: 0,
            modifiers: KeyModifiers::NONE,
        }),
        Event::Resize(30, 10),
        ctrl('q'),
    ]));
    let mut memory = MemoryClipboard::default();
    let mut edge = Edge::new(vec![&mut memory]);
    run_loop(&mut terminal, &mut app, &mut events, &mut edge).unwrap();
    drop(edge);
    assert!(app.quit);
    assert_eq!(memory.copied.len(), 1);
    let copied = tokenbench::token::inspect(&memory.copied[0]).unwrap();
    assert_eq!(copied.claim_str("tpc").as_deref(), Some("teammeeting2"));
    assert_eq!(app.tab().platform.id(), "vonage");
    assert_eq!(app.size, (30, 10));
}

#[test]
fn a_burst_of_a_thousand_keys_through_the_loop_is_one_mint_and_a_few_frames() {
    let mut app = app();
    switch_to(&mut app, "vonage");
    focus(&mut app, "data");
    let mints = app.mints;
    let mut events: VecDeque<Event> = (0..1000).map(|_| ch('x')).collect();
    events.push_back(ctrl('q'));
    let frames = frames_of(&mut app, &mut Script(events));
    assert_eq!(
        claims(&app)["connection_data"].as_str().unwrap().len(),
        1000
    );
    assert!(app.mints - mints <= 2, "{} mints", app.mints - mints);
    assert!(frames <= 3, "{frames} frames");
}

/// Runs the real loop on `app` over `events` at 120×40 until it quits; the frames it drew.
fn frames_of(app: &mut App, events: &mut dyn EventSource) -> usize {
    let mut terminal = Terminal::new(Counting {
        inner: TestBackend::new(120, 40),
        frames: 0,
    })
    .unwrap();
    let mut edge = Edge::new(Vec::new());
    run_loop(&mut terminal, app, events, &mut edge).unwrap();
    terminal.backend().frames
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

fn press(event: Event) -> Step {
    Step::Event(event)
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
    // The edge outlives a run of the loop: quitting ends the first run, the endpoint keeps listening.
    let mut edge = Edge::new(Vec::new());
    let mut first = Session(VecDeque::from([press(ctrl('s')), press(ctrl('q'))]));
    run_loop(&mut terminal, &mut app, &mut first, &mut edge).unwrap();
    let EndpointState::Serving { url } = app.endpoint.state.clone() else {
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

    // Back in the loop: a tick brings the request in; F5, ↓, Enter inspects it; Ctrl-S stops.
    app.quit = false;
    let mut second = Session(VecDeque::from([
        Step::Tick,
        press(key(KeyCode::F(5))),
        press(key(KeyCode::Down)),
        press(key(KeyCode::Enter)),
        press(ctrl('s')),
        press(ctrl('q')),
    ]));
    run_loop(&mut terminal, &mut app, &mut second, &mut edge).unwrap();
    assert_eq!(app.endpoint.state, EndpointState::Stopped);
    let [record] = app.endpoint.requests.as_slice() else {
        panic!("{:?}", app.endpoint.requests)
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
        screen.contains("GET /relaybox/auth  loop-test  200  in 15m"),
        "{screen}"
    );
    let view = app.shown.as_ref().unwrap();
    assert_eq!(Some(&view.report.token), record.token.as_ref());
    assert_eq!(view.origin, Origin::Inspected { known: true });
    assert_eq!(view.report.signature, Signature::Valid);
    assert_eq!(app.tab().platform.id(), "relaybox");
    assert_eq!(app.tab().text(row_of(&app, "client-id")), "loop-test");
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
    let settings = broken.get_mut("opentok").unwrap();
    let fields = settings.platform.fields();
    settings
        .form
        .set_by_id(fields, "role", FieldValue::Text("boss".into()));
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
    for _ in 0..app.tabs.len() {
        let id = app.tab().platform.id();
        snapshot(id, &app);
        update(&mut app, Action::NextPlatform);
    }
}

#[test]
fn snapshot_of_a_room() {
    let mut app = app();
    switch_to(&mut app, "relaybox");
    let rooms = row_of(&app, "permissions");
    focus_row(&mut app, rooms);
    update(&mut app, Action::Activate);
    run(&mut app, typing("chat:*"));
    update(&mut app, Action::EndEdit);
    snapshot("relaybox_room", &app);
}

#[test]
fn snapshot_of_a_grant() {
    let mut app = app();
    switch_to(&mut app, "twilio");
    type_into(&mut app, "topic", "room1");
    let voice = row_of(&app, "grants");
    focus_row(&mut app, voice);
    update(&mut app, Action::Right);
    update(&mut app, Action::NextField);
    update(&mut app, Action::Right);
    snapshot("twilio_grant", &app);
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

/// The colour of the first cell of `needle` on screen.
fn colour_of(terminal: &Terminal<TestBackend>, needle: &str) -> ratatui::style::Color {
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .find_map(|y| {
            let row: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect();
            row.find(needle)
                .map(|at| buffer[(row[..at].chars().count() as u16, y)].fg)
        })
        .unwrap_or_else(|| panic!("{needle} is not on screen"))
}

#[test]
fn request_statuses_are_coloured() {
    let app = serving_with_requests();
    let terminal = render(&app, 120, 40);
    let theme = tokenbench::tui::theme::Theme::of(&app);
    assert_eq!(colour_of(&terminal, "200  in 14m"), theme.ok.fg.unwrap());
    assert_eq!(colour_of(&terminal, "400  role"), theme.error.fg.unwrap());
}

#[test]
fn the_token_pane_colours_header_payload_and_signature_apart() {
    let app = app();
    let terminal = render(&app, 120, 40);
    let theme = tokenbench::tui::theme::Theme::of(&app);
    let token = token(&app);
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(
        colour_of(&terminal, &parts[0][..10]),
        theme.token_header.fg.unwrap()
    );
    assert_eq!(
        colour_of(&terminal, &parts[1][..10]),
        theme.token_payload.fg.unwrap()
    );
    assert_eq!(
        colour_of(&terminal, &parts[2][..10]),
        theme.token_signature.fg.unwrap()
    );
}

#[test]
fn snapshot_of_an_expired_token() {
    let mut app = app();
    app.clock.advance_source(TimeDelta::seconds(2 * 3600 + 12));
    update(&mut app, Action::Tick);
    snapshot("expired", &app);
    let terminal = render(&app, 120, 40);
    let theme = tokenbench::tui::theme::Theme::of(&app);
    assert_eq!(colour_of(&terminal, "expired 12s"), theme.error.fg.unwrap());
}

#[test]
fn the_light_theme_has_no_pale_ansi_grey_on_its_white() {
    let mut app = app();
    update(&mut app, Action::ToggleTheme);
    assert_eq!(app.theme, ThemeChoice::Light);
    let terminal = render(&app, 120, 40);
    for cell in terminal.backend().buffer().content() {
        assert!(
            !matches!(
                cell.fg,
                ratatui::style::Color::Gray | ratatui::style::Color::DarkGray
            ),
            "{:?} in {cell:?}",
            cell.fg
        );
    }
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
fn claim_annotations_start_in_one_column_comma_or_not() {
    let app = app();
    let shown = screen(&app, 120, 40);
    let column = |claim: &str| {
        let line = shown
            .lines()
            .find(|l| l.contains(claim))
            .unwrap_or_else(|| panic!("{claim}: {shown}"));
        line.find("2026-11-22").unwrap()
    };
    // iat is followed by a comma, exp (the last member) is not.
    assert_eq!(column("\"iat\": "), column("\"exp\": "), "{shown}");
}

#[test]
fn the_expiry_states_its_default_once_in_one_unit() {
    let mut app = app();
    focus(&mut app, "expiry");
    let empty = screen(&app, 120, 40);
    assert_eq!(empty.matches("default").count(), 1, "{empty}");
    assert!(empty.contains("(default: 2h)"), "{empty}");
    type_into(&mut app, "expiry", "1h");
    let typed = screen(&app, 120, 40);
    assert_eq!(typed.matches("default").count(), 1, "{typed}");
    assert!(typed.contains("(default 2h)"), "{typed}");
    assert!(!typed.contains("24h") && !typed.contains("7200"), "{typed}");
}

#[test]
fn no_screen_points_to_a_section_of_a_document_users_do_not_have() {
    let mut app = app();
    for _ in 0..app.tabs.len() {
        for shown in [screen(&app, 120, 40), screen(&app, 80, 24)] {
            assert!(!shown.contains('§') && !shown.contains(".md"), "{shown}");
        }
        update(&mut app, Action::ToggleLab);
        let lab = screen(&app, 120, 40);
        assert!(!lab.contains('§') && !lab.contains(".md"), "{lab}");
        update(&mut app, Action::ToggleLab);
        update(&mut app, Action::NextPlatform);
    }
}

#[test]
fn the_cursor_sits_after_wide_characters() {
    let mut app = app();
    focus(&mut app, "topic");
    run(&mut app, [Action::Activate, Action::ClearToStart]);
    run(&mut app, typing("abc🎉🎉🎉"));
    let mut terminal = render(&app, 120, 40);
    let cursor = terminal.get_cursor_position().unwrap();
    let buffer = terminal.backend().buffer();
    let start = (0..buffer.area.width)
        .find(|x| {
            buffer[(*x, cursor.y)].symbol() == "a" && buffer[(*x + 1, cursor.y)].symbol() == "b"
        })
        .unwrap();
    // abc, then three party poppers of two cells each.
    assert_eq!(cursor.x, start + 3 + 6);
}

#[test]
fn the_findings_pane_says_how_many_it_cannot_show() {
    let mut app = app();
    type_into(&mut app, "expiry", "10m");
    type_into(&mut app, "password", "12345678901");
    type_into(&mut app, "claims", "version=2; geo_regions=XX");
    let count = app.shown.as_ref().unwrap().report.findings.len();
    assert!(count >= 4, "{count}");
    let small = screen(&app, 80, 24);
    assert!(small.contains("more: Ctrl-G"), "{small}");
    let large = screen(&app, 120, 40);
    for finding in &app.shown.as_ref().unwrap().report.findings {
        assert!(
            large.contains(finding.rule),
            "{} is shown at 120×40: {large}",
            finding.rule
        );
    }
}

#[test]
fn drawing_never_panics_at_any_size_from_1x1_to_200x60() {
    let mut apps: Vec<App> = Vec::new();
    for setup in 0..9 {
        let mut app = app();
        match setup {
            1 => drop(run(&mut app, [Action::NextPlatform])),
            2 => {
                switch_to(&mut app, "relaybox");
                let rooms = row_of(&app, "permissions");
                focus_row(&mut app, rooms);
                run(&mut app, [Action::Activate]);
                run(&mut app, typing("a"));
            }
            3 => drop(run(&mut app, [Action::ToggleHelp])),
            4 => drop(run(
                &mut app,
                [
                    Action::OpenInspect,
                    Action::Paste("x".repeat(500)),
                    Action::SubmitInspect,
                ],
            )),
            5 => drop(run(
                &mut app,
                [
                    Action::NextField,
                    Action::Activate,
                    Action::Insert('é'),
                    Action::FocusFindings,
                ],
            )),
            6 => drop(run(
                &mut app,
                [
                    Action::PreviousPlatform,
                    Action::ToggleLab,
                    Action::ClockToExpiry,
                    Action::NextField,
                    Action::Activate,
                    Action::Insert('9'),
                ],
            )),
            7 => app = serving_with_requests(),
            8 => {
                let (private, public) = ed25519_jwks(1);
                let token = foreign_token(&private, tokenbench::token::Alg::EdDsa);
                run(&mut app, [Action::Paste(token), Action::Paste(public)]);
                type_into_generic(&mut app, 2, "{\"sub\": broken");
                run(&mut app, [Action::Activate]);
                run(&mut app, typing("é🎉"));
            }
            _ => {}
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
            let mut hits = Hits::default();
            terminal
                .draw(|frame| hits = layout::draw(app, frame))
                .unwrap();
            // Clicks anywhere resolve against what was drawn.
            for (column, row) in [(0, 0), (width / 2, height / 2), (width - 1, height - 1)] {
                if let Some(target) = hits.at(column, row) {
                    let mut clicked = serving_with_requests();
                    update(&mut clicked, Action::Click(target));
                }
            }
        }
    }
}

#[test]
fn ctrl_t_switches_to_the_light_theme() {
    let mut app = app();
    let dark = render(&app, 80, 24).backend().buffer().clone();
    update(&mut app, Action::ToggleTheme);
    let light = render(&app, 80, 24).backend().buffer().clone();
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
            Action::Paste(minted),
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
    use tokenbench::tui::keymap::Context;
    use tokenbench::tui::lab::LabField;
    let mut app = app();
    let minted = token(&app);
    update(&mut app, Action::ToggleLab);
    assert_eq!(app.screen, Screen::Lab);
    assert_eq!(app.contexts()[0], Context::Lab);
    run(
        &mut app,
        [
            Action::NextField,
            Action::NextField,
            Action::NextField,
            Action::Activate,
        ],
    );
    assert!(app.editing.is_some());
    run(&mut app, [Action::ClearToStart]);
    run(&mut app, typing("14m"));
    update(&mut app, Action::EndEdit);
    assert_eq!(app.lab.text(LabField::DropAt), "14m");
    assert_eq!(token(&app), minted);
    run(
        &mut app,
        [
            Action::PreviousField,
            Action::PreviousField,
            Action::PreviousField,
            Action::Right,
        ],
    );
    assert_eq!(
        app.lab.model(Some("zoom")).map(|m| m.id),
        Some(tokenbench::platform::ALL[1].id()),
        "the model after zoom's"
    );
    update(&mut app, Action::Back);
    assert_eq!(app.screen, Screen::Workbench);
    assert_eq!(
        app.tab().text(row_of(&app, "topic")),
        "teammeeting",
        "the form was not touched"
    );
}

#[test]
fn the_lab_says_what_happens_now_to_joining_and_connected_clients() {
    let mut app = app();
    update(&mut app, Action::ToggleLab);
    let before = screen(&app, 120, 40);
    assert!(before.contains("A client joining now gets in"), "{before}");
    update(&mut app, Action::ClockJump(7200));
    let after = screen(&app, 120, 40);
    assert!(after.contains("A client joining now is refused"), "{after}");
    assert!(after.contains("error 200"), "{after}");
    assert!(
        after.contains("This client is connected since +00:00"),
        "{after}"
    );
}

#[test]
fn snapshot_of_the_lab_in_mid_demo() {
    let mut app = app();
    switch_to(&mut app, "relaybox");
    update(&mut app, Action::ToggleLab);
    lab_scenario(
        &mut app,
        &[
            ("drop at", "16m"),
            ("endpoint down", "870s"),
            ("endpoint up", "905s"),
        ],
    );
    run(
        &mut app,
        [
            Action::ClockFaster,
            Action::ClockFaster,
            Action::ClockJump(895),
        ],
    );
    snapshot("lab_relaybox_refresh_fails_then_recovers", &app);
}

/// The issue's demo: the endpoint down from 13 m to 16 m, the client offline from 14 m.
fn lab_outage(app: &mut App) {
    lab_scenario(
        app,
        &[
            ("drop at", "14m"),
            ("offline for", "2m"),
            ("endpoint down", "13m"),
            ("endpoint up", "16m"),
        ],
    );
}

#[test]
fn the_lab_says_what_this_scenarios_client_is_doing_now() {
    let mut app = app();
    switch_to(&mut app, "relaybox");
    update(&mut app, Action::ToggleLab);
    lab_outage(&mut app);
    update(&mut app, Action::ClockJump(700));
    let before = screen(&app, 120, 40);
    assert!(
        before.contains("This client is connected since +00:00"),
        "{before}"
    );
    assert!(before.contains("A client joining now gets in"), "{before}");
    update(&mut app, Action::ClockJump(230));
    let after = screen(&app, 120, 40);
    assert!(
        after.contains("This client is disconnected since +15:0"),
        "{after}"
    );
    assert!(after.contains("nothing retries"), "{after}");
    assert!(after.contains("A client joining now is refused"), "{after}");
    assert!(!after.contains("with no outage"));
}

#[test]
fn snapshots_of_the_lab_for_each_platform() {
    let mut app = app();
    for _ in 0..app.tabs.len() {
        let id = app.tab().platform.id();
        let mut lab = app_on(id);
        update(&mut lab, Action::ToggleLab);
        lab_scenario(&mut lab, &[("drop at", "20m"), ("offline for", "1m")]);
        update(&mut lab, Action::ClockJump(25 * 60));
        snapshot(&format!("lab_{id}"), &lab);
        update(&mut app, Action::NextPlatform);
    }
}

fn app_on(id: &str) -> App {
    let mut app = app();
    switch_to(&mut app, id);
    app
}

#[test]
fn snapshot_of_the_lab_side_by_side() {
    let mut app = app();
    type_into(&mut app, "expiry", "30m");
    update(&mut app, Action::ToggleLab);
    add_beside(&mut app, "agora");
    add_beside(&mut app, "livekit");
    update(&mut app, Action::ClockJump(31 * 60));
    let shown = screen(&app, 120, 40);
    assert!(shown.contains("zoom · agora · livekit"), "{shown}");
    assert!(
        shown.contains("│zoom ") && shown.contains("│agora "),
        "{shown}"
    );
    assert!(shown.contains("zoom: This client is connected"), "{shown}");
    assert!(
        shown.contains("agora: This client is kicked at +30:00"),
        "{shown}"
    );
    assert!(
        shown.contains("livekit: This client is connected"),
        "{shown}"
    );
    snapshot("lab_side_by_side", &app);
}

/// Points the lab's beside row at `id` and adds it.
fn add_beside(app: &mut App, id: &str) {
    use tokenbench::tui::lab::LabField;
    let model = app.lab_model();
    app.lab.row = app
        .lab
        .rows(model)
        .iter()
        .position(|f| *f == LabField::Beside)
        .unwrap();
    while app.lab.beside_candidate(model).id != id {
        update(app, Action::Right);
    }
    update(app, Action::Activate);
}

#[test]
fn a_bad_lab_offset_is_shown_at_its_field_and_the_model_stays() {
    use tokenbench::tui::lab::LabField;
    let mut app = app();
    switch_to(&mut app, "relaybox");
    update(&mut app, Action::ToggleLab);
    let rows = app.lab.rows(app.lab_model());
    lab_scenario(&mut app, &[("drop at", "banana")]);
    assert_eq!(app.lab_model().map(|m| m.id), Some("relaybox"));
    assert_eq!(
        app.lab.rows(app.lab_model()),
        rows,
        "no other model's fields"
    );
    let error = app
        .lab
        .error(LabField::DropAt)
        .expect("banana is no offset");
    let shown = screen(&app, 80, 24);
    assert!(shown.contains("◂ relaybox ▸"), "{shown}");
    assert!(shown.contains("✗"), "{shown}");
    // The whole message is on screen, wrapped under the field.
    let on_screen: String = shown
        .lines()
        .map(|l| l.split('┃').nth(1).unwrap_or("").trim().to_string())
        .collect::<Vec<_>>()
        .join(" ");
    let words: Vec<&str> = error.split_whitespace().collect();
    assert!(
        on_screen.contains(&words.join(" ").replace("✗ ", "")),
        "{error}\n{shown}"
    );
    // The picture still plays, without the drop.
    assert!(shown.contains("client"), "{shown}");
}

#[test]
fn the_lab_events_scroll_and_enter_moves_the_clock_to_one() {
    use tokenbench::tui::lab::LabFocus;
    let mut app = app();
    switch_to(&mut app, "relaybox");
    update(&mut app, Action::ToggleLab);
    lab_outage(&mut app);
    let all = tokenbench::tui::lab::timeline_of(&app)
        .unwrap()
        .events()
        .len();
    update(&mut app, Action::NextPane);
    assert_eq!(app.lab.focus, LabFocus::Events);
    assert_eq!(app.lab.event, 0, "the current event at iat");
    for _ in 0..all + 3 {
        update(&mut app, Action::SelectDown);
    }
    assert_eq!(app.lab.event, all - 1, "stops at the last");
    let shown = screen(&app, 120, 40);
    assert!(shown.contains(&format!("Events {all}/{all}")), "{shown}");
    assert!(
        shown.contains("endpoint-up"),
        "a later event is reachable: {shown}"
    );
    update(&mut app, Action::SelectUp);
    let timeline = tokenbench::tui::lab::timeline_of(&app).unwrap();
    let event = timeline.events()[all - 2].clone();
    let minted = token(&app);
    update(&mut app, Action::Activate);
    assert_eq!(
        app.now,
        timeline.times.at(event.t_ms),
        "the clock is at the event"
    );
    assert_eq!(token(&app), minted, "the clock never re-mints");
    let timeline = tokenbench::tui::lab::timeline_of(&app).unwrap();
    assert_eq!(timeline.current_event(), Some(all - 2));
    // A click on another event chooses it; F6 goes back to the scenario.
    let hits = hits(&app, 120, 40);
    let other = (0..40)
        .flat_map(|y| (0..120).map(move |x| (x, y)))
        .find_map(|(x, y)| match hits.at(x, y) {
            Some(Target::LabEvent(index)) if index != all - 2 => Some(index),
            _ => None,
        })
        .expect("other events are drawn");
    update(&mut app, Action::Click(Target::LabEvent(other)));
    assert_eq!(app.lab.event, other);
    update(&mut app, Action::NextPane);
    assert_eq!(app.lab.focus, LabFocus::Scenario);
}

#[test]
fn the_relaybox_endpoint_mints_fresh_tokens_unless_told_it_serves_a_cached_one() {
    use tokenbench::lifetime::EndpointTokens;
    use tokenbench::tui::lab::LabField;
    let mut app = app();
    switch_to(&mut app, "relaybox");
    update(&mut app, Action::ToggleLab);
    lab_scenario(&mut app, &[("join at", "20m")]);
    let fresh = screen(&app, 120, 40);
    assert!(fresh.contains("minted a token for the request"), "{fresh}");
    assert!(!fresh.contains("auth-token-expired"), "{fresh}");
    let model = app.lab_model();
    app.lab.row = app
        .lab
        .rows(model)
        .iter()
        .position(|f| *f == LabField::EndpointTokens)
        .unwrap();
    update(&mut app, Action::Right);
    assert_eq!(app.lab.endpoint_tokens, EndpointTokens::Cached);
    let cached = screen(&app, 120, 40);
    assert!(cached.contains("auth-token-expired"), "{cached}");
    // Zoom's clients do not fetch their tokens: no such row.
    switch_to(&mut app, "zoom");
    let rows = app.lab.rows(app.lab_model());
    assert!(!rows.contains(&LabField::EndpointTokens));
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
    let readme = std::fs::read_to_string("README.md").unwrap();
    assert!(
        readme.contains(&table),
        "README.md should hold the key table:\n{table}"
    );
}

#[test]
fn local_time_reaches_every_date_on_screen_findings_included() {
    let mut app = app();
    type_into(&mut app, "expiry", "0s");
    assert!(screen(&app, 120, 40).contains("(times in UTC)"));
    update(&mut app, Action::ToggleLocalTime);
    assert!(app.local_time);
    let local = screen(&app, 120, 40);
    assert!(local.contains("(times in local)"), "{local}");
    assert!(!local.contains(" UTC, "), "no claim date is left in UTC");
    assert!(
        !local.contains("T10:00:00Z"),
        "no finding keeps a UTC time: {local}"
    );
    update(&mut app, Action::ToggleLocalTime);
    assert!(screen(&app, 120, 40).contains("(times in UTC)"));
}

/// The rows of the current tab as the user sees them: each label, or the pair name.
fn pair_rows(app: &App, id: &str) -> Vec<Row> {
    let tab = app.tab();
    tab.rows()
        .into_iter()
        .filter(|row| tab.row_id(*row) == id)
        .collect()
}

#[test]
fn privileges_are_edited_one_by_one_and_follow_the_service_and_role() {
    let mut app = app();
    switch_to(&mut app, "agora");
    let privileges = pair_rows(&app, "privileges");
    let names: Vec<String> = app.tab().pair_names(match privileges[0] {
        Row::Pair { field, .. } => field,
        other => panic!("{other:?}"),
    });
    assert_eq!(
        names,
        [
            "join-channel",
            "publish-audio",
            "publish-video",
            "publish-data"
        ]
    );
    let shown = screen(&app, 120, 40);
    assert!(
        shown.contains("privileges      (not set: the token's expiry)"),
        "{shown}"
    );
    assert!(shown.contains("  join-channel   (not set)"), "{shown}");
    // Typing on the join privilege edits its time; the token follows at once.
    focus_row(&mut app, privileges[0]);
    update(&mut app, Action::TypeToEdit('1'));
    run(&mut app, typing("0m"));
    update(&mut app, Action::EndEdit);
    assert_eq!(
        claims(&app)["services"][0]["privileges"]["join_channel"],
        600
    );
    assert_eq!(
        claims(&app)["services"][0]["privileges"]["publish_audio"],
        3600
    );
    // Del clears it again.
    update(&mut app, Action::RemoveEntry);
    assert_eq!(
        claims(&app)["services"][0]["privileges"]["join_channel"],
        3600
    );
    // A subscriber is offered the join privilege only; RTM drops the channel and role rows.
    type_into(&mut app, "client-id", "alice");
    focus(&mut app, "role");
    update(&mut app, Action::Right);
    assert_eq!(pair_rows(&app, "privileges").len(), 1);
    focus(&mut app, "service");
    update(&mut app, Action::Right);
    assert_eq!(
        app.tab().form.text(tokenbench::platform::FieldRef {
            index: 0,
            id: "service"
        }),
        "rtm"
    );
    let ids: Vec<&str> = app
        .tab()
        .rows()
        .iter()
        .map(|r| app.tab().row_id(*r))
        .collect();
    assert!(!ids.contains(&"topic") && !ids.contains(&"role"), "{ids:?}");
    assert_eq!(claims(&app)["services"][0]["type"], "rtm");
    assert_eq!(claims(&app)["services"][0]["user_id"], "alice");
    assert_eq!(
        app.tab().current_row(),
        row_of(&app, "service"),
        "the focus stays on the service"
    );
}

#[test]
fn a_pasted_agora_token_fills_the_agora_form_for_re_signing() {
    let mut app = app();
    // AgoraIO/Tools' RTC vector: another project's certificate, so it cannot be re-signed as it is.
    let vector = "007eJxTYBBbsMMnKq7p9Hf/HcIX5kce9b518kCiQgSr5Zrp4X1Tu6UUGCzNDZwdjU1TUs0Mkk1MzExMk5ISUy0SjQxNDcwMk4yN3b8IMEQwMTAwMoAwBIL4CgzmKeZGxmamqUmWFsYmFqbGluapxqnGaZYpJmYGSSkpiVwMRhYWRsYmhkbmxgDCaiTj";
    update(&mut app, Action::Paste(vector.into()));
    assert_eq!(app.tab().platform.id(), "agora");
    let view = app.shown.as_ref().unwrap();
    assert_eq!(view.report.format, "agora-007");
    assert_eq!(view.report.signature, Signature::Unverified);
    let tab = app.tab();
    assert_eq!(
        tab.text(row_of(&app, "topic")),
        "7d72365eb983485397e3e3f9d460bdda"
    );
    assert_eq!(tab.text(row_of(&app, "client-id")), "2882341273");
    assert_eq!(tab.text(row_of(&app, "role")), "subscriber");
    // An edit re-signs it with the tab's credentials.
    type_into(&mut app, "topic", "lobby");
    assert_eq!(claims(&app)["services"][0]["channel"], "lobby");
    assert_eq!(
        app.shown.as_ref().unwrap().report.signature,
        Signature::Valid
    );
}

// ---- the generic view: a JWT of no platform ----

/// An Ed25519 key made for the test: its private and public JWKs.
fn ed25519_jwks(seed: u8) -> (String, String) {
    let signing = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    let b64 = |bytes: &[u8]| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    };
    let x = b64(signing.verifying_key().as_bytes());
    let d = b64(signing.as_bytes());
    (
        json!({"kty": "OKP", "crv": "Ed25519", "x": x, "d": d, "kid": "test-ed"}).to_string(),
        json!({"kty": "OKP", "crv": "Ed25519", "x": x, "kid": "test-ed"}).to_string(),
    )
}

/// A token of no platform, signed by `private_jwk` with `alg`.
fn foreign_token(private_jwk: &str, alg: tokenbench::token::Alg) -> String {
    let keys = tokenbench::token::keys::parse(private_jwk.as_bytes()).unwrap();
    let signer = tokenbench::token::Signer::new(alg, &keys.keys[0]).unwrap();
    let claims = json!({
        "iss": "https://issuer.example", "sub": "user-7", "aud": "api",
        "iat": start().timestamp(), "exp": start().timestamp() + 3600, "jti": "j-1"
    });
    tokenbench::token::jwt::encode(
        &json!({"alg": alg.name(), "typ": "JWT", "kid": "test-ed"}),
        claims.as_object().unwrap(),
        &signer,
    )
    .unwrap()
}

fn signature(app: &App) -> Signature {
    app.shown
        .as_ref()
        .expect("a token is shown")
        .report
        .signature
}

/// Focuses row `index` of the generic view and types `text` over it.
fn type_into_generic(app: &mut App, index: usize, text: &str) {
    while app.generic.as_ref().unwrap().row != index {
        update(app, Action::NextField);
    }
    run(
        app,
        [Action::Activate, Action::CursorEnd, Action::ClearToStart],
    );
    update(app, Action::Paste(text.to_string()));
    update(app, Action::EndEdit);
}

#[test]
fn a_jwt_of_no_platform_opens_the_generic_view_and_a_pasted_key_checks_it() {
    let (private, public) = ed25519_jwks(7);
    let token = foreign_token(&private, tokenbench::token::Alg::EdDsa);
    let mut app = app();
    update(&mut app, Action::Paste(token.clone()));
    assert!(app.generic.is_some(), "the generic view is open");
    assert_eq!(
        app.shown.as_ref().unwrap().origin,
        Origin::Inspected { known: false }
    );
    assert_eq!(signature(&app), Signature::Unverified);
    assert!(rules(&app).contains(&"jwt.unverified"));
    // A key pasted anywhere on the view goes into the key box.
    update(&mut app, Action::Paste(public.clone()));
    assert_eq!(signature(&app), Signature::Valid);
    assert_eq!(super_token(&app), token, "the pasted token, byte for byte");
    let shown = screen(&app, 120, 40);
    assert!(shown.contains("signature valid"), "{shown}");
    assert!(shown.contains("✓ an Ed25519 public key (JWK"), "{shown}");
    assert!(shown.contains("issuer: who minted it"), "{shown}");
    assert!(
        shown.contains("expires: 2026-11-22 11:00:00 UTC, in 1h"),
        "{shown}"
    );
    // The key stays for the next token of the issuer.
    update(&mut app, Action::Paste(token));
    assert_eq!(signature(&app), Signature::Valid);
}

fn super_token(app: &App) -> String {
    token(app)
}

#[test]
fn the_generic_view_edits_header_and_payload_as_json_and_re_signs_with_a_private_key() {
    let (private, public) = ed25519_jwks(9);
    let token = foreign_token(&private, tokenbench::token::Alg::EdDsa);
    let mut app = app();
    update(&mut app, Action::Paste(token.clone()));
    type_into_generic(&mut app, 0, &public);
    // The payload changed with only a public key: the old signature is kept, and fails.
    type_into_generic(&mut app, 2, r#"{"sub":"someone-else","exp":1795345200}"#);
    assert_eq!(claims(&app)["sub"], "someone-else");
    assert_eq!(signature(&app), Signature::Invalid);
    let generic = app.generic.as_ref().unwrap();
    assert!(matches!(&generic.signing, Some(Err(why)) if why.contains("cannot make one")));
    // JSON that does not read is shown under its row; the token keeps the last good payload.
    type_into_generic(&mut app, 2, r#"{"sub": "x",}"#);
    let generic = app.generic.as_ref().unwrap();
    assert!(
        generic
            .payload_error
            .as_deref()
            .unwrap()
            .starts_with("not JSON"),
        "{:?}",
        generic.payload_error
    );
    assert_eq!(claims(&app)["sub"], "someone-else");
    assert!(screen(&app, 120, 40).contains("✗ not JSON"));
    // The private key re-signs; a custom header field is kept in what is signed.
    type_into_generic(&mut app, 0, &private);
    type_into_generic(&mut app, 2, r#"{"sub":"someone-else","exp":1795345200}"#);
    type_into_generic(
        &mut app,
        1,
        r#"{"alg":"EdDSA","typ":"at+jwt","kid":"test-ed","x-tenant":"t1"}"#,
    );
    assert_eq!(signature(&app), Signature::Valid);
    let header = app.shown.as_ref().unwrap().report.header.clone().unwrap();
    assert_eq!(header["x-tenant"], "t1");
    assert_eq!(header["typ"], "at+jwt");
    let resigned = super_token(&app);
    assert_ne!(resigned, token);
    let report = tokenbench::report::inspect(
        &resigned,
        None,
        tokenbench::report::KeyChoice::Given(&tokenbench::secret::Secret::new(public)),
        start(),
    )
    .unwrap();
    assert_eq!(
        report.signature,
        Signature::Valid,
        "it verifies outside too"
    );
    // Esc leaves the generic view for the form's token.
    run(&mut app, [Action::Back, Action::Back]);
    assert!(app.generic.is_none());
    assert_eq!(app.shown.as_ref().unwrap().origin, Origin::Minted);
}

#[test]
fn the_generic_view_names_key_confusion_and_alg_none() {
    let (_, public) = ed25519_jwks(3);
    let mut app = app();
    let forged = tokenbench::token::jwt::encode(
        &json!({"alg": "HS256", "typ": "JWT"}),
        json!({"sub": "admin", "exp": start().timestamp() + 60})
            .as_object()
            .unwrap(),
        &tokenbench::token::Signer::hs256(&tokenbench::secret::Secret::new(public.clone())),
    )
    .unwrap();
    update(&mut app, Action::Paste(forged));
    update(&mut app, Action::Paste(public));
    assert_eq!(signature(&app), Signature::Invalid);
    assert!(
        rules(&app).contains(&"jwt.key-confusion"),
        "{:?}",
        rules(&app)
    );
    assert!(!rules(&app).contains(&"jwt.signature-invalid"));
    update(
        &mut app,
        Action::Paste("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.".into()),
    );
    assert!(rules(&app).contains(&"jwt.alg-none"));
}

#[test]
fn snapshot_of_the_generic_view() {
    let (private, public) = ed25519_jwks(5);
    let token = foreign_token(&private, tokenbench::token::Alg::EdDsa);
    let mut app = app();
    update(&mut app, Action::Paste(token));
    snapshot("generic_no_key", &app);
    update(&mut app, Action::Paste(public));
    snapshot("generic_verified", &app);
}

#[test]
fn livekit_grants_are_toggles_over_the_roles_and_a_room_config_says_its_json_errors_inline() {
    let mut app = app();
    switch_to(&mut app, "livekit");
    assert_eq!(claims(&app)["video"]["canPublish"], true);
    let can_publish = app
        .tab()
        .rows()
        .into_iter()
        .find(|row| app.tab().label(*row) == " canPublish")
        .unwrap();
    focus_row(&mut app, can_publish);
    // Not set: what the role gives, said on the row.
    assert!(screen(&app, 120, 40).contains("◂ (true) ▸"));
    update(&mut app, Action::Right);
    assert_eq!(claims(&app)["video"]["canPublish"], true);
    update(&mut app, Action::Right);
    assert_eq!(claims(&app)["video"]["canPublish"], false);
    assert!(rules(&app).contains(&"livekit.effective-permissions"));
    update(&mut app, Action::Right);
    assert_eq!(
        claims(&app)["video"]["canPublish"],
        true,
        "back to the role's"
    );
    // A letter picks the choice it starts.
    update(&mut app, Action::TypeToEdit('f'));
    assert_eq!(claims(&app)["video"]["canPublish"], false);
    // The role preset under the toggles.
    focus(&mut app, "role");
    update(&mut app, Action::Right);
    assert_eq!(claims(&app)["video"]["canSubscribe"], true);
    assert_eq!(claims(&app)["video"]["roomJoin"], true);

    type_into(&mut app, "metadata", "{\"tier\":\"gold\"}");
    type_into(&mut app, "attributes", "team=blue; seat=3");
    assert_eq!(claims(&app)["metadata"], "{\"tier\":\"gold\"}");
    assert_eq!(
        claims(&app)["attributes"],
        json!({"team": "blue", "seat": "3"})
    );

    type_into(&mut app, "room-config", "{\"agents\": [");
    let drawn = screen(&app, 120, 40);
    assert!(drawn.contains("✗ not JSON"), "{drawn}");
    assert!(
        app.stale.is_some(),
        "the last good token stays, marked stale"
    );
    type_into(
        &mut app,
        "room-config",
        "{\"agents\": [{\"agentName\": \"helper\"}]}",
    );
    assert!(!screen(&app, 120, 40).contains("✗ not JSON"));
    assert_eq!(
        claims(&app)["roomConfig"],
        json!({"agents": [{"agentName": "helper"}]})
    );
}

/// A LiveKit token signed with the demo secret, with this header and these claims.
fn livekit_token(header: serde_json::Value, claims: serde_json::Value) -> String {
    let platform = tokenbench::platform::by_id("livekit").unwrap();
    let secret = platform.demo_credentials().secret;
    let signer = tokenbench::token::jwt::Signer::hs256(&secret);
    tokenbench::token::jwt::encode(&header, claims.as_object().unwrap(), &signer).unwrap()
}

#[test]
fn a_pasted_livekit_token_of_node_or_python_fills_the_form() {
    let nbf = start().timestamp();
    // livekit-server-sdk: {"alg":"HS256"}, only the grants given; livekit-api: typ too, and
    // canPublish, canSubscribe, canPublishData written as true.
    let node = livekit_token(
        json!({"alg": "HS256"}),
        json!({"name": "Bob", "video": {"room": "stage", "roomJoin": true, "canPublish": false},
               "metadata": "m", "attributes": {"team": "blue"},
               "iss": "APIdemoTokenbench", "exp": nbf + 600, "nbf": nbf, "sub": "bob"}),
    );
    let python = livekit_token(
        json!({"alg": "HS256", "typ": "JWT"}),
        json!({"video": {"roomJoin": true, "room": "stage", "canPublish": true,
               "canSubscribe": true, "canPublishData": true},
               "sub": "carol", "iss": "APIdemoTokenbench", "nbf": nbf, "exp": nbf + 600}),
    );
    for (pasted, identity, role) in [(&node, "bob", "none"), (&python, "carol", "participant")] {
        let mut app = app();
        update(&mut app, Action::Paste(pasted.clone()));
        assert_eq!(app.tab().platform.id(), "livekit");
        let view = app.shown.as_ref().unwrap();
        assert_eq!(view.report.signature, Signature::Valid);
        assert_eq!(app.tab().text(row_of(&app, "client-id")), identity);
        assert_eq!(app.tab().text(row_of(&app, "topic")), "stage");
        assert_eq!(app.tab().text(row_of(&app, "role")), role);
        assert_eq!(app.tab().text(row_of(&app, "expiry")), "10m");
        // Any edit re-signs from the filled form: the same grants.
        let before = claims(&app);
        type_into(&mut app, "name", "Dave");
        let after = claims(&app);
        assert_eq!(after["name"], "Dave");
        assert_eq!(after["video"], before["video"], "{pasted}");
        assert_eq!(after["sub"], before["sub"]);
    }
}

/// Types each (label, text) into the lab's row of that label.
fn lab_scenario(app: &mut App, fields: &[(&str, &str)]) {
    for (label, text) in fields {
        let model = app
            .lab
            .model(app.shown.as_ref().and_then(|v| v.report.platform));
        let rows = app.lab.rows(model);
        let index = rows
            .iter()
            .position(|f| f.label() == *label)
            .unwrap_or_else(|| panic!("no lab row {label}"));
        app.lab.row = index;
        run(app, [Action::Activate, Action::ClearToStart]);
        run(app, typing(text));
        update(app, Action::EndEdit);
    }
}

#[test]
fn an_empty_session_field_shows_the_made_up_session_the_token_holds() {
    for platform in ["vonage", "opentok"] {
        let mut app = app();
        switch_to(&mut app, platform);
        let session = claims(&app)["session_id"]
            .as_str()
            .unwrap_or_else(|| panic!("{platform}: a session_id claim"))
            .to_string();
        let shown = screen(&app, 200, 40);
        let line = shown
            .lines()
            .find(|l| l.contains("session id"))
            .unwrap_or_else(|| panic!("{platform}: a session id row\n{shown}"));
        // The form's column cuts the long id; what it shows is the id's start.
        let shown_id = line
            .split("(empty: made up ")
            .nth(1)
            .and_then(|rest| rest.split(['…', ')']).next())
            .unwrap_or_else(|| panic!("{platform}: {line}"));
        assert!(
            shown_id.len() >= 16 && session.starts_with(shown_id),
            "{platform}: {shown_id} is not the start of {session}"
        );
        // A session typed in replaces it, and the placeholder goes.
        focus(&mut app, "topic");
        update(&mut app, Action::Activate);
        for c in "1_MX4xMjM0NX5-real".chars() {
            update(&mut app, Action::Insert(c));
        }
        update(&mut app, Action::EndEdit);
        assert_eq!(claims(&app)["session_id"], "1_MX4xMjM0NX5-real");
        assert!(!screen(&app, 200, 40).contains("made up"), "{platform}");
    }
}

#[test]
fn a_twenty_kilobyte_burst_of_keys_through_the_loop_is_a_few_batches() {
    let mut app = app();
    focus(&mut app, "client-id");
    let mints = app.mints;
    let mut events: VecDeque<Event> = (0..20_000)
        .map(|i| ch(if i % 2 == 0 { 'a' } else { 'b' }))
        .collect();
    events.push_back(ctrl('q'));
    let frames = frames_of(&mut app, &mut Script(events));
    let data = claims(&app)["user_identity"].clone();
    assert_eq!(data.as_str().map(str::len), Some(20_000), "{data:.40}");
    // A batch ends after 30 ms of input even in a flood, so a slow build may take a few; a key
    // a frame (20 000) or a mint a key is what this would catch.
    assert!(frames <= 40, "{frames} frames");
    assert!(
        app.mints - mints <= frames as u64,
        "{} mints",
        app.mints - mints
    );
}

#[test]
fn the_mouse_cycles_a_choice_both_ways_and_the_wheel_scrolls() {
    let mut app = app();
    let (width, height) = (120, 40);
    let event = |app: &App, kind, column, row| {
        let mouse = Event::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        });
        to_action(app, &hits(app, width, height), mouse)
    };
    let role_line = screen(&app, width, height)
        .lines()
        .position(|l| l.contains("◂ host ▸"))
        .unwrap() as u16;
    let arrow = |app: &App, glyph: &str| {
        let drawn = render(app, width, height);
        (0..width / 2)
            .find(|x| drawn.backend().buffer()[(*x, role_line)].symbol() == glyph)
            .unwrap()
    };
    let left = MouseEventKind::Down(MouseButton::Left);
    let next = event(&app, left, arrow(&app, "▸"), role_line).unwrap();
    update(&mut app, next);
    assert_eq!(claims(&app)["role_type"], 0);
    let back = event(&app, left, arrow(&app, "◂"), role_line).unwrap();
    update(&mut app, back);
    assert_eq!(claims(&app)["role_type"], 1, "◂ cycles back");
    let claims_line = screen(&app, width, height)
        .lines()
        .position(|l| l.contains("\"version\""))
        .unwrap() as u16;
    let click = event(&app, left, 60, claims_line).unwrap();
    update(&mut app, click);
    assert_eq!(app.pane, Pane::Claims);
    let wheel = event(&app, MouseEventKind::ScrollDown, 60, claims_line).unwrap();
    update(&mut app, wheel);
    assert_eq!(app.scroll, 1, "the wheel scrolls the pane in focus");
    let wheel = event(&app, MouseEventKind::ScrollUp, 60, claims_line).unwrap();
    update(&mut app, wheel);
    assert_eq!(app.scroll, 0);
}

#[test]
fn a_tick_that_changes_nothing_on_screen_draws_no_frame() {
    // A manual clock stands still, as a paused one does: its ticks show nothing new.
    let mut app = app();
    let mut session = Session(VecDeque::from([
        Step::Tick,
        Step::Tick,
        press(ctrl('l')),
        Step::Tick,
        press(ctrl('q')),
    ]));
    assert_eq!(
        frames_of(&mut app, &mut session),
        2,
        "the first frame and the lab's, none for the ticks"
    );
}

#[test]
fn a_fast_clock_ticks_once_a_real_second_and_a_normal_one_on_its_seconds() {
    let mut app = app();
    app.clock.jump_to(start() + TimeDelta::milliseconds(400));
    let normal = until_next_tick(&app);
    assert_eq!(
        normal,
        Duration::from_millis(601),
        "to the next whole second"
    );
    for speed in [10, 60, 600] {
        app.clock.set_speed(speed);
        assert_eq!(until_next_tick(&app), Duration::from_secs(1), "×{speed}");
    }
    app.clock.set_speed(1);
    app.clock.set_paused(true);
    assert_eq!(until_next_tick(&app), Duration::from_secs(1), "paused");
}

#[test]
fn the_labs_clock_hint_lists_only_keys_that_work_where_the_focus_is() {
    let mut app = app();
    update(&mut app, Action::ToggleLab);
    let on_choice = screen(&app, 120, 40);
    assert!(on_choice.contains("] +1m"), "{on_choice}");
    // On a text row a `]` would be typed: the hint gives the function keys instead.
    update(&mut app, Action::NextField);
    update(&mut app, Action::NextField);
    assert!(app.on_text_field(), "join at is a text row");
    let on_text = screen(&app, 120, 40);
    assert!(!on_text.contains("] +1m"), "{on_text}");
    assert!(on_text.contains("F8 faster"), "{on_text}");
    assert!(on_text.contains("off a text row"), "{on_text}");
    let clock = app.clock.now();
    for c in "]".chars() {
        let action = to_action(&app, &hits(&app, 120, 40), ch(c)).unwrap();
        update(&mut app, action);
    }
    assert_eq!(app.clock.now(), clock, "typed, not a clock jump");
}

#[test]
fn a_private_key_typed_in_checks_the_tokens_it_signs_once_prepared() {
    let mut app = app();
    switch_to(&mut app, "vonage");
    type_into(&mut app, "secret", "@assets/demo/vonage-private-key.pem");
    let view = app.shown.as_ref().unwrap();
    assert_eq!(view.report.signature, Signature::Valid);
    let found = rules(&app);
    assert!(
        !found.contains(&"demo-credentials"),
        "typed in, not the built-in credentials: {found:?}"
    );
    // Every keystroke after re-signs and checks with the key prepared once.
    type_into(&mut app, "topic", "1_MX4xMjM0NX5-another");
    assert_eq!(
        app.shown.as_ref().unwrap().report.signature,
        Signature::Valid
    );
    // Ably's API key names its key before the ':': read whole, as a given secret is.
    switch_to(&mut app, "ably");
    type_into(
        &mut app,
        "secret",
        "appId.keyId:a-secret-typed-into-the-workbench-0123",
    );
    assert_eq!(
        app.shown.as_ref().unwrap().report.signature,
        Signature::Valid,
        "{:?}",
        rules(&app)
    );
}
