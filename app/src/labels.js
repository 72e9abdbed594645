// The words volunteers see. The stored values are the schema's (intake-schema.json); app/build.mjs
// fails the build when the schema allows a value that has no label here, so a new word in the
// schema can never reach a page raw.

/** Plain-language choices for each enumerated field, keyed by "section.field". */
export const CHOICES = {
  "person.status_now": {
    us_citizen: "U.S. citizen",
    lpr: "Lawful permanent resident (green card)",
    other: "Neither a citizen nor a green card holder",
    unknown: "Not known yet",
  },
  "person.status_at_offense": {
    us_citizen: "U.S. citizen",
    lpr: "Lawful permanent resident (green card)",
    lawfully_present_other: "In the U.S. lawfully in another way (a visa, for example)",
    not_lawfully_present: "Not lawfully in the U.S.",
    unknown: "Not known yet",
  },
  "offense.status_at_offense": {
    us_citizen: "U.S. citizen",
    lpr: "Lawful permanent resident (green card)",
    lawfully_present_other: "In the U.S. lawfully in another way (a visa, for example)",
    not_lawfully_present: "Not lawfully in the U.S.",
    unknown: "Not known yet",
  },
  "offense.substance": {
    marijuana: "Marijuana (also marihuana, cannabis)",
    other: "Another drug",
    unknown: "Not known, or hashish, THC or a synthetic",
  },
  "offense.conduct": {
    possession: "Simple possession",
    use: "Use",
    attempted_possession: "Attempted simple possession",
    conspiracy: "Conspiracy",
    distribution: "Selling or distributing",
    possession_with_intent: "Possession with intent to distribute",
    driving_under_influence: "Driving under the influence",
    other: "Something else",
    unknown: "Not known",
  },
  "offense.disposition": {
    convicted: "Convicted",
    charged: "Charged",
    pending: "Case still open",
    arrested: "Arrested only",
    not_charged: "Never charged",
    dismissed: "Dismissed",
    acquitted: "Found not guilty",
    unknown: "Not known",
  },
  "offense.jurisdiction": {
    federal: "Federal court (U.S. District Court)",
    dc_superior: "D.C. Superior Court",
    state: "State court",
    local: "City or county court",
    military: "Court-martial",
    tribal: "Tribal court",
    unknown: "Not known",
  },
  "document.kind": {
    charging_document: "Charging document (indictment, complaint)",
    conviction_document: "Judgment or conviction record",
    docket_sheet: "Docket sheet",
    proof_of_citizenship_or_lpr: "Proof of citizenship or green card",
    photo_id: "Photo ID",
  },
  "consent.submitter": {
    self: "The client",
    helper: "Someone helping the client",
  },
}

/** Field labels, and a hint where the label alone would leave a volunteer guessing. */
export const FIELDS = {
  "person.legal_name": { label: "Full legal name" },
  "person.other_names": { label: "Other names used", hint: "One per line: maiden names, aliases, other spellings." },
  "person.date_of_birth": { label: "Date of birth" },
  "person.place_of_birth": { label: "Place of birth" },
  "person.address": { label: "Mailing address" },
  "person.email": { label: "Email" },
  "person.phone": { label: "Phone" },
  "person.status_now": { label: "Citizenship or immigration status today" },
  "person.citizen_or_lpr_since": {
    label: "Citizen or green card holder since",
    hint: "The date the client first became a citizen or a green card holder, whichever came first.",
  },
  "person.born_citizen": { label: "Citizen by birth" },
  "person.status_at_offense": {
    label: "Status at the time of the offenses",
    hint: "Used for every offense that does not say otherwise.",
  },
  "person.a_number": { label: "A-number (alien registration number)" },
  "person.race": { label: "Race (optional)" },
  "person.gender": { label: "Gender (optional)" },
  "person.ethnicity": { label: "Ethnicity (optional)" },
  "offense.citation": { label: "Law cited", hint: "As written on the record, for example 21 U.S.C. 844." },
  "offense.charge_text": { label: "Charge, as written" },
  "offense.substance": { label: "Drug" },
  "offense.conduct": { label: "What the charge says the client did" },
  "offense.offense_date": { label: "Date of the offense" },
  "offense.disposition": { label: "How the case ended" },
  "offense.disposition_date": { label: "Date the case ended" },
  "offense.jurisdiction": { label: "Court" },
  "offense.status_at_offense": { label: "Client's status at the time of this offense" },
  "offense.court_name": { label: "Name of the court" },
  "offense.docket_number": { label: "Case or docket number" },
  "document.present": { label: "The client brought it" },
  "document.note": { label: "Note" },
  "consent.given": { label: "The client agrees to the clinic keeping this information and applying for them" },
  "consent.given_on": { label: "Date of consent" },
  "consent.submitter": { label: "Who will submit the application" },
  "consent.helper_name": { label: "Name of the person helping" },
  notes: { label: "Notes for the clinic" },
}

/** The determination's outcome in words. */
export const OUTCOMES = {
  ELIGIBLE: "Looks covered by a pardon",
  NOT_ELIGIBLE: "Not covered by these pardons",
  NEEDS_MORE_INFO: "More information needed",
}

/** The supervisor's decision in words. */
export const DECISIONS = {
  approved: "Approved by a supervisor",
  needs_info: "A supervisor needs more information",
  rejected: "Not going forward",
}

/** Proclamation numbers as people know them. */
export const PROCLAMATIONS = {
  10467: "the October 2022 pardon (Proclamation 10467)",
  10688: "the December 2023 pardon (Proclamation 10688)",
}

/** The label of a schema value, or a readable fallback that never shows underscores. */
export function choiceLabel(field, value) {
  return CHOICES[field]?.[value] ?? String(value).replaceAll("_", " ")
}
