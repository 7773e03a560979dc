//! Sub-forms: a field made of named groups, each in the form or not, each with fields of its
//! own ([`crate::platform::FieldKind::SubForms`]). The value is a list of `GROUP.FIELD=VALUE`
//! pairs (`--OPTION GROUP.FIELD=VALUE`, repeatable); `GROUP=` alone puts a group in with nothing
//! set, and a group's own value (a field named "") is `GROUP=VALUE`.

/// One group of a sub-forms field.
#[derive(Clone, Copy, Debug)]
pub struct SubForm {
    /// The group's name: the first part of its pairs' names.
    pub name: &'static str,
    pub label: &'static str,
    pub fields: &'static [SubField],
}

/// One field of a group.
#[derive(Clone, Copy, Debug)]
pub struct SubField {
    /// The rest of the pair's name after `GROUP.`; "" for the group's own value.
    pub name: &'static str,
    pub label: &'static str,
    pub kind: SubKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubKind {
    Text,
    /// On (`true`) or off (no pair).
    Switch,
    /// A JSON document as text.
    Json,
}

impl SubForm {
    /// The name of the pair that holds `field`.
    pub fn path(&self, field: &SubField) -> String {
        if field.name.is_empty() {
            self.name.to_string()
        } else {
            format!("{}.{}", self.name, field.name)
        }
    }

    /// Whether the pair `name` belongs to this group.
    fn owns(&self, name: &str) -> bool {
        name == self.name
            || name
                .strip_prefix(self.name)
                .is_some_and(|rest| rest.starts_with('.'))
    }
}

/// Whether the group `group` is in.
pub fn is_in(pairs: &[(String, String)], group: &SubForm) -> bool {
    pairs.iter().any(|(name, _)| group.owns(name))
}

/// The value of a field, when set (not empty).
pub fn value<'a>(
    pairs: &'a [(String, String)],
    group: &SubForm,
    field: &SubField,
) -> Option<&'a str> {
    let path = group.path(field);
    pairs
        .iter()
        .rev()
        .find(|(name, value)| *name == path && !value.is_empty())
        .map(|(_, value)| value.as_str())
}

/// The pairs in the groups' order, each group in either by its fields that are set or, with
/// none set, by `GROUP=`; pairs of no group are dropped (see [`check`]).
pub fn canonical(forms: &[SubForm], pairs: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for form in forms.iter().filter(|form| is_in(pairs, form)) {
        let set: Vec<(String, String)> = form
            .fields
            .iter()
            .filter_map(|field| {
                value(pairs, form, field).map(|v| (form.path(field), v.to_string()))
            })
            .collect();
        if set.is_empty() {
            out.push((form.name.to_string(), String::new()));
        } else {
            out.extend(set);
        }
    }
    out
}

/// Puts a group in (with nothing set) or takes it out with everything it holds.
pub fn set_in(forms: &[SubForm], pairs: &mut Vec<(String, String)>, group: &SubForm, on: bool) {
    if on {
        if !is_in(pairs, group) {
            pairs.push((group.name.to_string(), String::new()));
        }
    } else {
        pairs.retain(|(name, _)| !group.owns(name));
    }
    *pairs = canonical(forms, pairs);
}

/// Sets a field's value (empty clears it; the group stays in).
pub fn set_value(
    forms: &[SubForm],
    pairs: &mut Vec<(String, String)>,
    group: &SubForm,
    field: &SubField,
    value: &str,
) {
    let path = group.path(field);
    pairs.retain(|(name, _)| *name != path);
    pairs.push((path, value.to_string()));
    *pairs = canonical(forms, pairs);
}

/// The pairs as given, checked against the groups: each names a group or one of its fields, a
/// switch is `true` or `false` (`false` is no pair), JSON is JSON. The reason names the pair.
pub fn check(
    forms: &[SubForm],
    pairs: &[(String, String)],
) -> Result<Vec<(String, String)>, String> {
    let mut kept = Vec::new();
    for (name, value) in pairs {
        let found = forms.iter().find_map(|form| {
            if name == form.name {
                // `GROUP=` puts the group in; `GROUP=VALUE` sets its own value.
                let own = form.fields.iter().find(|f| f.name.is_empty());
                return Some((form, own));
            }
            let rest = name.strip_prefix(form.name)?.strip_prefix('.')?;
            Some((form, Some(form.fields.iter().find(|f| f.name == rest)?)))
        });
        let Some((form, field)) = found else {
            let known: Vec<String> = forms
                .iter()
                .flat_map(|form| form.fields.iter().map(move |f| form.path(f)))
                .collect();
            return Err(format!("'{name}' is not one of {}", known.join(", ")));
        };
        match (field.map(|f| f.kind), value.as_str()) {
            (None, v) if !v.is_empty() => {
                return Err(format!(
                    "'{name}' takes no value of its own: give one of its fields, or '{name}=' alone"
                ));
            }
            (Some(SubKind::Switch), "true") | (Some(SubKind::Switch), "") => {}
            (Some(SubKind::Switch), "false") => {
                kept.push((form.name.to_string(), String::new()));
                continue;
            }
            (Some(SubKind::Switch), other) => {
                return Err(format!("'{name}' is true or false, not '{other}'"));
            }
            (Some(SubKind::Json), v)
                if !v.is_empty() && serde_json::from_str::<serde_json::Value>(v).is_err() =>
            {
                return Err(format!("'{name}' takes JSON, and '{v}' is not JSON"));
            }
            _ => {}
        }
        kept.push((name.clone(), value.clone()));
    }
    Ok(canonical(forms, &kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORMS: &[SubForm] = &[
        SubForm {
            name: "video",
            label: "video",
            fields: &[],
        },
        SubForm {
            name: "voice",
            label: "voice",
            fields: &[
                SubField {
                    name: "incoming.allow",
                    label: "incoming",
                    kind: SubKind::Switch,
                },
                SubField {
                    name: "outgoing.application_sid",
                    label: "app",
                    kind: SubKind::Text,
                },
            ],
        },
        SubForm {
            name: "player",
            label: "player",
            fields: &[SubField {
                name: "",
                label: "grant",
                kind: SubKind::Json,
            }],
        },
    ];

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn groups_are_in_by_a_field_or_by_their_name_alone_in_their_order() {
        let given = pairs(&[
            ("voice.outgoing.application_sid", "AP1"),
            ("video", ""),
            ("voice", ""),
        ]);
        let canonical = canonical(FORMS, &given);
        assert_eq!(
            canonical,
            pairs(&[("video", ""), ("voice.outgoing.application_sid", "AP1")])
        );
        assert!(is_in(&canonical, &FORMS[0]) && is_in(&canonical, &FORMS[1]));
        assert!(!is_in(&canonical, &FORMS[2]));
        assert!(!is_in(&pairs(&[("voiceover", "")]), &FORMS[1]));
        assert_eq!(
            value(&canonical, &FORMS[1], &FORMS[1].fields[1]),
            Some("AP1")
        );
    }

    #[test]
    fn setting_and_clearing_keeps_the_group_in_until_it_is_taken_out() {
        let mut value_pairs = Vec::new();
        set_value(
            FORMS,
            &mut value_pairs,
            &FORMS[1],
            &FORMS[1].fields[0],
            "true",
        );
        assert_eq!(value_pairs, pairs(&[("voice.incoming.allow", "true")]));
        set_value(FORMS, &mut value_pairs, &FORMS[1], &FORMS[1].fields[0], "");
        assert_eq!(value_pairs, pairs(&[("voice", "")]));
        set_in(FORMS, &mut value_pairs, &FORMS[2], true);
        set_value(
            FORMS,
            &mut value_pairs,
            &FORMS[2],
            &FORMS[2].fields[0],
            r#"{"a":1}"#,
        );
        assert_eq!(
            value_pairs,
            pairs(&[("voice", ""), ("player", r#"{"a":1}"#)])
        );
        set_in(FORMS, &mut value_pairs, &FORMS[1], false);
        assert_eq!(value_pairs, pairs(&[("player", r#"{"a":1}"#)]));
    }

    #[test]
    fn check_names_what_does_not_fit() {
        assert_eq!(
            check(
                FORMS,
                &pairs(&[("voice.incoming.allow", "false"), ("player", "{}")])
            )
            .unwrap(),
            pairs(&[("voice", ""), ("player", "{}")])
        );
        assert!(
            check(FORMS, &pairs(&[("voice.nope", "1")]))
                .unwrap_err()
                .contains("voice.outgoing.application_sid")
        );
        assert!(
            check(FORMS, &pairs(&[("voice.incoming.allow", "yes")]))
                .unwrap_err()
                .contains("true or false")
        );
        assert!(
            check(FORMS, &pairs(&[("player", "{")]))
                .unwrap_err()
                .contains("not JSON")
        );
        assert!(
            check(FORMS, &pairs(&[("video", "x")]))
                .unwrap_err()
                .contains("no value")
        );
    }
}
