//! The certificate application packet of an ELIGIBLE case: the items of the DOJ "Application for
//! Certificate of Pardon" checklist (`RULES.md` section 9) filled from the intake, numbered as in
//! that table so a volunteer can copy them onto the form item by item, with what is still missing
//! and how to submit.
//!
//! [`build_packet`] is pure (the caller passes the time), [`render_html`] turns a packet into a
//! self-contained printable page. Items 1-9, 15 and 16 describe the applicant and sit in
//! [`CertificatePacket::fields`]; items 10-14 and 17 are asked once per offense and sit in each
//! [`PacketOffense`], with the applicant's status at that offense (item 8).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use fieldclinic_eligibility::{DOCUMENT_KINDS, Outcome, missing_checklist_items};
use fieldclinic_schema::facts::parse_iso_date;
use fieldclinic_schema::{
    ChecklistItem, CitizenOrLprSince, Determination, Disposition, Intake, Jurisdiction, Offense,
    OffenseDetermination, StatusAtOffense, StatusNow, Submitter, Substance,
};

/// The address of the Office of the Pardon Attorney page that links the online form (`RULES.md`
/// section 1, S3).
pub const ONLINE_FORM_PAGE: &str =
    "https://www.justice.gov/pardon/presidential-proclamation-marijuana-possession";

/// Where to email the completed PDF form (`RULES.md` section 9).
pub const SUBMISSION_EMAIL: &str = "USPardon.Attorney@usdoj.gov";

/// Where to mail the completed form (`RULES.md` section 9).
pub const SUBMISSION_MAIL_ADDRESS: &str = "U.S. Department of Justice, Office of the Pardon \
     Attorney, 950 Pennsylvania Avenue NW, Washington, DC 20530";

/// The two warnings of `RULES.md` section 9, quoted as the DOJ wrote them, because a client
/// deciding whether to apply must hear them in those words.
pub const CAVEATS: [&str; 2] = [
    "The certificate \"is the only documentation you will receive of the pardon\" (DOJ Office \
     of the Pardon Attorney).",
    "A pardon \"does not signify innocence or expunge the conviction\" (DOJ Office of the Pardon \
     Attorney).",
];

/// `RULES.md` section 9 was read from the 2022 form; the 2024 revision could not be read.
const FORM_VERSION_NOTE: &str = "This checklist follows the 2022 DOJ form and its Federal \
     Register description; the form was revised in 2024. Confirm each item against the current \
     form, and that DOJ still accepts applications, before submitting.";

/// The §9 "Required?" column, in its own words where it has them, so the packet never sounds
/// more certain than the table.
const REQUIRED: &str = "required";
const IF_POSSIBLE: &str = "if possible";
const IF_APPLICABLE: &str = "required if applicable";
const OPTIONAL: &str = "optional";
const STATISTICS: &str = "asked; whether mandatory is not confirmed";
const ENGINE_NEEDS: &str = "needed for the eligibility check (not a DOJ form field)";
const NOT_A_DOJ_FIELD: &str = "if any (practical addition, not a DOJ form field)";

/// Why no packet can be built for an intake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PacketError {
    /// The server has not written a determination yet.
    NotEvaluated,
    /// The determination is not ELIGIBLE; a certificate exists only for pardoned offenses.
    NotEligible {
        /// The determination's outcome (`NOT_ELIGIBLE`, `NEEDS_MORE_INFO`, or whatever was read).
        outcome: String,
    },
}

impl std::fmt::Display for PacketError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotEvaluated => f.write_str("the intake has no eligibility determination yet"),
            Self::NotEligible { outcome } => write!(
                f,
                "a certificate packet is only for ELIGIBLE cases; this case is {outcome}"
            ),
        }
    }
}

impl std::error::Error for PacketError {}

/// Whether a packet field can be copied onto the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldStatus {
    /// The intake holds a usable value.
    Filled,
    /// The field is listed in [`CertificatePacket::missing_items`]: absent, blank, `unknown` or
    /// not an ISO date. A field combining several intake fields may still carry the parts found.
    Missing,
    /// Nothing to write and nothing missing: an A-number for a citizen by birth, no other names.
    NotApplicable,
}

/// One item of the `RULES.md` section 9 table, filled from the intake.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PacketField {
    /// The item number in the section 9 table (1-17). Items with several parts (name and other
    /// names, email and phone, ...) give one field per part, each with the item's number.
    pub item: u8,
    /// What the form asks.
    pub label: String,
    /// What to write: dates as ISO `YYYY-MM-DD`, vocabulary words as plain English, lists joined
    /// with `"; "`. `None` when there is nothing usable.
    pub value: Option<String>,
    /// Whether the value can be used.
    pub status: FieldStatus,
    /// The "Required?" column of section 9 (`required`, `if possible`, `required if applicable`,
    /// ...).
    pub required: String,
    /// The intake path(s) the value comes from, written like [`ChecklistItem::key`]
    /// (`person.date_of_birth`; `offenses[0].jurisdiction, offenses[0].court_name`; `documents`
    /// for item 15).
    pub source_field: String,
}

/// One offense the determination found ELIGIBLE, with the form items asked per offense.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PacketOffense {
    /// The offense's position in the intake's `offenses` (offense N of the intake is index N-1).
    pub index: usize,
    /// The offense's `id`.
    pub offense_id: Option<String>,
    /// The charge as written on the record (for the reader; not a form item).
    pub charge_text: Option<String>,
    /// Item 10: charge or conviction, from `disposition`.
    pub charge_or_conviction: PacketField,
    /// Item 11: the court system and the court's name.
    pub court: PacketField,
    /// Item 12: the offense date (item 17 needs it too).
    pub offense_date: PacketField,
    /// Item 12: the date of the charge or conviction.
    pub disposition_date: PacketField,
    /// Item 13: docket or case number.
    pub docket_number: PacketField,
    /// Item 14: the code section charged, as written on the record.
    pub citation: PacketField,
    /// Item 17: the substance.
    pub substance: PacketField,
    /// Item 8: the applicant's status at the time of this offense (its own, else the person's).
    pub status_at_offense: PacketField,
    /// The citations the engine read the citation as (`21 USC 844(a)`).
    pub canonical_citations: Vec<String>,
    /// The proclamations that pardon this offense (`"10467"`, `"10688"`).
    pub proclamations: Vec<String>,
}

impl PacketOffense {
    /// The form items of the offense in section 9 order.
    fn fields(&self) -> [&PacketField; 8] {
        [
            &self.status_at_offense,
            &self.charge_or_conviction,
            &self.court,
            &self.offense_date,
            &self.disposition_date,
            &self.docket_number,
            &self.citation,
            &self.substance,
        ]
    }
}

/// One kind of supporting document and whether the clinic holds it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PacketDocument {
    /// The `documents[].kind` word.
    pub kind: String,
    /// What the document is.
    pub label: String,
    /// Whether an intake document of this kind is marked present.
    pub present: bool,
    /// The notes of the intake documents of this kind, joined with `"; "`.
    pub note: Option<String>,
    /// Whether it is a charging or conviction document (item 15).
    pub counts_for_item_15: bool,
}

/// How to send the application (`RULES.md` section 9, "Submission"), and what to tell the client.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Submission {
    /// The online form: the page that links it.
    pub online_form: String,
    /// The address to email the completed PDF form to.
    pub email: String,
    /// The postal address for the completed form.
    pub mail: String,
    /// The DOJ's own warnings, quoted.
    pub caveats: Vec<String>,
    /// Which version of the form the checklist follows.
    pub form_note: String,
}

impl Submission {
    fn doj() -> Self {
        Self {
            online_form: ONLINE_FORM_PAGE.to_owned(),
            email: SUBMISSION_EMAIL.to_owned(),
            mail: SUBMISSION_MAIL_ADDRESS.to_owned(),
            caveats: CAVEATS.iter().map(|&c| c.to_owned()).collect(),
            form_note: FORM_VERSION_NOTE.to_owned(),
        }
    }
}

/// The certificate application packet of one ELIGIBLE intake.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CertificatePacket {
    /// The Automerge document the intake is in.
    pub document_id: String,
    /// When the packet was made (RFC 3339, as the caller passed it).
    pub generated_at: String,
    /// The rules version of the determination the packet relies on.
    pub rules_version: String,
    /// When that determination was made (RFC 3339).
    pub evaluated_at: String,
    /// True while a legally relevant conflict is open: the packet must not be submitted until a
    /// supervisor resolves it.
    pub provisional: bool,
    /// The intake paths with open legal conflicts, as the determination lists them.
    pub open_conflicts: Vec<String>,
    /// Whether the packet can be submitted: not provisional, at least one offense, and no
    /// required item missing.
    pub ready: bool,
    /// The proclamations that pardon the case (`"10467"`, `"10688"`).
    pub proclamations: Vec<String>,
    /// Items 1-9, 15 and 16, in table order.
    pub fields: Vec<PacketField>,
    /// The ELIGIBLE offenses, in intake order, with items 8, 10-14 and 17.
    pub offenses: Vec<PacketOffense>,
    /// The supporting documents the clinic holds or still needs.
    pub supporting_documents: Vec<PacketDocument>,
    /// The checklist items still missing, computed now from the intake, for the applicant and the
    /// offenses in the packet.
    pub missing_items: Vec<ChecklistItem>,
    /// How to submit, and the DOJ's warnings.
    pub submission: Submission,
}

/// Builds the certificate application packet of `intake`, stored in document `document_id`;
/// `generated_at` is the RFC 3339 time to stamp it with.
///
/// The offenses are those the stored determination found ELIGIBLE, matched to the intake by
/// `offense_id` (or by index for an offense evaluated before it had an id). The missing items are
/// recomputed from the intake rather than copied from the determination, which may predate the
/// last edit; items of offenses outside the packet are left out, since the application is not
/// about them.
///
/// # Errors
/// [`PacketError::NotEvaluated`] without a determination, [`PacketError::NotEligible`] when its
/// outcome is not ELIGIBLE.
pub fn build_packet(
    document_id: &str,
    intake: &Intake,
    generated_at: &str,
) -> Result<CertificatePacket, PacketError> {
    let determination = intake
        .determination
        .as_ref()
        .ok_or(PacketError::NotEvaluated)?;
    if determination.outcome != Outcome::Eligible.as_str() {
        return Err(PacketError::NotEligible {
            outcome: determination.outcome.clone(),
        });
    }
    let eligible = eligible_offenses(intake, determination);
    let packet_indices: BTreeSet<usize> = eligible.iter().map(|(index, _, _)| *index).collect();
    let missing_items: Vec<ChecklistItem> = missing_checklist_items(intake)
        .into_iter()
        .filter(|item| offense_index(&item.key).is_none_or(|i| packet_indices.contains(&i)))
        .collect();
    let missing = Missing(&missing_items);

    let offenses: Vec<PacketOffense> = eligible
        .into_iter()
        .map(|(index, offense, od)| packet_offense(index, offense, od, intake, &missing))
        .collect();
    let ready = !determination.provisional
        && !offenses.is_empty()
        && !missing_items.iter().any(|item| item.required);

    Ok(CertificatePacket {
        document_id: document_id.to_owned(),
        generated_at: generated_at.to_owned(),
        rules_version: determination.rules_version.clone(),
        evaluated_at: determination.evaluated_at.clone(),
        provisional: determination.provisional,
        open_conflicts: determination.open_conflicts.clone(),
        ready,
        proclamations: determination.proclamations.clone(),
        fields: applicant_fields(intake, &missing),
        offenses,
        supporting_documents: supporting_documents(intake),
        missing_items,
        submission: Submission::doj(),
    })
}

/// The ELIGIBLE offense results with their intake offense, in intake order, each offense once.
///
/// An `offense_id` that no intake offense has any more is skipped rather than matched by index:
/// the offense was deleted since the evaluation, and whatever sits at its old index is another
/// count that was not found eligible.
fn eligible_offenses<'a>(
    intake: &'a Intake,
    determination: &'a Determination,
) -> Vec<(usize, &'a Offense, &'a OffenseDetermination)> {
    let mut found: Vec<(usize, &Offense, &OffenseDetermination)> = Vec::new();
    for od in &determination.offenses {
        if od.outcome != Outcome::Eligible.as_str() {
            continue;
        }
        let index = match od.offense_id.as_deref() {
            Some(id) => intake
                .offenses
                .iter()
                .position(|o| o.id.as_deref() == Some(id)),
            None => usize::try_from(od.index)
                .ok()
                .filter(|&i| i < intake.offenses.len()),
        };
        if let Some(index) = index
            && !found.iter().any(|(i, _, _)| *i == index)
        {
            found.push((index, &intake.offenses[index], od));
        }
    }
    found.sort_by_key(|(index, _, _)| *index);
    found
}

/// The offense index of a checklist key such as `offenses[2].docket_number`.
fn offense_index(key: &str) -> Option<usize> {
    let rest = key.strip_prefix("offenses[")?;
    let (digits, _) = rest.split_once(']')?;
    digits.parse().ok()
}

/// The checklist items still missing, looked up by key.
struct Missing<'a>(&'a [ChecklistItem]);

impl Missing<'_> {
    fn has(&self, key: &str) -> bool {
        self.0.iter().any(|item| item.key == key)
    }
}

impl PacketField {
    fn new(item: u8, label: &str, required: &str, source_field: impl Into<String>) -> Self {
        Self {
            item,
            label: label.to_owned(),
            value: None,
            status: FieldStatus::NotApplicable,
            required: required.to_owned(),
            source_field: source_field.into(),
        }
    }

    /// Sets the value; the status follows the checklist, so the packet and
    /// [`missing_checklist_items`] never disagree on what is missing.
    fn with(mut self, value: Option<String>, missing: bool) -> Self {
        self.status = if missing {
            FieldStatus::Missing
        } else if value.is_some() {
            FieldStatus::Filled
        } else {
            FieldStatus::NotApplicable
        };
        self.value = value;
        self
    }

    /// A field read from one intake path whose checklist key is that path.
    fn checked(self, value: Option<String>, missing: &Missing<'_>) -> Self {
        let is_missing = missing.has(&self.source_field);
        self.with(value, is_missing)
    }
}

fn applicant_fields(intake: &Intake, missing: &Missing<'_>) -> Vec<PacketField> {
    let p = &intake.person;
    let since = text(p.citizen_or_lpr_since.as_deref()).and_then(|s| CitizenOrLprSince::parse(&s));
    let status_now = StatusNow::from_optional(text(p.status_now.as_deref()).as_deref());
    let status_at_offense =
        StatusAtOffense::from_optional(text(p.status_at_offense.as_deref()).as_deref());
    let other_names: Vec<String> = p.other_names.iter().filter_map(|n| text(Some(n))).collect();

    vec![
        PacketField::new(1, "Full legal name", REQUIRED, "person.legal_name")
            .checked(text(p.legal_name.as_deref()), missing),
        PacketField::new(
            1,
            "Other names used, including at the time of the case",
            NOT_A_DOJ_FIELD,
            "person.other_names",
        )
        .with(
            (!other_names.is_empty()).then(|| other_names.join("; ")),
            false,
        ),
        PacketField::new(2, "Date of birth", REQUIRED, "person.date_of_birth")
            .checked(iso_date(p.date_of_birth.as_deref()), missing),
        PacketField::new(3, "Place of birth", REQUIRED, "person.place_of_birth")
            .checked(text(p.place_of_birth.as_deref()), missing),
        PacketField::new(4, "Mailing address", REQUIRED, "person.address")
            .checked(text(p.address.as_deref()), missing),
        PacketField::new(
            5,
            "Email address (may belong to someone helping the applicant)",
            REQUIRED,
            "person.email",
        )
        .checked(text(p.email.as_deref()), missing),
        PacketField::new(5, "Phone number", OPTIONAL, "person.phone")
            .checked(text(p.phone.as_deref()), missing),
        submitter_field(intake, missing),
        PacketField::new(7, "Citizenship status now", REQUIRED, "person.status_now")
            .checked(status_now_label(status_now).map(str::to_owned), missing),
        PacketField::new(
            8,
            "U.S. citizen or lawful permanent resident since",
            REQUIRED,
            "person.citizen_or_lpr_since",
        )
        .checked(since.map(since_label), missing),
        PacketField::new(
            8,
            "Status at the time of the offense (each offense below repeats it)",
            REQUIRED,
            "person.status_at_offense",
        )
        .checked(
            status_at_offense_label(status_at_offense).map(str::to_owned),
            missing,
        ),
        PacketField::new(
            9,
            "A-number (permanent resident) or citizenship / naturalization certificate number",
            IF_APPLICABLE,
            "person.a_number",
        )
        .checked(text(p.a_number.as_deref()), missing),
        PacketField::new(
            9,
            "Date that status was attained",
            IF_APPLICABLE,
            "person.citizen_or_lpr_since",
        )
        .checked(
            match since {
                Some(CitizenOrLprSince::Date(_)) => iso_date(p.citizen_or_lpr_since.as_deref()),
                _ => None,
            },
            missing,
        ),
        court_documents_field(intake, missing),
        PacketField::new(16, "Race", STATISTICS, "person.race")
            .checked(text(p.race.as_deref()), missing),
        PacketField::new(16, "Gender", STATISTICS, "person.gender")
            .checked(text(p.gender.as_deref()), missing),
        PacketField::new(16, "Ethnicity", STATISTICS, "person.ethnicity")
            .checked(text(p.ethnicity.as_deref()), missing),
    ]
}

fn submitter_field(intake: &Intake, missing: &Missing<'_>) -> PacketField {
    let consent = &intake.consent;
    let value = match text(consent.submitter.as_deref()).and_then(|s| Submitter::parse(&s)) {
        Some(Submitter::Applicant) => Some("The applicant".to_owned()),
        Some(Submitter::Helper) => Some(match text(consent.helper_name.as_deref()) {
            Some(name) => format!("Someone on the applicant's behalf: {name}"),
            None => "Someone on the applicant's behalf".to_owned(),
        }),
        None => None,
    };
    PacketField::new(
        6,
        "Who submits (the applicant, or someone on the applicant's behalf)",
        REQUIRED,
        "consent.submitter, consent.helper_name",
    )
    .with(value, missing.has("consent.submitter"))
}

fn court_documents_field(intake: &Intake, missing: &Missing<'_>) -> PacketField {
    let held: Vec<&str> = DOCUMENT_KINDS
        .iter()
        .filter(|(kind, _)| counts_for_item_15(kind) && holds(intake, kind))
        .map(|(_, label)| *label)
        .collect();
    PacketField::new(
        15,
        "Charging documents (indictment, complaint or criminal information) or conviction \
         documents (judgment of conviction, or the docket sheet showing the sentence and its \
         date)",
        IF_POSSIBLE,
        "documents",
    )
    .with(
        (!held.is_empty()).then(|| held.join("; ")),
        missing.has("documents.charging_or_conviction_document"),
    )
}

/// The document kinds that satisfy item 15, as `missing_checklist_items` counts them.
fn counts_for_item_15(kind: &str) -> bool {
    matches!(
        kind,
        "charging_document" | "conviction_document" | "docket_sheet"
    )
}

fn holds(intake: &Intake, kind: &str) -> bool {
    intake
        .documents
        .iter()
        .any(|d| d.present == Some(true) && text(d.kind.as_deref()).as_deref() == Some(kind))
}

/// Every known document kind, then any other kind the intake records, so nothing the clinic
/// holds drops out of the printout.
fn supporting_documents(intake: &Intake) -> Vec<PacketDocument> {
    let notes = |kind: &str| {
        let notes: Vec<String> = intake
            .documents
            .iter()
            .filter(|d| text(d.kind.as_deref()).as_deref() == Some(kind))
            .filter_map(|d| text(d.note.as_deref()))
            .collect();
        (!notes.is_empty()).then(|| notes.join("; "))
    };
    let mut documents: Vec<PacketDocument> = DOCUMENT_KINDS
        .iter()
        .map(|(kind, label)| PacketDocument {
            kind: (*kind).to_owned(),
            label: (*label).to_owned(),
            present: holds(intake, kind),
            note: notes(kind),
            counts_for_item_15: counts_for_item_15(kind),
        })
        .collect();
    for kind in intake
        .documents
        .iter()
        .filter_map(|d| text(d.kind.as_deref()))
    {
        if !documents.iter().any(|d| d.kind == kind) {
            documents.push(PacketDocument {
                label: kind.clone(),
                present: holds(intake, &kind),
                note: notes(&kind),
                counts_for_item_15: false,
                kind,
            });
        }
    }
    documents
}

fn packet_offense(
    index: usize,
    offense: &Offense,
    od: &OffenseDetermination,
    intake: &Intake,
    missing: &Missing<'_>,
) -> PacketOffense {
    let key = |field: &str| format!("offenses[{index}].{field}");
    let checked = |item: u8, label: &str, required: &str, field: &str, value: Option<String>| {
        PacketField::new(item, label, required, key(field)).checked(value, missing)
    };

    let disposition = Disposition::from_optional(text(offense.disposition.as_deref()).as_deref());
    let jurisdiction =
        Jurisdiction::from_optional(text(offense.jurisdiction.as_deref()).as_deref());
    let court_parts: Vec<String> = jurisdiction_label(jurisdiction)
        .map(str::to_owned)
        .into_iter()
        .chain(text(offense.court_name.as_deref()))
        .collect();
    let substance = Substance::from_optional(text(offense.substance.as_deref()).as_deref());

    PacketOffense {
        index,
        offense_id: offense.id.clone(),
        charge_text: text(offense.charge_text.as_deref()),
        charge_or_conviction: checked(
            10,
            "Charge or conviction",
            REQUIRED,
            "disposition",
            disposition_label(disposition).map(str::to_owned),
        ),
        court: PacketField::new(
            11,
            "Court: federal district or D.C. Superior Court",
            REQUIRED,
            format!("{}, {}", key("jurisdiction"), key("court_name")),
        )
        .with(
            (!court_parts.is_empty()).then(|| court_parts.join(": ")),
            missing.has(&key("jurisdiction")) || missing.has(&key("court_name")),
        ),
        offense_date: checked(
            12,
            "Date of the offense",
            REQUIRED,
            "offense_date",
            iso_date(offense.offense_date.as_deref()),
        ),
        disposition_date: checked(
            12,
            "Date of the charge or conviction",
            REQUIRED,
            "disposition_date",
            iso_date(offense.disposition_date.as_deref()),
        ),
        docket_number: checked(
            13,
            "Docket or case number",
            IF_POSSIBLE,
            "docket_number",
            text(offense.docket_number.as_deref()),
        ),
        citation: checked(
            14,
            "Code section charged",
            IF_POSSIBLE,
            "citation",
            text(offense.citation.as_deref()),
        ),
        substance: checked(
            17,
            "Substance",
            ENGINE_NEEDS,
            "substance",
            substance_label(substance).map(str::to_owned),
        ),
        status_at_offense: offense_status_field(index, offense, intake, missing),
        canonical_citations: od.canonical_citations.clone(),
        proclamations: od.proclamations.clone(),
    }
}

/// The offense's own status when recorded, else the person's default, which the rules apply to
/// every offense without one.
fn offense_status_field(
    index: usize,
    offense: &Offense,
    intake: &Intake,
    missing: &Missing<'_>,
) -> PacketField {
    let own = StatusAtOffense::from_optional(text(offense.status_at_offense.as_deref()).as_deref());
    let label = "Status at the time of this offense";
    if let Some(value) = status_at_offense_label(own) {
        return PacketField::new(
            8,
            label,
            REQUIRED,
            format!("offenses[{index}].status_at_offense"),
        )
        .with(Some(value.to_owned()), false);
    }
    let default =
        StatusAtOffense::from_optional(text(intake.person.status_at_offense.as_deref()).as_deref());
    let value = status_at_offense_label(default).map(str::to_owned);
    // Never "not applicable": every offense has a status at its time, known or not.
    let is_missing = value.is_none() || missing.has("person.status_at_offense");
    PacketField::new(8, label, REQUIRED, "person.status_at_offense").with(value, is_missing)
}

/// A trimmed, non-blank string, as `missing_checklist_items` reads text.
fn text(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A strict ISO date, trimmed; anything else is unusable on the form.
fn iso_date(s: Option<&str>) -> Option<String> {
    text(s).filter(|s| parse_iso_date(s).is_some())
}

fn since_label(since: CitizenOrLprSince) -> String {
    match since {
        CitizenOrLprSince::Birth => "Since birth".to_owned(),
        CitizenOrLprSince::Date(date) => fieldclinic_schema::facts::format_iso_date(date),
    }
}

fn status_now_label(status: StatusNow) -> Option<&'static str> {
    match status {
        StatusNow::UsCitizen => Some("U.S. citizen"),
        StatusNow::Lpr => Some("Lawful permanent resident"),
        StatusNow::Other => Some("Neither a U.S. citizen nor a lawful permanent resident"),
        StatusNow::Unknown => None,
    }
}

fn status_at_offense_label(status: StatusAtOffense) -> Option<&'static str> {
    match status {
        StatusAtOffense::UsCitizen => Some("U.S. citizen"),
        StatusAtOffense::Lpr => Some("Lawful permanent resident"),
        StatusAtOffense::LawfullyPresentOther => Some("Lawfully present (other status)"),
        StatusAtOffense::NotLawfullyPresent => Some("Not lawfully present"),
        StatusAtOffense::Unknown => None,
    }
}

/// The form asks "charge or conviction"; the other dispositions say which kind of charge.
fn disposition_label(disposition: Disposition) -> Option<&'static str> {
    match disposition {
        Disposition::Convicted => Some("Conviction"),
        Disposition::Charged => Some("Charge"),
        Disposition::Pending => Some("Charge (pending)"),
        Disposition::Dismissed => Some("Charge (dismissed)"),
        Disposition::Acquitted => Some("Charge (acquitted)"),
        Disposition::Arrested => Some("Arrest (no charge recorded)"),
        Disposition::NotCharged => Some("Not charged"),
        Disposition::Unknown => None,
    }
}

fn jurisdiction_label(jurisdiction: Jurisdiction) -> Option<&'static str> {
    match jurisdiction {
        Jurisdiction::Federal => Some("Federal district court"),
        Jurisdiction::DcSuperior => Some("D.C. Superior Court"),
        Jurisdiction::State => Some("State court"),
        Jurisdiction::Local => Some("Local court"),
        Jurisdiction::Military => Some("Court-martial"),
        Jurisdiction::Tribal => Some("Tribal court"),
        Jurisdiction::Unknown => None,
    }
}

fn substance_label(substance: Substance) -> Option<&'static str> {
    match substance {
        Substance::Marijuana => Some("Marijuana"),
        Substance::Other => Some("Another controlled substance"),
        Substance::Unknown => None,
    }
}

/// The section 9 item a checklist key belongs to, for the printed list of missing items.
fn item_of_key(key: &str) -> Option<u8> {
    let field = key.rsplit('.').next().unwrap_or(key);
    let item = match (key.split('.').next().unwrap_or(key), field) {
        (_, "legal_name") => 1,
        (_, "date_of_birth") => 2,
        (_, "place_of_birth") => 3,
        (_, "address") => 4,
        (_, "email" | "phone") => 5,
        ("consent", "submitter") => 6,
        (_, "status_now") => 7,
        (_, "citizen_or_lpr_since" | "status_at_offense") => 8,
        (_, "a_number") => 9,
        (_, "disposition") => 10,
        (_, "jurisdiction" | "court_name") => 11,
        (_, "disposition_date" | "offense_date") => 12,
        (_, "docket_number") => 13,
        (_, "citation") => 14,
        ("documents", _) => 15,
        (_, "race" | "gender" | "ethnicity") => 16,
        (_, "substance" | "conduct") => 17,
        _ => return None,
    };
    Some(item)
}

/// The proclamation's name with its date, for readers who know them by date.
fn proclamation_label(number: &str) -> String {
    match number {
        "10467" => "Proclamation 10467 (Oct. 6, 2022)".to_owned(),
        "10688" => "Proclamation 10688 (Dec. 22, 2023)".to_owned(),
        other => format!("Proclamation {other}"),
    }
}

/// The DOJ form asks for month, day and year; the ISO date stays beside it so nothing is lost in
/// the reading.
fn display_value(value: &str) -> String {
    match parse_iso_date(value) {
        Some(date) => format!("{} {}, {} ({value})", date.month(), date.day(), date.year()),
        None => value.to_owned(),
    }
}

/// Escapes text for HTML element content and quoted attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Contrast is black on white throughout (well above WCAG AAA); missing and not-applicable values
/// differ by words, weight, style and border as well as shade, so they survive black-and-white
/// printing. Margins of 18 mm fit both A4 and Letter, so the page size is left to the printer.
pub const STYLE: &str = "\
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif;
  color: #111; background: #fff; line-height: 1.45; max-width: 60rem; margin: 1.5rem auto;
  padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.25rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 2px solid #111; }
h3 { font-size: 1.05rem; margin: 0 0 0.5rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { border: 1px solid #555; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
thead th { background: #eee; }
tbody th { font-weight: 600; }
td.item { white-space: nowrap; width: 3.5rem; }
code { font-size: 0.85em; overflow-wrap: anywhere; }
.missing { font-weight: 700; font-style: italic; border: 1px dashed #111; padding: 0 0.25rem;
  background: #fff0c2; color: #000; white-space: nowrap; }
.na { font-style: italic; color: #333; }
.warning { border: 4px double #000; background: #fff0c2; color: #000; padding: 0.75rem 1rem;
  margin: 1rem 0; }
.warning strong { font-size: 1.1rem; text-transform: uppercase; }
.status { border: 2px solid #111; padding: 0.5rem 1rem; margin: 1rem 0; }
.offense { border: 1px solid #555; padding: 0.75rem; margin: 1rem 0; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
a { color: #00338a; }
@page { margin: 18mm; }
@media print {
  body { font-size: 10.5pt; max-width: none; margin: 0; padding: 0; }
  a { color: #000; text-decoration: underline; }
  h2, h3, caption { break-after: avoid; page-break-after: avoid; }
  .offense, tr, .warning, .status { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  .missing, .warning, thead th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
";

/// Renders the packet as one printable HTML5 page: inline styles, no scripts, no external
/// resources, every intake value escaped. A file that stands alone (the API's download).
#[must_use]
pub fn render_html(packet: &CertificatePacket) -> String {
    render(packet, None)
}

/// Renders the packet as [`render_html`] does, but styled by the stylesheet at `stylesheet`
/// (serving [`STYLE`]) instead of inline: for pages whose Content-Security-Policy allows no
/// inline style, such as the dashboard's.
#[must_use]
pub fn render_html_linked(packet: &CertificatePacket, stylesheet: &str) -> String {
    render(packet, Some(stylesheet))
}

fn render(packet: &CertificatePacket, stylesheet: Option<&str>) -> String {
    let mut html = String::with_capacity(16 * 1024);
    html.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
    );
    if stylesheet.is_none() {
        html.push_str(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
             style-src 'unsafe-inline'\">\n",
        );
    }
    // The title names the document, not the client: titles end up in browser history and in
    // the header line browsers print.
    let _ = writeln!(
        html,
        "<title>Certificate of pardon application packet – {}</title>",
        escape(&packet.document_id)
    );
    match stylesheet {
        None => {
            let _ = writeln!(html, "<style>\n{STYLE}</style>\n</head>\n<body>");
        }
        Some(href) => {
            let _ = writeln!(
                html,
                "<link rel=\"stylesheet\" href=\"{}\">\n</head>\n<body>",
                escape(href)
            );
        }
    }
    html.push_str(
        "<h1>Application for a Certificate of Pardon (marijuana offense): case packet</h1>\n",
    );
    render_status(&mut html, packet);
    render_applicant(&mut html, packet);
    render_offenses(&mut html, packet);
    render_missing(&mut html, packet);
    render_documents(&mut html, packet);
    render_submission(&mut html, packet);
    html.push_str("</body>\n</html>\n");
    html
}

fn render_status(html: &mut String, packet: &CertificatePacket) {
    if packet.provisional {
        html.push_str(
            "<div class=\"warning\" role=\"alert\"><p><strong>⚠ Warning: provisional – do not \
             submit</strong></p><p>Two devices recorded different values for a field that \
             matters legally. A supervisor must resolve the conflict before this application is \
             sent; print the packet again afterwards.</p>",
        );
        if !packet.open_conflicts.is_empty() {
            html.push_str("<p>Fields in conflict:</p><ul>");
            for path in &packet.open_conflicts {
                let _ = write!(html, "<li><code>{}</code></li>", escape(path));
            }
            html.push_str("</ul>");
        }
        html.push_str("</div>\n");
    }
    let required_missing = packet.missing_items.iter().filter(|i| i.required).count();
    let verdict = if packet.ready {
        "Ready to submit: yes. Every required item is filled."
    } else if packet.provisional {
        "Ready to submit: no. The case is provisional."
    } else if packet.offenses.is_empty() {
        "Ready to submit: no. No eligible offense of the intake matches the determination; \
         evaluate the case again."
    } else {
        "Ready to submit: no. Required items are missing."
    };
    let _ = writeln!(
        html,
        "<div class=\"status\"><p><strong>{verdict}</strong> Missing items: {} ({} \
         required).</p></div>",
        packet.missing_items.len(),
        required_missing
    );
    let proclamations = if packet.proclamations.is_empty() {
        missing_marker()
    } else {
        packet
            .proclamations
            .iter()
            .map(|p| escape(&proclamation_label(p)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let _ = writeln!(
        html,
        "<dl class=\"meta\"><dt>Pardoned under</dt><dd>{proclamations}</dd>\
         <dt>Document</dt><dd><code>{}</code></dd>\
         <dt>Packet generated</dt><dd>{}</dd>\
         <dt>Eligibility evaluated</dt><dd>{}</dd>\
         <dt>Rules version</dt><dd>{}</dd></dl>",
        escape(&packet.document_id),
        escape(&packet.generated_at),
        escape(&packet.evaluated_at),
        escape(&packet.rules_version),
    );
}

fn missing_marker() -> String {
    "<span class=\"missing\">— missing —</span>".to_owned()
}

fn value_cell(field: &PacketField) -> String {
    let value = field.value.as_deref().map(|v| escape(&display_value(v)));
    match (field.status, value) {
        (FieldStatus::Missing, Some(partial)) => format!("{partial} {}", missing_marker()),
        (FieldStatus::Missing, None) => missing_marker(),
        (_, Some(value)) => value,
        (_, None) => "<span class=\"na\">not applicable</span>".to_owned(),
    }
}

fn render_field_table(html: &mut String, caption: &str, fields: &[&PacketField]) {
    let _ = write!(
        html,
        "<table>\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">Item</th>\
         <th scope=\"col\">Field</th><th scope=\"col\">Value</th>\
         <th scope=\"col\">Required?</th><th scope=\"col\">Intake field</th></tr></thead>\n\
         <tbody>\n",
        escape(caption)
    );
    for field in fields {
        let _ = writeln!(
            html,
            "<tr><td class=\"item\">{}</td><th scope=\"row\">{}</th><td>{}</td><td>{}</td>\
             <td><code>{}</code></td></tr>",
            field.item,
            escape(&field.label),
            value_cell(field),
            escape(&field.required),
            escape(&field.source_field),
        );
    }
    html.push_str("</tbody>\n</table>\n");
}

fn render_applicant(html: &mut String, packet: &CertificatePacket) {
    html.push_str("<section>\n<h2>The applicant (items 1–9, 15, 16)</h2>\n");
    let fields: Vec<&PacketField> = packet.fields.iter().collect();
    render_field_table(
        html,
        "Form items about the applicant, numbered as in the checklist",
        &fields,
    );
    html.push_str("<p>Items 10–14 and 17 are asked for each offense; see below.</p>\n</section>\n");
}

fn render_offenses(html: &mut String, packet: &CertificatePacket) {
    html.push_str("<section>\n<h2>Eligible offenses (items 8, 10–14, 17)</h2>\n");
    if packet.offenses.is_empty() {
        html.push_str(
            "<p><span class=\"missing\">— missing —</span> No offense of the intake matches an \
             eligible result of the determination.</p>\n",
        );
    }
    for offense in &packet.offenses {
        let number = offense.index + 1;
        let heading = offense
            .citation
            .value
            .as_deref()
            .or(offense.charge_text.as_deref())
            .map(|c| format!(": {}", escape(c)))
            .unwrap_or_default();
        let _ = writeln!(
            html,
            "<section class=\"offense\">\n<h3>Offense {number} of the intake{heading}</h3>"
        );
        let mut facts = Vec::new();
        if let Some(charge) = &offense.charge_text {
            facts.push(format!("Charge as written: {}", escape(charge)));
        }
        if !offense.canonical_citations.is_empty() {
            facts.push(format!(
                "Read as: {}",
                escape(&offense.canonical_citations.join("; "))
            ));
        }
        if !offense.proclamations.is_empty() {
            let names: Vec<String> = offense
                .proclamations
                .iter()
                .map(|p| proclamation_label(p))
                .collect();
            facts.push(format!("Pardoned under: {}", escape(&names.join("; "))));
        }
        if !facts.is_empty() {
            let _ = writeln!(html, "<p>{}</p>", facts.join("<br>"));
        }
        render_field_table(
            html,
            &format!("Form items for offense {number}"),
            &offense.fields(),
        );
        html.push_str("</section>\n");
    }
    html.push_str("</section>\n");
}

fn render_missing(html: &mut String, packet: &CertificatePacket) {
    html.push_str("<section>\n<h2>Missing items</h2>\n");
    if packet.missing_items.is_empty() {
        html.push_str("<p>Nothing is missing.</p>\n</section>\n");
        return;
    }
    html.push_str(
        "<table>\n<caption>Checklist items the intake does not have yet</caption>\n\
         <thead><tr><th scope=\"col\">Item</th><th scope=\"col\">What is missing</th>\
         <th scope=\"col\">Where</th><th scope=\"col\">Required?</th>\
         <th scope=\"col\">Intake field</th></tr></thead>\n<tbody>\n",
    );
    for item in &packet.missing_items {
        let number = item_of_key(&item.key)
            .map(|n| n.to_string())
            .unwrap_or_default();
        let place = match offense_index(&item.key) {
            Some(i) => format!("Offense {}", i + 1),
            None if item.key.starts_with("documents") => "Documents".to_owned(),
            None => "Applicant".to_owned(),
        };
        let required = if item.required {
            "<strong>required</strong>"
        } else {
            "if possible"
        };
        let _ = writeln!(
            html,
            "<tr><td class=\"item\">{number}</td><th scope=\"row\">{}</th><td>{place}</td>\
             <td>{required}</td><td><code>{}</code></td></tr>",
            escape(&item.label),
            escape(&item.key),
        );
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

fn render_documents(html: &mut String, packet: &CertificatePacket) {
    html.push_str(
        "<section>\n<h2>Supporting documents</h2>\n<table>\n<caption>Documents the clinic \
         holds (item 15 needs one charging or conviction document, if possible)</caption>\n\
         <thead><tr><th scope=\"col\">Document</th><th scope=\"col\">Held</th>\
         <th scope=\"col\">Item 15</th><th scope=\"col\">Note</th></tr></thead>\n<tbody>\n",
    );
    for doc in &packet.supporting_documents {
        // Only item 15 is a checklist item; the applicant table marks it missing when no court
        // document is held, so a document not held is "no" here rather than "missing".
        let held = if doc.present {
            "Yes"
        } else {
            "<span class=\"na\">No</span>"
        };
        let _ = writeln!(
            html,
            "<tr><th scope=\"row\">{}</th><td>{held}</td><td>{}</td><td>{}</td></tr>",
            escape(&doc.label),
            if doc.counts_for_item_15 { "yes" } else { "no" },
            doc.note.as_deref().map(escape).unwrap_or_default(),
        );
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

fn render_submission(html: &mut String, packet: &CertificatePacket) {
    let s = &packet.submission;
    let _ = writeln!(
        html,
        "<section>\n<h2>How to submit</h2>\n<p>Use one of these:</p>\n<ol>\
         <li>The online form, linked from <a href=\"{url}\">{url}</a>.</li>\
         <li>Email the completed PDF form to <a href=\"mailto:{email}\">{email}</a>.</li>\
         <li>Mail it to {mail}.</li></ol>",
        url = escape(&s.online_form),
        email = escape(&s.email),
        mail = escape(&s.mail),
    );
    html.push_str("<h3>Tell the client</h3>\n<ul>");
    for caveat in &s.caveats {
        let _ = write!(html, "<li>{}</li>", escape(caveat));
    }
    let _ = writeln!(
        html,
        "</ul>\n<p>{}</p>\n<p>This packet comes from a screening tool and is not legal \
         advice.</p>\n</section>",
        escape(&s.form_note)
    );
}

#[cfg(test)]
mod tests {
    use fieldclinic_eligibility::evaluate;
    use fieldclinic_schema::{Consent, Person, SupportingDocument};

    use super::*;

    const DOC: &str = "2Xb8sGJNVjw5Zp5uA1b3dFhiQhPD";
    const AT: &str = "2025-03-01T12:00:00Z";

    /// The intake with the determination the server would store (hash and clock aside).
    fn evaluated(mut intake: Intake) -> Intake {
        let (person, offenses) = intake.facts();
        let determination = evaluate(&person, &offenses).to_determination(
            &intake,
            missing_checklist_items(&intake),
            Vec::new(),
            "not-computed-in-tests".to_owned(),
            "2025-02-28T09:00:00Z".to_owned(),
        );
        intake.determination = Some(determination);
        intake
    }

    fn possession() -> Offense {
        Offense {
            id: Some("count-a".to_owned()),
            citation: Some("21 USC 844".to_owned()),
            charge_text: Some("Possession of marijuana".to_owned()),
            substance: Some("marijuana".to_owned()),
            conduct: Some("possession".to_owned()),
            offense_date: Some("2015-06-01".to_owned()),
            disposition: Some("convicted".to_owned()),
            disposition_date: Some("2015-09-01".to_owned()),
            jurisdiction: Some("federal".to_owned()),
            court_name: Some("D. Md.".to_owned()),
            docket_number: None,
            ..Offense::default()
        }
    }

    fn distribution() -> Offense {
        Offense {
            id: Some("count-b".to_owned()),
            citation: Some("21 USC 841".to_owned()),
            charge_text: Some("Distribution of marijuana".to_owned()),
            substance: Some("marijuana".to_owned()),
            conduct: Some("distribution".to_owned()),
            offense_date: Some("2016-01-01".to_owned()),
            disposition: Some("convicted".to_owned()),
            disposition_date: Some("2016-05-01".to_owned()),
            jurisdiction: Some("federal".to_owned()),
            ..Offense::default()
        }
    }

    /// An eligible intake with every required item but the docket number, which is "if possible".
    fn eligible_intake() -> Intake {
        evaluated(Intake {
            person: Person {
                legal_name: Some("Ada Client".to_owned()),
                other_names: vec!["Ada C.".to_owned(), "  ".to_owned()],
                date_of_birth: Some("1980-01-02".to_owned()),
                place_of_birth: Some("Baltimore, MD".to_owned()),
                address: Some("1 Main St, Baltimore, MD 21201".to_owned()),
                email: Some("ada@example.org".to_owned()),
                status_now: Some("us_citizen".to_owned()),
                citizen_or_lpr_since: Some("birth".to_owned()),
                status_at_offense: Some("us_citizen".to_owned()),
                ..Person::default()
            },
            offenses: vec![possession()],
            documents: vec![SupportingDocument {
                kind: Some("docket_sheet".to_owned()),
                present: Some(true),
                note: Some("copy in the blue folder".to_owned()),
            }],
            consent: Consent {
                given: Some(true),
                submitter: Some("helper".to_owned()),
                helper_name: Some("Bo Volunteer".to_owned()),
                ..Consent::default()
            },
            ..Intake::new()
        })
    }

    fn packet_of(intake: &Intake) -> CertificatePacket {
        build_packet(DOC, intake, AT).expect("an ELIGIBLE intake has a packet")
    }

    fn field<'a>(packet: &'a CertificatePacket, source: &str, item: u8) -> &'a PacketField {
        packet
            .fields
            .iter()
            .find(|f| f.source_field == source && f.item == item)
            .unwrap_or_else(|| panic!("no field {source} (item {item}) in {:?}", packet.fields))
    }

    fn value<'a>(packet: &'a CertificatePacket, source: &str, item: u8) -> Option<&'a str> {
        field(packet, source, item).value.as_deref()
    }

    fn missing_keys(packet: &CertificatePacket) -> Vec<(&str, bool)> {
        packet
            .missing_items
            .iter()
            .map(|i| (i.key.as_str(), i.required))
            .collect()
    }

    #[test]
    fn an_eligible_intake_fills_the_applicant_items() {
        let packet = packet_of(&eligible_intake());

        assert_eq!(packet.document_id, DOC);
        assert_eq!(packet.generated_at, AT);
        assert_eq!(packet.rules_version, fieldclinic_eligibility::RULES_VERSION);
        assert_eq!(packet.proclamations, ["10467", "10688"]);
        assert!(!packet.provisional);
        for (source, item, expected) in [
            ("person.legal_name", 1, Some("Ada Client")),
            ("person.other_names", 1, Some("Ada C.")),
            ("person.date_of_birth", 2, Some("1980-01-02")),
            ("person.place_of_birth", 3, Some("Baltimore, MD")),
            ("person.address", 4, Some("1 Main St, Baltimore, MD 21201")),
            ("person.email", 5, Some("ada@example.org")),
            (
                "consent.submitter, consent.helper_name",
                6,
                Some("Someone on the applicant's behalf: Bo Volunteer"),
            ),
            ("person.status_now", 7, Some("U.S. citizen")),
            ("person.citizen_or_lpr_since", 8, Some("Since birth")),
            ("person.status_at_offense", 8, Some("U.S. citizen")),
            (
                "documents",
                15,
                Some("Docket sheet showing the sentence and the date it was imposed"),
            ),
        ] {
            assert_eq!(
                value(&packet, source, item),
                expected,
                "{source} (item {item})"
            );
            assert_eq!(
                field(&packet, source, item).status,
                FieldStatus::Filled,
                "{source}"
            );
        }
        let items: BTreeSet<u8> = packet.fields.iter().map(|f| f.item).collect();
        assert_eq!(
            items.into_iter().collect::<Vec<_>>(),
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16],
            "the applicant items; the rest are per offense"
        );
        assert_eq!(field(&packet, "person.email", 5).required, "required");
        assert_eq!(field(&packet, "documents", 15).required, "if possible");
    }

    #[test]
    fn an_eligible_offense_fills_the_per_offense_items() {
        let packet = packet_of(&eligible_intake());

        assert_eq!(packet.offenses.len(), 1);
        let offense = &packet.offenses[0];
        assert_eq!(offense.index, 0);
        assert_eq!(offense.offense_id.as_deref(), Some("count-a"));
        assert_eq!(
            offense.charge_text.as_deref(),
            Some("Possession of marijuana")
        );
        for (field, item, expected) in [
            (&offense.charge_or_conviction, 10, "Conviction"),
            (&offense.court, 11, "Federal district court: D. Md."),
            (&offense.offense_date, 12, "2015-06-01"),
            (&offense.disposition_date, 12, "2015-09-01"),
            (&offense.citation, 14, "21 USC 844"),
            (&offense.substance, 17, "Marijuana"),
            (&offense.status_at_offense, 8, "U.S. citizen"),
        ] {
            assert_eq!(field.item, item, "{}", field.label);
            assert_eq!(field.value.as_deref(), Some(expected), "{}", field.label);
            assert_eq!(field.status, FieldStatus::Filled, "{}", field.label);
        }
        assert_eq!(
            offense.court.source_field,
            "offenses[0].jurisdiction, offenses[0].court_name"
        );
        assert_eq!(offense.proclamations, ["10467", "10688"]);
        assert!(!offense.canonical_citations.is_empty());
    }

    #[test]
    fn a_missing_docket_number_is_listed_but_does_not_block_the_packet() {
        let packet = packet_of(&eligible_intake());

        let docket = &packet.offenses[0].docket_number;
        assert_eq!(docket.item, 13);
        assert_eq!(docket.status, FieldStatus::Missing);
        assert_eq!(docket.value, None);
        assert_eq!(docket.required, "if possible");
        assert!(missing_keys(&packet).contains(&("offenses[0].docket_number", false)));
        assert!(
            packet.ready,
            "only optional items are missing: {:?}",
            packet.missing_items
        );
    }

    #[test]
    fn missing_docket_numbers_are_listed_for_every_eligible_offense() {
        let mut second = possession();
        second.id = Some("count-c".to_owned());
        second.offense_date = Some("2017-03-03".to_owned());
        let mut intake = eligible_intake();
        intake.offenses.push(second);
        let packet = packet_of(&evaluated(intake));

        assert_eq!(packet.offenses.len(), 2);
        let keys = missing_keys(&packet);
        assert!(
            keys.contains(&("offenses[0].docket_number", false)),
            "{keys:?}"
        );
        assert!(
            keys.contains(&("offenses[1].docket_number", false)),
            "{keys:?}"
        );
    }

    #[test]
    fn missing_items_are_recomputed_not_copied_from_the_determination() {
        let mut intake = eligible_intake();
        intake.offenses[0].docket_number = Some("1:15-cr-00001".to_owned());
        let det = intake.determination.as_mut().expect("evaluated");
        det.missing_items.push(ChecklistItem {
            key: "person.stale".to_owned(),
            label: "Stale item".to_owned(),
            required: true,
        });
        let packet = packet_of(&intake);

        assert!(
            !missing_keys(&packet)
                .iter()
                .any(|(k, _)| *k == "person.stale")
        );
        assert!(
            !missing_keys(&packet)
                .iter()
                .any(|(k, _)| k.contains("docket_number"))
        );
        assert_eq!(packet.offenses[0].docket_number.status, FieldStatus::Filled);
    }

    #[test]
    fn a_required_missing_item_makes_the_packet_not_ready() {
        let mut intake = eligible_intake();
        intake.person.address = Some("   ".to_owned());
        intake.person.date_of_birth = Some("01/02/1980".to_owned());
        let packet = packet_of(&intake);

        assert!(!packet.ready);
        assert_eq!(
            field(&packet, "person.address", 4).status,
            FieldStatus::Missing
        );
        let dob = field(&packet, "person.date_of_birth", 2);
        assert_eq!(
            (dob.status, dob.value.as_deref()),
            (FieldStatus::Missing, None)
        );
        assert!(missing_keys(&packet).contains(&("person.address", true)));
    }

    #[test]
    fn the_a_number_is_not_applicable_for_a_citizen_by_birth_and_missing_for_an_lpr() {
        let packet = packet_of(&eligible_intake());
        let a_number = field(&packet, "person.a_number", 9);
        assert_eq!(a_number.status, FieldStatus::NotApplicable);
        assert_eq!(a_number.required, "required if applicable");
        assert_eq!(
            field(&packet, "person.citizen_or_lpr_since", 9).status,
            FieldStatus::NotApplicable
        );

        let mut lpr = eligible_intake();
        lpr.person.status_now = Some("lpr".to_owned());
        lpr.person.citizen_or_lpr_since = Some("2010-04-05".to_owned());
        lpr.person.status_at_offense = Some("lpr".to_owned());
        let packet = packet_of(&evaluated(lpr));
        assert_eq!(
            field(&packet, "person.a_number", 9).status,
            FieldStatus::Missing
        );
        assert_eq!(
            value(&packet, "person.citizen_or_lpr_since", 9),
            Some("2010-04-05")
        );
        assert!(!packet.ready);
    }

    #[test]
    fn only_eligible_offenses_are_in_the_packet() {
        let mut intake = eligible_intake();
        intake.offenses = vec![distribution(), possession()];
        let intake = evaluated(intake);
        let det = intake.determination.as_ref().expect("evaluated");
        assert_eq!(det.outcome, "ELIGIBLE");
        assert_eq!(det.offenses[0].outcome, "NOT_ELIGIBLE", "{det:?}");
        let packet = packet_of(&intake);

        assert_eq!(packet.offenses.len(), 1);
        assert_eq!(packet.offenses[0].index, 1);
        assert_eq!(packet.offenses[0].offense_id.as_deref(), Some("count-a"));
        // The distribution count has no court name or docket number: not this application's
        // concern.
        assert!(
            !missing_keys(&packet)
                .iter()
                .any(|(k, _)| k.starts_with("offenses[0]")),
            "{:?}",
            packet.missing_items
        );
        assert!(missing_keys(&packet).contains(&("offenses[1].docket_number", false)));
        let html = render_html(&packet);
        assert!(html.contains("Offense 2 of the intake"));
        assert!(!html.contains("Distribution of marijuana"));
    }

    #[test]
    fn offenses_are_matched_by_id_when_the_list_was_reordered() {
        let mut intake = eligible_intake();
        intake.offenses = vec![possession(), distribution()];
        let mut intake = evaluated(intake);
        intake.offenses.reverse();
        let packet = packet_of(&intake);

        assert_eq!(packet.offenses.len(), 1);
        assert_eq!(packet.offenses[0].index, 1);
        assert_eq!(
            packet.offenses[0].citation.value.as_deref(),
            Some("21 USC 844")
        );
    }

    #[test]
    fn an_offense_deleted_since_the_evaluation_is_left_out() {
        let mut intake = eligible_intake();
        intake.offenses = vec![distribution()];
        let packet = packet_of(&intake);

        assert!(packet.offenses.is_empty());
        assert!(!packet.ready);
    }

    #[test]
    fn a_not_eligible_case_has_no_packet() {
        let mut intake = eligible_intake();
        intake.offenses = vec![distribution()];
        let intake = evaluated(intake);

        assert_eq!(
            build_packet(DOC, &intake, AT),
            Err(PacketError::NotEligible {
                outcome: "NOT_ELIGIBLE".to_owned()
            })
        );
    }

    #[test]
    fn a_case_needing_more_information_has_no_packet() {
        let mut intake = eligible_intake();
        intake.offenses[0].offense_date = None;
        intake.offenses[0].disposition_date = None;
        let intake = evaluated(intake);

        assert_eq!(
            build_packet(DOC, &intake, AT),
            Err(PacketError::NotEligible {
                outcome: "NEEDS_MORE_INFO".to_owned()
            })
        );
    }

    #[test]
    fn an_intake_without_a_determination_is_not_evaluated() {
        let mut intake = eligible_intake();
        intake.determination = None;

        assert_eq!(
            build_packet(DOC, &intake, AT),
            Err(PacketError::NotEvaluated)
        );
    }

    #[test]
    fn errors_read_as_sentences() {
        assert_eq!(
            PacketError::NotEvaluated.to_string(),
            "the intake has no eligibility determination yet"
        );
        assert_eq!(
            PacketError::NotEligible {
                outcome: "NOT_ELIGIBLE".to_owned()
            }
            .to_string(),
            "a certificate packet is only for ELIGIBLE cases; this case is NOT_ELIGIBLE"
        );
    }

    #[test]
    fn escape_replaces_the_five_special_characters() {
        assert_eq!(
            escape(r#"a & b < c > d " e ' f"#),
            "a &amp; b &lt; c &gt; d &quot; e &#39; f"
        );
    }

    #[test]
    fn html_escapes_intake_values() {
        let mut intake = eligible_intake();
        intake.person.legal_name = Some("<script>alert('x')</script> & Co".to_owned());
        intake.offenses[0].charge_text = Some("\"quoted\" <b>".to_owned());
        let html = render_html(&packet_of(&intake));

        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"));
        assert!(html.contains("&quot;quoted&quot; &lt;b&gt;"));
        assert!(!html.contains("<b>"));
    }

    #[test]
    fn html_is_a_self_contained_accessible_printable_page() {
        let html = render_html(&packet_of(&eligible_intake()));

        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<html lang=\"en\">"));
        assert_eq!(html.matches("<title>").count(), 1);
        assert_eq!(html.matches("<h1>").count(), 1);
        assert!(html.matches("<h2>").count() >= 5);
        assert_eq!(
            html.matches("<table>").count(),
            html.matches("<caption>").count()
        );
        assert!(html.contains("<th scope=\"col\">") && html.contains("<th scope=\"row\">"));
        assert!(html.contains("@media print"));
        assert!(html.contains("break-inside: avoid"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("src="));
        assert!(!html.contains("<link"));
        assert!(
            !html.contains("Ada Client</title>"),
            "no client name in the title"
        );
        assert!(html.contains("June 1, 2015 (2015-06-01)"));
        assert!(html.contains(SUBMISSION_EMAIL));
        assert!(html.contains("950 Pennsylvania Avenue NW"));
        assert!(html.contains("is the only documentation you will receive of the pardon"));
        assert!(html.contains("does not signify innocence or expunge the conviction"));
        assert!(html.contains("Ready to submit: yes"));
    }

    #[test]
    fn html_marks_missing_values_in_words() {
        let html = render_html(&packet_of(&eligible_intake()));

        // The docket number row carries the marker, not just a colour.
        let row = html
            .lines()
            .find(|l| l.contains("offenses[0].docket_number"))
            .expect("a docket number row");
        assert!(
            row.contains("<span class=\"missing\">— missing —</span>"),
            "{row}"
        );
        assert!(html.contains(".missing {"));
        assert!(html.contains("not applicable"));
    }

    #[test]
    fn a_provisional_determination_still_builds_with_a_warning() {
        let mut intake = eligible_intake();
        let det = intake.determination.as_mut().expect("evaluated");
        det.provisional = true;
        det.open_conflicts = vec!["offenses[0].offense_date".to_owned()];
        let packet = packet_of(&intake);

        assert!(packet.provisional);
        assert!(!packet.ready, "a provisional packet must not be submitted");
        assert_eq!(packet.open_conflicts, ["offenses[0].offense_date"]);
        let html = render_html(&packet);
        assert!(html.contains("class=\"warning\" role=\"alert\""));
        assert!(html.contains("provisional – do not submit"));
        assert!(html.contains("<code>offenses[0].offense_date</code>"));

        let plain = render_html(&packet_of(&eligible_intake()));
        assert!(!plain.contains("role=\"alert\""));
    }

    #[test]
    fn the_packet_serialises_with_section_9_numbering() {
        let json = serde_json::to_value(packet_of(&eligible_intake())).expect("serialisable");

        assert_eq!(json["fields"][0]["item"], 1);
        assert_eq!(json["fields"][0]["value"], "Ada Client");
        assert_eq!(json["fields"][0]["status"], "filled");
        assert_eq!(json["fields"][0]["source_field"], "person.legal_name");
        assert_eq!(json["offenses"][0]["docket_number"]["status"], "missing");
        assert_eq!(
            json["offenses"][0]["docket_number"]["value"],
            serde_json::Value::Null
        );
        assert_eq!(json["submission"]["email"], SUBMISSION_EMAIL);
        assert_eq!(
            json["submission"]["caveats"].as_array().map(Vec::len),
            Some(2)
        );
        assert_eq!(json["ready"], true);
        assert_eq!(json["supporting_documents"][2]["kind"], "docket_sheet");
        assert_eq!(json["supporting_documents"][2]["present"], true);
        assert_eq!(
            json["supporting_documents"][2]["note"],
            "copy in the blue folder"
        );
    }

    #[test]
    fn every_missing_checklist_key_has_an_item_number() {
        let mut blank = Intake::new();
        blank.offenses.push(Offense::default());
        let mut lpr = blank.clone();
        lpr.person.status_now = Some("lpr".to_owned());
        for item in missing_checklist_items(&blank)
            .iter()
            .chain(&missing_checklist_items(&lpr))
        {
            assert!(item_of_key(&item.key).is_some(), "{}", item.key);
        }
        assert_eq!(item_of_key("person.a_number"), Some(9));
        assert_eq!(item_of_key("offenses[3].court_name"), Some(11));
        assert_eq!(offense_index("offenses[3].court_name"), Some(3));
        assert_eq!(offense_index("person.legal_name"), None);
    }

    #[test]
    fn the_dashboard_packet_is_styled_by_a_stylesheet_not_inline() {
        let html = render_html_linked(&packet_of(&eligible_intake()), "/assets/packet.css");
        assert!(
            !html.contains("<style"),
            "inline style in the linked packet"
        );
        assert!(!html.contains("unsafe-inline"));
        assert!(html.contains("<link rel=\"stylesheet\" href=\"/assets/packet.css\">"));
        assert!(render_html(&packet_of(&eligible_intake())).contains("<style>"));
    }
}
