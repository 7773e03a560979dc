//! The lifetime lab: a scenario edited like a form, played on the lifetime model of the shown
//! token's platform (or a contrast model) against the workbench's virtual clock.
//!
//! Only the scenario's text is state; the timeline and the verdicts "now" are derived from it,
//! the shown token and the clock whenever they are drawn (the models are pure and cheap).

use chrono::{DateTime, Utc};

use crate::duration::parse_duration;
use crate::lifetime::{self, Event, Model, Scenario, Status, TokenTimes};

/// A row of the scenario form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabField {
    Model,
    JoinAt,
    DropAt,
    OfflineFor,
    ForceDisconnectAt,
    EndpointDownAt,
    EndpointUpAt,
    RenewAt,
}

/// The text rows, in order (the model row comes first and is a choice).
const TEXT_FIELDS: [LabField; 7] = [
    LabField::JoinAt,
    LabField::DropAt,
    LabField::OfflineFor,
    LabField::ForceDisconnectAt,
    LabField::EndpointDownAt,
    LabField::EndpointUpAt,
    LabField::RenewAt,
];

impl LabField {
    pub fn label(self) -> &'static str {
        match self {
            LabField::Model => "model",
            LabField::JoinAt => "join at",
            LabField::DropAt => "drop at",
            LabField::OfflineFor => "offline for",
            LabField::ForceDisconnectAt => "kick at",
            LabField::EndpointDownAt => "endpoint down",
            LabField::EndpointUpAt => "endpoint up",
            LabField::RenewAt => "renew at",
        }
    }

    /// Whether the field means anything on `model` (the endpoint is Relaybox's, renewal Agora's).
    fn applies(self, model: Model) -> bool {
        match self {
            LabField::EndpointDownAt | LabField::EndpointUpAt => model == Model::Relaybox,
            LabField::RenewAt => model == Model::Agora,
            _ => true,
        }
    }

    fn index(self) -> usize {
        TEXT_FIELDS.iter().position(|f| *f == self).unwrap_or(0)
    }
}

/// The lab's own state: whether it is open, the model chosen, the scenario as typed, the row.
#[derive(Clone, Debug)]
pub struct Lab {
    pub open: bool,
    /// A model chosen over the token's own platform (to contrast with Agora or LiveKit).
    pub chosen: Option<Model>,
    texts: [String; 7],
    pub row: usize,
}

impl Default for Lab {
    fn default() -> Self {
        let mut texts: [String; 7] = Default::default();
        texts[LabField::JoinAt.index()] = "0s".into();
        Lab {
            open: false,
            chosen: None,
            texts,
            row: 0,
        }
    }
}

impl Lab {
    /// The model played: the chosen one, else the shown token's platform's.
    pub fn model(&self, platform: Option<&str>) -> Option<Model> {
        self.chosen.or_else(|| platform.and_then(Model::from_id))
    }

    /// The rows for `model`: the model choice, then the fields that apply to it.
    pub fn rows(&self, model: Option<Model>) -> Vec<LabField> {
        std::iter::once(LabField::Model)
            .chain(
                TEXT_FIELDS
                    .into_iter()
                    .filter(|f| model.is_none_or(|m| f.applies(m))),
            )
            .collect()
    }

    pub fn current(&self, model: Option<Model>) -> LabField {
        let rows = self.rows(model);
        rows[self.row.min(rows.len() - 1)]
    }

    pub fn move_row(&mut self, model: Option<Model>, forward: bool) {
        let count = self.rows(model).len();
        self.row = if forward {
            (self.row + 1) % count
        } else {
            (self.row + count - 1) % count
        };
    }

    pub fn text(&self, field: LabField) -> &str {
        match field {
            LabField::Model => "",
            field => &self.texts[field.index()],
        }
    }

    pub fn set_text(&mut self, field: LabField, text: &str) {
        if field != LabField::Model {
            self.texts[field.index()] = text.to_string();
        }
    }

    /// Steps the model through every model, starting from the one played now.
    pub fn cycle_model(&mut self, playing: Option<Model>, forward: bool) {
        let all = Model::all();
        let at = playing.and_then(|m| all.iter().position(|x| *x == m));
        let next = match at {
            Some(i) if forward => (i + 1) % all.len(),
            Some(i) => (i + all.len() - 1) % all.len(),
            None => 0,
        };
        self.chosen = Some(all[next]);
    }

    /// The typed offset of a field in milliseconds; empty is `None`.
    fn offset(&self, field: LabField) -> Result<Option<i64>, String> {
        let text = self.text(field).trim();
        if text.is_empty() {
            return Ok(None);
        }
        parse_duration(text)
            .map(|s| Some(s.saturating_mul(1000)))
            .map_err(|e| format!("{}: {e}", field.label()))
    }

    /// The scenario as typed, or the first field that does not parse.
    pub fn scenario(&self, model: Model) -> Result<Scenario, String> {
        let given = |field: LabField| -> Result<Option<i64>, String> {
            if field.applies(model) {
                self.offset(field)
            } else {
                Ok(None)
            }
        };
        Ok(Scenario {
            join_at: given(LabField::JoinAt)?,
            drop_at: given(LabField::DropAt)?,
            offline_for: given(LabField::OfflineFor)?.unwrap_or(0),
            force_disconnect_at: given(LabField::ForceDisconnectAt)?,
            endpoint_down_at: given(LabField::EndpointDownAt)?,
            endpoint_up_at: given(LabField::EndpointUpAt)?,
            renew_at: given(LabField::RenewAt)?,
            until: None,
            seed: 0,
        })
    }
}

/// The lab's picture at one moment, derived for drawing.
pub struct Timeline {
    pub model: Model,
    pub times: TokenTimes,
    pub events: Vec<Event>,
    /// The span drawn, from iat (0) to `end_ms`.
    pub end_ms: i64,
    /// The clock's place on the span.
    pub now_ms: i64,
    pub status: Status,
}

/// Plays the scenario for a token issued at `iat` and expiring at `exp`, seen at `now`.
pub fn timeline(
    lab: &Lab,
    platform: Option<&str>,
    iat: Option<DateTime<Utc>>,
    exp: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Timeline, String> {
    let model = lab
        .model(platform)
        .ok_or("choose a model (←/→): this token's platform has no lifetime model")?;
    let (Some(iat), Some(exp)) = (iat, exp) else {
        return Err("the lab needs a token with both iat and exp".into());
    };
    let times = TokenTimes { iat, exp };
    let scenario = lab.scenario(model)?;
    let now_ms = (now - iat).num_milliseconds();
    Ok(Timeline {
        model,
        events: lifetime::simulate(model, &times, &scenario),
        end_ms: scenario.end(&times).max(now_ms),
        now_ms,
        status: lifetime::status_at(model, &times, now_ms),
        times,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_341_600 + seconds, 0).unwrap()
    }

    #[test]
    fn rows_follow_the_model() {
        let lab = Lab::default();
        let relaybox = lab.rows(Some(Model::Relaybox));
        assert!(relaybox.contains(&LabField::EndpointDownAt));
        assert!(!relaybox.contains(&LabField::RenewAt));
        let agora = lab.rows(Some(Model::Agora));
        assert!(agora.contains(&LabField::RenewAt));
        assert!(!agora.contains(&LabField::EndpointUpAt));
        assert_eq!(lab.rows(Some(Model::Zoom))[0], LabField::Model);
    }

    #[test]
    fn the_scenario_reads_typed_offsets() {
        let mut lab = Lab::default();
        lab.set_text(LabField::DropAt, "14m");
        lab.set_text(LabField::RenewAt, "1m");
        let zoom = lab.scenario(Model::Zoom).unwrap();
        assert_eq!(
            (zoom.join_at, zoom.drop_at, zoom.renew_at),
            (Some(0), Some(840_000), None)
        );
        assert_eq!(lab.scenario(Model::Agora).unwrap().renew_at, Some(60_000));
        lab.set_text(LabField::DropAt, "soon");
        assert!(
            lab.scenario(Model::Zoom)
                .unwrap_err()
                .starts_with("drop at: 'soon' is not a duration")
        );
    }

    #[test]
    fn the_model_follows_the_token_until_one_is_chosen() {
        let mut lab = Lab::default();
        assert_eq!(lab.model(Some("relaybox")), Some(Model::Relaybox));
        assert_eq!(lab.model(None), None);
        lab.cycle_model(Some(Model::Relaybox), true);
        assert_eq!(lab.model(Some("relaybox")), Some(Model::Agora));
    }

    #[test]
    fn the_timeline_places_now_on_the_span() {
        let lab = Lab::default();
        let timeline =
            timeline(&lab, Some("relaybox"), Some(at(0)), Some(at(900)), at(880)).unwrap();
        assert_eq!(timeline.now_ms, 880_000);
        assert!(timeline.end_ms >= 900_000);
        assert!(
            timeline
                .events
                .iter()
                .any(|e| e.event == "refresh" && e.t_ms == 880_000)
        );
        assert!(timeline.status.joining.in_session);
        let expired =
            super::timeline(&lab, Some("zoom"), Some(at(0)), Some(at(1800)), at(1800)).unwrap();
        assert!(!expired.status.joining.in_session);
        assert!(super::timeline(&lab, Some("zoom"), Some(at(0)), None, at(0)).is_err());
        assert!(super::timeline(&lab, None, Some(at(0)), Some(at(1)), at(0)).is_err());
    }
}
