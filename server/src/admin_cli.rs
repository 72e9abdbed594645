//! `fieldclinic admin …`: the same operations as the admin API, on the server machine.

use std::io::BufRead;

use anyhow::Context;
use fieldclinic_sync::Store;
use secrecy::{ExposeSecret, SecretString};

use crate::admin;
use crate::audit::AuditActor;
use crate::cli::AdminCommand;
use crate::configuration::Settings;
use fieldclinic_stores::accounts::{AccountStore, AuditQuery, Role};

/// Runs an admin subcommand against the configured database and returns what to print.
///
/// # Errors
/// When the input is invalid or the database fails; the message says which.
pub async fn run(settings: &Settings, command: AdminCommand) -> anyhow::Result<String> {
    let url = secrecy::ExposeSecret::expose_secret(&settings.database.url).to_owned();
    fieldclinic_stores::with_store!(&url, |store| run_with(store, command).await)
}

async fn run_with<S: Store + AccountStore>(
    store: S,
    command: AdminCommand,
) -> anyhow::Result<String> {
    let actor = AuditActor::cli();
    Ok(match command {
        AdminCommand::CreateClinic { name, json, .. } => {
            let clinic = admin::create_clinic(&store, &name, &actor).await?;
            if json {
                serde_json::json!({ "clinic_id": clinic.id }).to_string()
            } else {
                clinic.id.to_string()
            }
        }
        AdminCommand::CreateUser {
            clinic,
            email,
            role,
            json,
            ..
        } => {
            let clinic = clinic.parse().context("--clinic is not a clinic ID")?;
            let role =
                Role::parse(&role).context("--role must be volunteer, supervisor or admin")?;
            let password = read_password()?;
            let user = admin::create_user(&store, clinic, &email, role, password, &actor).await?;
            if json {
                serde_json::json!({ "user_id": user.id }).to_string()
            } else {
                user.id.to_string()
            }
        }
        AdminCommand::EnrollDevice {
            clinic,
            user,
            name,
            json,
            ..
        } => {
            let clinic = clinic.parse().context("--clinic is not a clinic ID")?;
            let e = admin::enroll_device(&store, clinic, &user, &name, &actor).await?;
            if json {
                serde_json::json!({ "device_id": e.device_id, "token": e.token.expose_secret(), "index_url": e.index_url }).to_string()
            } else {
                format!(
                    "device {}\ntoken {}\nindex {}",
                    e.device_id,
                    e.token.expose_secret(),
                    e.index_url
                )
            }
        }
        AdminCommand::RevokeDevice {
            device_id, json, ..
        } => {
            let id = device_id.parse().context("not a device ID")?;
            let d = admin::revoke_device(&store, id, None, &actor).await?;
            if json {
                serde_json::json!({ "device_id": d.id, "revoked_at": d.revoked_at_millis })
                    .to_string()
            } else {
                format!("device {} revoked", d.id)
            }
        }
        AdminCommand::Audit {
            clinic,
            doc,
            limit,
            json,
            ..
        } => {
            let query = AuditQuery {
                clinic_id: clinic
                    .map(|c| c.parse())
                    .transpose()
                    .context("--clinic is not a clinic ID")?,
                doc: doc
                    .map(|d| d.parse())
                    .transpose()
                    .context("--doc is not a document ID")?,
                limit: limit.min(1000),
                ..AuditQuery::default()
            };
            let entries = store
                .query_audit(&query)
                .await
                .context("Failed to read the audit log")?;
            if json {
                serde_json::to_string_pretty(&entries)?
            } else {
                entries
                    .iter()
                    .map(|e| {
                        format!(
                            "{} {} {}:{} {} {} {}",
                            e.id,
                            e.at_millis,
                            e.actor_kind,
                            e.actor_id,
                            e.action,
                            e.doc.map(|d| d.to_string()).unwrap_or_default(),
                            e.detail
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        }
    })
}

/// The first line of stdin, so scripts can pipe a password without it appearing in `ps`.
fn read_password() -> anyhow::Result<SecretString> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("Failed to read the password from stdin")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(!password.is_empty(), "no password on stdin");
    Ok(SecretString::from(password))
}
