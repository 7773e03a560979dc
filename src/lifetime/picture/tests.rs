use super::*;
use crate::lifetime::{EndpointTokens, playable_by_id};
use crate::platform::lifetime::testing::{secs, token};

fn model(id: &str) -> Playable {
    playable_by_id(id).unwrap()
}

/// The scenario's client at `now` (seconds), and a client joining then.
fn now(id: &str, ttl: i64, scenario: &Scenario, now: i64) -> (ClientNow, Verdict) {
    let times = token(ttl);
    let events = model(id).model.simulate(&times, scenario);
    (
        client_at(&events, scenario, secs(now)),
        joining_at(model(id).model, &times, scenario, secs(now)),
    )
}

/// The demo: endpoint down from 13 m to 16 m, the client offline from 14 m to 16 m.
fn outage() -> Scenario {
    Scenario {
        endpoint_down_at: Some(secs(780)),
        endpoint_up_at: Some(secs(960)),
        drop_at: Some(secs(840)),
        offline_for: secs(120),
        ..Scenario::default()
    }
}

#[test]
fn during_an_outage_the_client_that_dropped_stays_disconnected_and_a_joiner_is_refused() {
    let (client, joiner) = now("relaybox", 900, &outage(), 930);
    assert_eq!(client.presence, Presence::Out, "{client:?}");
    assert!(client.state_words().starts_with("disconnected since +1"));
    assert!(client.verdict.outcome.contains("stays disconnected"));
    assert!(!joiner.in_session);
    assert!(
        joiner.outcome.contains("auth endpoint did not answer"),
        "{joiner:?}"
    );
    // Before the drop it is connected, and a joiner gets in.
    let (client, joiner) = now("relaybox", 900, &outage(), 700);
    assert_eq!(client.state_words(), "connected since +00:00");
    assert!(joiner.in_session);
    // After the endpoint is back, a joiner gets in again, while the client stays out.
    let (client, joiner) = now("relaybox", 900, &outage(), 1_000);
    assert_eq!(client.presence, Presence::Out);
    assert!(joiner.in_session, "{joiner:?}");
}

#[test]
fn a_drop_reconnects_counting_attempts_while_the_network_is_down() {
    let scenario = Scenario {
        drop_at: Some(secs(100)),
        offline_for: secs(60),
        ..Scenario::default()
    };
    let (client, _) = now("relaybox", 900, &scenario, 100);
    assert_eq!(client.presence, Presence::Reconnecting { attempt: 1 });
    assert!(client.state_words().contains("attempt 1 next"));
    let (client, _) = now("relaybox", 900, &scenario, 140);
    assert!(
        matches!(client.presence, Presence::Reconnecting { attempt } if attempt > 3),
        "{client:?}"
    );
    let (client, _) = now("relaybox", 900, &scenario, 200);
    assert_eq!(client.presence, Presence::Connected, "{client:?}");
}

#[test]
fn offline_past_exp_on_zoom_is_refused_on_the_way_back() {
    let scenario = Scenario {
        drop_at: Some(secs(6_000)),
        offline_for: secs(1_800),
        ..Scenario::default()
    };
    let (client, joiner) = now("zoom", 7_200, &scenario, 6_500);
    assert_eq!(client.presence, Presence::Reconnecting { attempt: 1 });
    assert!(joiner.in_session);
    let (client, joiner) = now("zoom", 7_200, &scenario, 7_900);
    assert_eq!(client.presence, Presence::Out);
    assert!(client.verdict.outcome.contains("200"), "{client:?}");
    assert!(!joiner.in_session);
    assert!(joiner.outcome.contains("200"), "{joiner:?}");
}

#[test]
fn a_force_disconnect_after_exp_leaves_a_vonage_client_out() {
    let scenario = Scenario {
        force_disconnect_at: Some(secs(700)),
        ..Scenario::default()
    };
    let (client, _) = now("vonage", 600, &scenario, 650);
    assert_eq!(client.presence, Presence::Connected, "connected past exp");
    let (client, joiner) = now("vonage", 600, &scenario, 800);
    assert_eq!(client.presence, Presence::Out);
    assert!(
        client
            .state_words()
            .starts_with("disconnected since +11:40")
    );
    assert!(!joiner.in_session);
}

#[test]
fn agora_kicks_at_the_end_of_the_join_privilege_unless_renewed() {
    let (client, _) = now("agora", 300, &Scenario::default(), 400);
    assert_eq!(client.presence, Presence::Out);
    assert_eq!(client.state_words(), "kicked at +05:00");
    let renewed = Scenario {
        renew_at: Some(secs(250)),
        ..Scenario::default()
    };
    let (client, joiner) = now("agora", 300, &renewed, 400);
    assert_eq!(client.presence, Presence::Connected, "{client:?}");
    // A new client joins with the token played, which has run out.
    assert!(!joiner.in_session);
}

#[test]
fn an_endpoint_down_from_the_start_refuses_joins_until_it_is_back() {
    let scenario = Scenario {
        endpoint_up_at: Some(secs(30)),
        ..Scenario::default()
    };
    let (client, joiner) = now("relaybox", 900, &scenario, 10);
    assert_eq!(client.presence, Presence::Out);
    assert!(!joiner.in_session);
    let (_, joiner) = now("relaybox", 900, &scenario, 40);
    assert!(joiner.in_session);
}

#[test]
fn a_late_join_gets_a_fresh_token_unless_the_endpoint_serves_a_cached_one() {
    let fresh = Scenario {
        join_at: Some(secs(1_200)),
        ..Scenario::default()
    };
    let times = token(900);
    let relaybox = model("relaybox").model;
    let events = relaybox.simulate(&times, &fresh);
    let join = events.iter().find(|e| e.event == "join").unwrap();
    assert!(join.outcome.contains("minted a token for the request"));
    assert!(
        join.outcome.contains("valid until +35:00"),
        "{}",
        join.outcome
    );
    assert!(!events.iter().any(|e| e.event == "auth-token-expired"));
    assert!(joining_at(relaybox, &times, &fresh, secs(1_200)).in_session);

    let cached = Scenario {
        endpoint_tokens: EndpointTokens::Cached,
        ..fresh
    };
    let events = relaybox.simulate(&times, &cached);
    assert!(events.iter().any(|e| e.event == "auth-token-expired"));
    let joiner = joining_at(relaybox, &times, &cached, secs(1_200));
    assert!(joiner.outcome.contains("auth_token_expired"), "{joiner:?}");
    assert!(joiner.in_session, "it refetches and connects");
}

#[test]
fn nobody_joining_says_so() {
    let scenario = Scenario {
        join_at: None,
        ..Scenario::default()
    };
    let (client, _) = now("zoom", 600, &scenario, 100);
    assert_eq!(client.presence, Presence::NotJoined);
    assert_eq!(client.verdict.outcome, "nobody joins in this scenario");
    let later = Scenario {
        join_at: Some(secs(300)),
        ..Scenario::default()
    };
    assert_eq!(
        now("zoom", 600, &later, 100).0.verdict.outcome,
        "joins at +05:00"
    );
}

#[test]
fn the_picture_has_a_lane_per_actor_with_the_outages_bars_and_the_events_marks() {
    let times = token(900);
    let scenario = outage();
    let relaybox = model("relaybox");
    let played = [Played {
        model: relaybox,
        events: relaybox.model.simulate(&times, &scenario),
    }];
    let end = scenario.end(&times);
    let picture = Picture::of(&times, &scenario, &played, end);
    let names: Vec<String> = picture.lanes.iter().map(Lane::name).collect();
    assert_eq!(names, ["token", "client·relaybox", "endpoint", "server"]);
    let token_lane = &picture.lanes[0];
    assert_eq!(token_lane.bar_at(secs(899)), Some(Bar::Valid));
    assert_eq!(token_lane.bar_at(secs(900)), Some(Bar::Expired));
    let client = &picture.lanes[1];
    assert_eq!(client.bar_at(secs(100)), Some(Bar::Connected));
    assert_eq!(client.bar_at(secs(850)), Some(Bar::Reconnecting));
    assert_eq!(client.bar_at(secs(1_000)), Some(Bar::Out));
    let endpoint = &picture.lanes[2];
    assert_eq!(endpoint.bar_at(secs(779)), Some(Bar::EndpointUp));
    assert_eq!(endpoint.bar_at(secs(800)), Some(Bar::EndpointDown));
    assert_eq!(endpoint.bar_at(secs(960)), Some(Bar::EndpointUp));
    assert!(
        endpoint
            .markers
            .iter()
            .any(|m| m.mark == Mark::Warning && m.t_ms == secs(880))
    );
    assert!(client.markers.iter().any(|m| m.mark == Mark::Out));
    assert!(
        picture.lanes[3]
            .markers
            .iter()
            .any(|m| m.mark == Mark::Expiry)
    );
    let (bars, marks) = picture.legend();
    assert!(bars.contains(&Bar::EndpointDown) && bars.contains(&Bar::Reconnecting));
    assert!(marks.contains(&Mark::In) && marks.contains(&Mark::Lost) && marks.contains(&Mark::Out));
}

#[test]
fn agora_privileges_get_their_own_lanes() {
    let mut times = token(3_600);
    times.privileges.push(crate::lifetime::PrivilegeTime {
        name: "rtc join_channel".into(),
        ends: times.at(secs(600)),
        admits: true,
    });
    let agora = model("agora");
    let scenario = Scenario::default();
    let played = [Played {
        model: agora,
        events: agora.model.simulate(&times, &scenario),
    }];
    let picture = Picture::of(&times, &scenario, &played, scenario.end(&times));
    let lane = &picture.lanes[1];
    assert_eq!(lane.name(), "rtc join_channel");
    assert_eq!(picture.lanes.last().unwrap().kind, LaneKind::Server);
    assert_eq!(lane.bar_at(secs(599)), Some(Bar::Valid));
    assert_eq!(lane.bar_at(secs(600)), Some(Bar::Expired));
    let client = &picture.lanes[2];
    assert_eq!(
        client.bar_at(secs(700)),
        Some(Bar::Out),
        "kicked with the join privilege"
    );
}
