use crate::{DocumentOwner, OwnedKind, Principal};

/// How a user reaches an intake: the one rule that sync access, the index documents and the
/// review pages all follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntakeReach {
    /// Always (a supervisor or admin of its clinic, or its creator).
    Always,
    /// Only while it is assigned to them.
    IfAssigned,
    /// Never (another clinic, or not an intake).
    Never,
}

/// How `who` reaches the document `owner` describes.
#[must_use]
pub fn intake_reach(who: &Principal, owner: &DocumentOwner) -> IntakeReach {
    if owner.clinic_id != who.clinic_id || owner.kind != OwnedKind::Intake {
        IntakeReach::Never
    } else if who.sees_whole_clinic() || owner.created_by_user == who.user_id {
        IntakeReach::Always
    } else {
        IntakeReach::IfAssigned
    }
}
