//! `tokenbench platforms`: what each platform takes and allows, from its field specs.

use clap::Args;
use serde_json::json;

use super::fields::options_of;
use super::{Outcome, UsageError, write_out};
use crate::duration::format_duration_compact;
use crate::platform::{ALL, FieldKind};

#[derive(Args, Debug)]
pub struct PlatformsArgs {
    /// Print the list as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: PlatformsArgs) -> Result<Outcome, UsageError> {
    let choices = |p: &dyn crate::platform::Platform, id: &str| -> Vec<&'static str> {
        p.fields()
            .iter()
            .filter(|f| f.id == id)
            .flat_map(|f| match f.kind {
                FieldKind::Choice { choices, .. } => choices.to_vec(),
                _ => Vec::new(),
            })
            .collect()
    };
    let operations = |p: &dyn crate::platform::Platform| -> Vec<&'static str> {
        p.fields()
            .iter()
            .flat_map(|f| match f.kind {
                FieldKind::Rooms { operations } => operations.to_vec(),
                _ => Vec::new(),
            })
            .collect()
    };
    let list: Vec<_> = ALL
        .iter()
        .map(|p| {
            let spec = p.credentials();
            json!({
                "id": p.id(),
                "name": p.name(),
                "fields": p.fields().iter().map(|f| f.id).collect::<Vec<_>>(),
                "options": options_of(*p),
                "roles": choices(*p, "role"),
                "operations": operations(*p),
                "default_ttl_seconds": p.default_ttl(),
                "limits": p.lifetime_limits(),
                "env": {"key": spec.key.env.first(), "secret": spec.secret.env.first()},
                "variables": spec.env_vars().collect::<Vec<_>>(),
                "routes": p.routes().iter().map(|r| r.path).collect::<Vec<_>>(),
            })
        })
        .collect();
    if args.json {
        write_out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&list).expect("JSON values serialise")
        ));
        return Ok(Outcome::Clean);
    }
    let mut text = String::new();
    for p in ALL {
        let labels: Vec<&str> = p.fields().iter().map(|f| f.label).collect();
        text.push_str(&format!("{:<9} {}\n", p.id(), p.name()));
        text.push_str(&format!("          fields: {}\n", labels.join(", ")));
        let roles = choices(*p, "role");
        if !roles.is_empty() {
            text.push_str(&format!("          roles: {}\n", roles.join(", ")));
        }
        text.push_str(&format!(
            "          expiry: default {}, {}\n",
            format_duration_compact(p.default_ttl()),
            p.lifetime_limits()
        ));
        text.push_str(&format!(
            "          options: {}\n",
            options_of(*p).join(" ")
        ));
        text.push_str(&format!(
            "          credentials: {} (else demo)\n",
            p.credentials().env_vars().collect::<Vec<_>>().join(", ")
        ));
    }
    write_out(&text);
    Ok(Outcome::Clean)
}
