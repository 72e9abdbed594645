use std::borrow::Cow;

use automerge::{AutomergeError, ObjId, ObjType, Value};
use autosurgeon::reconcile::LoadKey;
use autosurgeon::{Prop, ReadDoc, Reconcile, ReconcileError, Reconciler};

use super::read::{Path, Reader, Source, SurgeonDoc, hydrate_leniently};
use super::write::put_opt_str;

/// One count on the client's record (an item of `offenses`).
///
/// Reconciling a list of offenses matches items by [`id`](Self::id), so two devices editing the
/// same count meet on the same list item whatever the order of the list.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Offense {
    /// A device-generated identity for the list item (a UUID string), so concurrent edits of a
    /// count from two devices meet on the same item.
    pub id: Option<String>,
    /// The citation as written on the record.
    pub citation: Option<String>,
    /// The charge as written (shown to reviewers, not used for decisions).
    pub charge_text: Option<String>,
    /// A [`Substance`](crate::Substance) word.
    pub substance: Option<String>,
    /// A [`Conduct`](crate::Conduct) word.
    pub conduct: Option<String>,
    /// ISO `YYYY-MM-DD`.
    pub offense_date: Option<String>,
    /// A [`Disposition`](crate::Disposition) word.
    pub disposition: Option<String>,
    /// ISO `YYYY-MM-DD` of the arrest, charge or conviction `disposition` refers to.
    pub disposition_date: Option<String>,
    /// A [`Jurisdiction`](crate::Jurisdiction) word.
    pub jurisdiction: Option<String>,
    /// A [`StatusAtOffense`](crate::StatusAtOffense) word overriding the person's default.
    pub status_at_offense: Option<String>,
    /// The court's name.
    pub court_name: Option<String>,
    /// Docket or case number.
    pub docket_number: Option<String>,
}

impl Offense {
    pub(crate) fn read_from<S: Source>(
        r: &mut Reader<'_, S>,
        obj: &ObjId,
        path: &Path<'_>,
    ) -> Result<Self, AutomergeError> {
        Ok(Self {
            id: r.string(obj, "id", path)?,
            citation: r.string(obj, "citation", path)?,
            charge_text: r.string(obj, "charge_text", path)?,
            substance: r.string(obj, "substance", path)?,
            conduct: r.string(obj, "conduct", path)?,
            offense_date: r.string(obj, "offense_date", path)?,
            disposition: r.string(obj, "disposition", path)?,
            disposition_date: r.string(obj, "disposition_date", path)?,
            jurisdiction: r.string(obj, "jurisdiction", path)?,
            status_at_offense: r.string(obj, "status_at_offense", path)?,
            court_name: r.string(obj, "court_name", path)?,
            docket_number: r.string(obj, "docket_number", path)?,
        })
    }
}

hydrate_leniently!(Offense);

impl Reconcile for Offense {
    type Key<'a> = Cow<'a, str>;

    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        let mut m = reconciler.map()?;
        put_opt_str(&mut m, "id", self.id.as_deref())?;
        put_opt_str(&mut m, "citation", self.citation.as_deref())?;
        put_opt_str(&mut m, "charge_text", self.charge_text.as_deref())?;
        put_opt_str(&mut m, "substance", self.substance.as_deref())?;
        put_opt_str(&mut m, "conduct", self.conduct.as_deref())?;
        put_opt_str(&mut m, "offense_date", self.offense_date.as_deref())?;
        put_opt_str(&mut m, "disposition", self.disposition.as_deref())?;
        put_opt_str(&mut m, "disposition_date", self.disposition_date.as_deref())?;
        put_opt_str(&mut m, "jurisdiction", self.jurisdiction.as_deref())?;
        put_opt_str(
            &mut m,
            "status_at_offense",
            self.status_at_offense.as_deref(),
        )?;
        put_opt_str(&mut m, "court_name", self.court_name.as_deref())?;
        put_opt_str(&mut m, "docket_number", self.docket_number.as_deref())?;
        Ok(())
    }

    fn key(&self) -> LoadKey<Self::Key<'_>> {
        self.id
            .as_deref()
            .map_or(LoadKey::KeyNotFound, |id| LoadKey::Found(Cow::Borrowed(id)))
    }

    /// The `id` of the item at `prop`, read as a scalar string or a Text object so items written
    /// by JS devices match too.
    fn hydrate_key<'a, D: ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
        prop: Prop<'_>,
    ) -> Result<LoadKey<Self::Key<'a>>, ReconcileError> {
        let Some((Value::Object(ObjType::Map | ObjType::Table), item)) = doc.get(obj, &prop)?
        else {
            return Ok(LoadKey::KeyNotFound);
        };
        let src = SurgeonDoc(doc);
        let mut reader = Reader::lenient(&src);
        Ok(match reader.string(&item, "id", &Path::Root)? {
            Some(id) => LoadKey::Found(Cow::Owned(id)),
            None => LoadKey::KeyNotFound,
        })
    }
}

#[cfg(test)]
mod tests {
    use automerge::AutoCommit;
    use claims::assert_ok;

    use crate::intake::test_support::textify;
    use crate::{Intake, Offense, read_intake, write_device_fields};

    fn offense(id: &str, conduct: &str) -> Offense {
        Offense {
            id: Some(id.into()),
            conduct: Some(conduct.into()),
            ..Offense::default()
        }
    }

    fn edits_on_two_devices_meet_on_the_same_offense(as_text: bool) {
        let start = Intake {
            offenses: vec![offense("a", "possession"), offense("b", "use")],
            ..Intake::new()
        };
        let mut one = AutoCommit::new();
        assert_ok!(write_device_fields(&mut one, &start));
        if as_text {
            textify(&mut one, &automerge::ROOT);
        }
        let mut two = one.fork();

        // Device one corrects count b; device two drops count a and adds a count in front.
        let mut edit = assert_ok!(read_intake(&one));
        edit.offenses[1].conduct = Some("attempted_possession".into());
        assert_ok!(write_device_fields(&mut one, &edit));
        let mut edit = assert_ok!(read_intake(&two));
        edit.offenses = vec![offense("c", "distribution"), edit.offenses[1].clone()];
        assert_ok!(write_device_fields(&mut two, &edit));

        assert_ok!(one.merge(&mut two));
        let merged = assert_ok!(read_intake(&one)).offenses;
        assert_eq!(
            merged,
            [
                offense("c", "distribution"),
                offense("b", "attempted_possession")
            ]
        );
    }

    #[test]
    fn concurrent_edits_meet_on_the_offense_with_the_same_id() {
        edits_on_two_devices_meet_on_the_same_offense(false);
    }

    #[test]
    fn offenses_with_text_ids_are_matched_too() {
        edits_on_two_devices_meet_on_the_same_offense(true);
    }
}
