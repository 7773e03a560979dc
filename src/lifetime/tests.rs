//! The properties every lifetime model shares.

use proptest::prelude::*;

use super::*;
use crate::platform::lifetime::testing::{outline, secs, token};

#[test]
fn every_platform_has_a_model_and_ids_are_unique() {
    let all = playable();
    assert_eq!(all.len(), platform::ALL.len());
    for p in &all {
        assert_eq!(playable_by_id(p.id), Some(*p));
        assert_eq!(all.iter().filter(|q| q.id == p.id).count(), 1);
    }
    assert!(playable_by_id("Zoom").is_none());
}

#[test]
fn every_default_lifetime_is_one_a_client_can_join_with() {
    for Playable {
        id,
        model,
        default_ttl,
    } in playable()
    {
        let status = model.status_at(&token(default_ttl), 0);
        assert!(
            status.joining.in_session,
            "{id}: {}",
            status.joining.outcome
        );
    }
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
    for Playable { id, model, .. } in playable() {
        let timeline = model.simulate(&token(900), &scenario);
        assert!(timeline.iter().all(|e| e.t_ms <= secs(100)), "{id}");
    }
}

#[test]
fn without_a_join_only_the_token_expires() {
    let scenario = Scenario {
        join_at: None,
        ..Scenario::default()
    };
    for Playable { id, model, .. } in playable() {
        let timeline = model.simulate(&token(1_800), &scenario);
        assert_eq!(
            outline(&timeline)
                .iter()
                .map(|e| (e.0, e.2))
                .collect::<Vec<_>>(),
            [(1_800, "exp")],
            "{id}"
        );
        assert!(
            timeline[0]
                .outcome
                .starts_with("the token expires; a join now: "),
            "{id}"
        );
    }
}

#[test]
fn a_join_a_minute_after_exp_never_gets_in_with_the_expired_token() {
    // A minute: the longest clock leeway a server allows (LiveKit's).
    for Playable { id, model, .. } in playable() {
        // An endpoint that hands out this very token (one minting per request would give a
        // fresh token instead).
        let scenario = Scenario {
            join_at: Some(secs(1_860)),
            endpoint_tokens: crate::lifetime::EndpointTokens::Cached,
            ..Scenario::default()
        };
        let timeline = model.simulate(&token(1_800), &scenario);
        let join = timeline
            .iter()
            .find(|e| e.actor == Actor::Client || e.event == "auth-token-expired")
            .unwrap();
        assert!(
            join.outcome.starts_with("refused") || join.event == "auth-token-expired",
            "{id}: {}",
            join.outcome
        );
    }
}

#[test]
fn expiry_summaries_label_what_is_unconfirmed() {
    for Playable { model, .. } in playable() {
        assert!(!model.summary().is_empty());
    }
    let summary = |id| model(id).unwrap().summary();
    assert!(summary("zoom").contains("(unconfirmed for the Video SDK)"));
    assert!(summary("relaybox").contains("(unconfirmed)"));
    assert!(summary("vonage").contains("1004"));
}

#[test]
fn a_token_nobody_can_join_with_has_no_connected_client_either() {
    for Playable { id, model, .. } in playable() {
        let status = model.status_at(&token(-60), 0);
        assert!(!status.joining.in_session, "{id}");
        assert!(!status.connected.in_session, "{id}");
    }
}

#[test]
fn pathological_scenarios_stop_with_a_note_instead_of_growing_without_bound() {
    // A 21 s Relaybox token refreshes every second: a day of it is capped by events...
    let day = Scenario {
        until: Some(secs(86_400)),
        ..Scenario::default()
    };
    let timeline = model("relaybox").unwrap().simulate(&token(21), &day);
    assert!(timeline.len() <= 1_001);
    assert_eq!(timeline.last().unwrap().event, "truncated");
    // ...and an endpoint down for 30 days by steps, since its failed retries are not listed.
    let outage = Scenario {
        endpoint_down_at: Some(secs(850)),
        until: Some(secs(30 * 86_400)),
        ..Scenario::default()
    };
    let timeline = model("relaybox").unwrap().simulate(&token(900), &outage);
    assert!(timeline.len() < 10);
    let last = timeline.last().unwrap();
    assert_eq!((last.actor, last.event), (Actor::Simulator, "truncated"));
    assert!(last.outcome.contains("after 100000 steps"));
}

fn offset() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => -secs(4_000)..secs(200_000),
        1 => Just(i64::MIN),
        1 => Just(i64::MAX),
        1 => any::<i64>(),
    ]
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        (
            proptest::option::of(offset()),
            proptest::option::of(offset()),
            prop_oneof![Just(0), 0..secs(700), any::<i64>()],
            proptest::option::of(offset()),
        ),
        (
            proptest::option::of(offset()),
            proptest::option::of(offset()),
            proptest::option::of(offset()),
            proptest::option::of(offset()),
            any::<u64>(),
        ),
    )
        .prop_map(
            |(
                (join_at, drop_at, offline_for, force_disconnect_at),
                (endpoint_down_at, endpoint_up_at, renew_at, until, seed),
            )| {
                Scenario {
                    join_at,
                    drop_at,
                    offline_for,
                    force_disconnect_at,
                    endpoint_down_at,
                    endpoint_up_at,
                    renew_at,
                    // The seed's low bit picks what the endpoint hands out, so both are played.
                    endpoint_tokens: if seed % 2 == 0 {
                        crate::lifetime::EndpointTokens::Fresh
                    } else {
                        crate::lifetime::EndpointTokens::Cached
                    },
                    until,
                    seed,
                }
            },
        )
}

fn lifetime_secs() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => -100_i64..200_000,
        2 => 0_i64..40,
        1 => Just(-8_000_000_000_000_i64),
        1 => Just(8_000_000_000_000_i64),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_scenario_gives_a_bounded_timeline_in_time_order(
        ttl in lifetime_secs(),
        scenario in scenario(),
        iat in -5_000_000_000_i64..5_000_000_000,
    ) {
        let times = TokenTimes::from_unix(iat, iat.saturating_add(ttl)).unwrap();
        for Playable { id, model, .. } in playable() {
            let timeline = model.simulate(&times, &scenario);
            prop_assert!(timeline.windows(2).all(|w| w[0].t_ms <= w[1].t_ms), "{id} out of order");
            prop_assert!(timeline.len() <= 1_010, "{id}: {} events", timeline.len());
            let end = scenario.end(&times);
            prop_assert!(timeline.iter().all(|e| e.t_ms <= end));
            prop_assert_eq!(to_json(&timeline, &times).len(), timeline.len());
            prop_assert_eq!(render_table(&timeline, &times).lines().count(), timeline.len() + 1);
            for t in [i64::MIN, -1, 0, times.ttl_ms(), i64::MAX] {
                model.status_at(&times, t);
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_timeline(ttl in lifetime_secs(), scenario in scenario()) {
        let times = token(ttl);
        for Playable { model, .. } in playable() {
            prop_assert_eq!(model.simulate(&times, &scenario), model.simulate(&times, &scenario));
        }
    }
}
