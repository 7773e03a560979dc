//! `tokenbench platforms`: what each platform takes and allows.

use clap::Args;
use serde_json::json;

use super::{Outcome, UsageError, write_out};
use crate::duration::format_duration_compact;
use crate::platform::ALL;

#[derive(Args, Debug)]
pub struct PlatformsArgs {
    /// Print the list as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: PlatformsArgs) -> Result<Outcome, UsageError> {
    let list: Vec<_> = ALL
        .iter()
        .map(|p| {
            let env = p.env_vars();
            json!({
                "id": p.id(),
                "name": p.name(),
                "fields": p.fields(),
                "roles": p.roles(),
                "operations": p.operations(),
                "default_ttl_seconds": p.default_ttl(),
                "limits": p.lifetime_limits(),
                "env": {"key": env.key, "secret": env.secret},
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
        let env = p.env_vars();
        let fields: Vec<&str> = p.fields().iter().map(|f| f.label()).collect();
        text.push_str(&format!("{:<9} {}\n", p.id(), p.name()));
        text.push_str(&format!("          fields: {}\n", fields.join(", ")));
        if !p.roles().is_empty() {
            text.push_str(&format!("          roles: {}\n", p.roles().join(", ")));
        }
        text.push_str(&format!(
            "          expiry: default {}, {}\n",
            format_duration_compact(p.default_ttl()),
            p.lifetime_limits()
        ));
        let env_names: Vec<&str> = env.key.into_iter().chain([env.secret]).collect();
        text.push_str(&format!(
            "          credentials: {} (else demo)\n",
            env_names.join(", ")
        ));
    }
    write_out(&text);
    Ok(Outcome::Clean)
}
