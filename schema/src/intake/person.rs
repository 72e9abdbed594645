use automerge::{AutomergeError, ObjId};
use autosurgeon::reconcile::NoKey;
use autosurgeon::{Reconcile, Reconciler};

use super::read::{Path, Reader, Source, hydrate_leniently};
use super::write::{put_opt_str, put_strings};

/// Identity, contact and status of the client (`person` in the document).
///
/// The three status fields are the rules inputs of `RULES.md` section 5; see
/// [`Intake::facts`](crate::Intake::facts) for their typed reading.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Person {
    /// Full legal name.
    pub legal_name: Option<String>,
    /// Other names, including names used at the time of a case.
    pub other_names: Vec<String>,
    /// ISO `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    /// Place of birth as the client states it.
    pub place_of_birth: Option<String>,
    /// Mailing address.
    pub address: Option<String>,
    /// Email address (may be a helper's).
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// A [`StatusNow`](crate::StatusNow) word.
    pub status_now: Option<String>,
    /// `"birth"` or the ISO date the person first became an LPR or a citizen.
    pub citizen_or_lpr_since: Option<String>,
    /// A [`StatusAtOffense`](crate::StatusAtOffense) word: the default for every offense.
    pub status_at_offense: Option<String>,
    /// The A-number (LPR) or citizenship/naturalization number.
    pub a_number: Option<String>,
    /// Race, as the client states it (statistics only).
    pub race: Option<String>,
    /// Gender, as the client states it (statistics only).
    pub gender: Option<String>,
    /// Ethnicity, as the client states it (statistics only).
    pub ethnicity: Option<String>,
}

impl Person {
    pub(crate) fn read_from<S: Source>(
        r: &mut Reader<'_, S>,
        obj: &ObjId,
        path: &Path<'_>,
    ) -> Result<Self, AutomergeError> {
        Ok(Self {
            legal_name: r.string(obj, "legal_name", path)?,
            other_names: r.strings(obj, "other_names", path)?,
            date_of_birth: r.string(obj, "date_of_birth", path)?,
            place_of_birth: r.string(obj, "place_of_birth", path)?,
            address: r.string(obj, "address", path)?,
            email: r.string(obj, "email", path)?,
            phone: r.string(obj, "phone", path)?,
            status_now: r.string(obj, "status_now", path)?,
            citizen_or_lpr_since: r.string(obj, "citizen_or_lpr_since", path)?,
            status_at_offense: r.string(obj, "status_at_offense", path)?,
            a_number: r.string(obj, "a_number", path)?,
            race: r.string(obj, "race", path)?,
            gender: r.string(obj, "gender", path)?,
            ethnicity: r.string(obj, "ethnicity", path)?,
        })
    }
}

hydrate_leniently!(Person);

impl Reconcile for Person {
    type Key<'a> = NoKey;

    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        let mut m = reconciler.map()?;
        put_opt_str(&mut m, "legal_name", self.legal_name.as_deref())?;
        put_strings(&mut m, "other_names", &self.other_names)?;
        put_opt_str(&mut m, "date_of_birth", self.date_of_birth.as_deref())?;
        put_opt_str(&mut m, "place_of_birth", self.place_of_birth.as_deref())?;
        put_opt_str(&mut m, "address", self.address.as_deref())?;
        put_opt_str(&mut m, "email", self.email.as_deref())?;
        put_opt_str(&mut m, "phone", self.phone.as_deref())?;
        put_opt_str(&mut m, "status_now", self.status_now.as_deref())?;
        put_opt_str(
            &mut m,
            "citizen_or_lpr_since",
            self.citizen_or_lpr_since.as_deref(),
        )?;
        put_opt_str(
            &mut m,
            "status_at_offense",
            self.status_at_offense.as_deref(),
        )?;
        put_opt_str(&mut m, "a_number", self.a_number.as_deref())?;
        put_opt_str(&mut m, "race", self.race.as_deref())?;
        put_opt_str(&mut m, "gender", self.gender.as_deref())?;
        put_opt_str(&mut m, "ethnicity", self.ethnicity.as_deref())?;
        Ok(())
    }
}
