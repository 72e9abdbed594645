use automerge::{AutomergeError, ObjId};
use autosurgeon::reconcile::NoKey;
use autosurgeon::{Reconcile, Reconciler};

use super::read::{Path, Reader, Source, hydrate_leniently};
use super::write::{put_opt_str, put_records};

/// Server-owned metadata of an intake (`server` in the document), written through
/// [`write_server_section`](crate::write_server_section).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct ServerSection {
    /// Other intakes a supervisor confirmed describe the same person. Linking never merges or
    /// deletes either intake: each keeps its own record, and devices see the link.
    pub same_person: Vec<PersonLink>,
}

/// A supervisor's confirmation that another intake describes the same person.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct PersonLink {
    /// The other intake's `automerge:` URL, which a device can open.
    pub document_url: String,
    /// Who linked them.
    pub linked_by: Option<String>,
    /// RFC 3339.
    pub linked_at: String,
}

impl ServerSection {
    pub(crate) fn read_from<S: Source>(
        r: &mut Reader<'_, S>,
        obj: &ObjId,
        path: &Path<'_>,
    ) -> Result<Self, AutomergeError> {
        Ok(Self {
            same_person: r.records(obj, "same_person", path, PersonLink::read_from)?,
        })
    }
}

impl PersonLink {
    pub(crate) fn read_from<S: Source>(
        r: &mut Reader<'_, S>,
        obj: &ObjId,
        path: &Path<'_>,
    ) -> Result<Self, AutomergeError> {
        Ok(Self {
            document_url: r.string(obj, "document_url", path)?.unwrap_or_default(),
            linked_by: r.string(obj, "linked_by", path)?,
            linked_at: r.string(obj, "linked_at", path)?.unwrap_or_default(),
        })
    }
}

hydrate_leniently!(ServerSection);
hydrate_leniently!(PersonLink);

impl Reconcile for ServerSection {
    type Key<'a> = NoKey;

    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        let mut m = reconciler.map()?;
        put_records(&mut m, "same_person", &self.same_person)?;
        Ok(())
    }
}

impl Reconcile for PersonLink {
    type Key<'a> = NoKey;

    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        let mut m = reconciler.map()?;
        put_opt_str(&mut m, "document_url", Some(&self.document_url))?;
        put_opt_str(&mut m, "linked_by", self.linked_by.as_deref())?;
        put_opt_str(&mut m, "linked_at", Some(&self.linked_at))?;
        Ok(())
    }
}
