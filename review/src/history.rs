//! Who wrote what in a case: every change of the document with the device, user and time the
//! server recorded when it accepted it, and the authorship of each value of an open conflict.

use std::collections::HashMap;

use automerge::AutoCommit;
use fieldclinic_schema::FieldConflict;
use serde::Serialize;

use fieldclinic_domain::clock::{rfc3339_change_time, rfc3339_millis};
use fieldclinic_domain::{ChangeAuthor, DeviceId, UserId};

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Author {
    /// A device synced it (volunteers' devices; `user_id` is the device's user).
    Device {
        /// The device.
        device_id: DeviceId,
        /// Its user.
        user_id: Option<UserId>,
    },
    /// A signed-in person through the API (a supervisor's review or resolution).
    User {
        /// The person.
        user_id: UserId,
    },
    /// The server itself (eligibility determinations), or a change from before authorship was
    /// recorded.
    Server,
}

/// One change of the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    /// Hex change hash.
    pub change_hash: String,
    /// Hex Automerge actor.
    pub actor: String,
    /// The change's sequence number for its actor.
    pub seq: u64,
    /// Operations in the change.
    pub operations: usize,
    /// The commit message, if any (server changes say what they are).
    pub message: Option<String>,
    /// When the author's clock says it was made (RFC 3339; devices' clocks may be wrong).
    pub made_at: Option<String>,
    /// When the server accepted it (RFC 3339), where recorded.
    pub accepted_at: Option<String>,
    /// Who made it.
    pub author: Author,
}

/// A conflict value's authorship.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueAuthorship {
    /// The value's operation ID.
    pub value_id: String,
    /// The change that wrote it.
    pub change_hash: Option<String>,
    /// When the author's clock says it was written.
    pub made_at: Option<String>,
    /// When the server accepted it.
    pub accepted_at: Option<String>,
    /// Who wrote it.
    pub author: Author,
}

/// The document's changes, oldest first, with their authors.
#[derive(Debug)]
pub struct History {
    entries: Vec<HistoryEntry>,
    /// Per actor: (first op counter, op count, index into `entries`).
    ops: HashMap<String, Vec<(u64, u64, usize)>>,
}

impl History {
    /// Reads every change of `doc` and joins the recorded authors.
    #[must_use]
    pub fn of(doc: &mut AutoCommit, authors: &[ChangeAuthor]) -> Self {
        let by_hash: HashMap<&str, &ChangeAuthor> = authors
            .iter()
            .map(|a| (a.change_hash.as_str(), a))
            .collect();
        let mut entries = Vec::new();
        let mut ops: HashMap<String, Vec<(u64, u64, usize)>> = HashMap::new();
        for change in doc.get_changes(&[]) {
            let hash = change.hash().to_string();
            let actor = change.actor_id().to_hex_string();
            let recorded = by_hash.get(hash.as_str()).copied();
            ops.entry(actor.clone()).or_default().push((
                change.start_op().get(),
                change.len() as u64,
                entries.len(),
            ));
            entries.push(HistoryEntry {
                change_hash: hash,
                actor,
                seq: change.seq(),
                operations: change.len(),
                message: change.message().map(str::to_owned),
                made_at: rfc3339_change_time(change.timestamp()),
                accepted_at: recorded.and_then(|a| rfc3339_millis(a.at_millis)),
                author: author_of(recorded),
            });
        }
        Self { entries, ops }
    }

    /// The changes, oldest first (automerge's causal order).
    #[must_use]
    pub fn entries(&self) -> &[HistoryEntry] {
        &self.entries
    }

    /// Who wrote each value of `conflict`.
    #[must_use]
    pub fn authorship(&self, conflict: &FieldConflict) -> Vec<ValueAuthorship> {
        conflict
            .values
            .iter()
            .map(|value| {
                let entry = self.ops.get(&value.actor).and_then(|changes| {
                    changes
                        .iter()
                        .find(|(start, len, _)| (*start..start + len).contains(&value.counter))
                        .map(|(_, _, i)| &self.entries[*i])
                });
                ValueAuthorship {
                    value_id: value.id.clone(),
                    change_hash: entry.map(|e| e.change_hash.clone()),
                    made_at: entry.and_then(|e| e.made_at.clone()),
                    accepted_at: entry.and_then(|e| e.accepted_at.clone()),
                    author: entry.map_or(Author::Server, |e| e.author.clone()),
                }
            })
            .collect()
    }
}

fn author_of(recorded: Option<&ChangeAuthor>) -> Author {
    match recorded {
        Some(ChangeAuthor {
            device_id: Some(device_id),
            user_id,
            ..
        }) => Author::Device {
            device_id: *device_id,
            user_id: *user_id,
        },
        Some(ChangeAuthor {
            device_id: None,
            user_id: Some(user_id),
            ..
        }) => Author::User { user_id: *user_id },
        _ => Author::Server,
    }
}
