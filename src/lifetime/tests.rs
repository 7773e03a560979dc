//! Helpers for the models' tests, and the properties every model shares.

use super::*;

/// 2026-11-22T10:15:40Z.
const IAT: i64 = 1_795_342_540;

pub(super) fn token(ttl_secs: i64) -> TokenTimes {
    TokenTimes::from_unix(IAT, IAT + ttl_secs).unwrap()
}

pub(super) fn secs(s: i64) -> i64 {
    s * 1_000
}

/// Each event as (whole seconds, actor, event, confidence); the detail the tests compare.
pub(super) fn outline(events: &[Event]) -> Vec<(i64, &'static str, &'static str, &'static str)> {
    events
        .iter()
        .map(|e| {
            assert_eq!(e.t_ms % 1_000, 0, "{e:?} is not on a whole second");
            (
                e.t_ms / 1_000,
                e.actor.as_str(),
                e.event,
                e.confidence.as_str(),
            )
        })
        .collect()
}

#[test]
fn model_ids_round_trip() {
    for &model in Model::all() {
        assert_eq!(Model::from_id(model.id()), Some(model));
    }
    assert_eq!(Model::all().len(), 6);
    assert_eq!(Model::from_id("Zoom"), None);
}

#[test]
fn default_end_covers_exp_and_every_scenario_time_with_a_margin() {
    let times = token(900);
    assert_eq!(Scenario::default().end(&times), secs(900 + 120));
    assert_eq!(Scenario::default().end(&token(7_200)), secs(7_200 + 720));
    let late_drop = Scenario {
        drop_at: Some(secs(2_000)),
        offline_for: secs(100),
        ..Scenario::default()
    };
    assert_eq!(late_drop.end(&times), secs(2_100 + 120));
    let renewed = Scenario {
        renew_at: Some(secs(880)),
        ..Scenario::default()
    };
    assert_eq!(renewed.end(&times), secs(1_780 + 120));
    assert_eq!(
        Scenario {
            until: Some(5),
            ..Scenario::default()
        }
        .end(&times),
        5
    );
    // exp before iat still ends after the join.
    assert_eq!(Scenario::default().end(&token(-60)), secs(120));
}

#[test]
fn nothing_after_until_is_simulated() {
    let scenario = Scenario {
        until: Some(secs(100)),
        ..Scenario::default()
    };
    for &model in Model::all() {
        let timeline = simulate(model, &token(900), &scenario);
        assert!(timeline.iter().all(|e| e.t_ms <= secs(100)), "{model:?}");
    }
}

#[test]
fn without_a_join_only_the_token_expires() {
    let scenario = Scenario {
        join_at: None,
        ..Scenario::default()
    };
    for &model in Model::all() {
        let timeline = simulate(model, &token(1_800), &scenario);
        assert_eq!(
            outline(&timeline)
                .iter()
                .map(|e| (e.0, e.2))
                .collect::<Vec<_>>(),
            [(1_800, "exp")],
            "{model:?}"
        );
        assert!(
            timeline[0]
                .outcome
                .starts_with("the token expires; a join now: "),
            "{model:?}"
        );
    }
}

#[test]
fn a_join_at_exp_never_gets_in_with_the_expired_token() {
    for &model in Model::all() {
        let scenario = Scenario {
            join_at: Some(secs(1_800)),
            ..Scenario::default()
        };
        let timeline = simulate(model, &token(1_800), &scenario);
        let join = timeline
            .iter()
            .find(|e| e.actor == Actor::Client || e.event == "auth-token-expired")
            .unwrap();
        assert!(
            join.outcome.starts_with("refused") || join.event == "auth-token-expired",
            "{model:?}: {}",
            join.outcome
        );
    }
}

#[test]
fn expiry_summaries_label_what_is_unconfirmed() {
    for &model in Model::all() {
        assert!(!expiry_summary(model).is_empty());
    }
    assert!(expiry_summary(Model::Zoom).contains("(unconfirmed for the Video SDK)"));
    assert!(expiry_summary(Model::Relaybox).contains("(unconfirmed)"));
    assert!(expiry_summary(Model::Vonage).contains("1004"));
}

#[test]
fn a_token_nobody_can_join_with_has_no_connected_client_either() {
    for &model in Model::all() {
        let status = status_at(model, &token(-60), 0);
        assert!(!status.joining.in_session, "{model:?}");
        assert!(!status.connected.in_session, "{model:?}");
    }
}
