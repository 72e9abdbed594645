// The intake's field problems as the volunteer types: the same checks as the server's
// `fieldclinic_schema::validate` (a date must be a real YYYY-MM-DD day, a word must be one the
// schema allows, an offense ID must be unique), in words for people, keyed by the form's paths.

import { choiceLabel } from "../labels.js"

/** True for a real calendar day written YYYY-MM-DD. */
export function isIsoDate(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  if (!m) return false
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

/**
 * @param {object} intake the document as the repo gives it
 * @param {Record<string, string[]>} words from vocabularies()
 * @returns {Map<string, string>} form path ("person.date_of_birth", "offenses.<id>.conduct") to a message
 */
export function validate(intake, words) {
  const problems = new Map()
  const text = v => (v === undefined || v === null ? "" : String(v))
  const date = (path, value) => {
    const v = text(value)
    if (v && !isIsoDate(v)) problems.set(path, `“${v}” is not a date. Pick the day from the calendar.`)
  }
  const word = (path, field, value) => {
    const v = text(value)
    if (v && !(words[field] ?? []).includes(v)) {
      const allowed = (words[field] ?? []).map(w => choiceLabel(field, w)).join("; ")
      problems.set(path, `“${v}” is not one of the choices (${allowed}). Pick one from the list.`)
    }
  }
  const person = intake?.person ?? {}
  date("person.date_of_birth", person.date_of_birth)
  word("person.status_now", "person.status_now", person.status_now)
  const since = text(person.citizen_or_lpr_since)
  if (since && since !== "birth" && !isIsoDate(since)) {
    problems.set("person.citizen_or_lpr_since", `“${since}” is not a date. Pick the day, or tick “Citizen by birth”.`)
  }
  word("person.status_at_offense", "person.status_at_offense", person.status_at_offense)

  const seen = new Set()
  for (const [i, o] of (intake?.offenses ?? []).entries()) {
    const key = offenseKey(o, i)
    const at = field => `offenses.${key}.${field}`
    const id = text(o?.id)
    if (id && seen.has(id)) problems.set(at("id"), "Two offenses share one record number; remove one of them.")
    if (id) seen.add(id)
    for (const field of ["substance", "conduct", "disposition", "jurisdiction", "status_at_offense"]) {
      word(at(field), `offense.${field}`, o?.[field])
    }
    date(at("offense_date"), o?.offense_date)
    date(at("disposition_date"), o?.disposition_date)
  }
  for (const [i, d] of (intake?.documents ?? []).entries()) {
    word(`documents.${i}.kind`, "document.kind", d?.kind)
  }
  const consent = intake?.consent ?? {}
  date("consent.given_on", consent.given_on)
  word("consent.submitter", "consent.submitter", consent.submitter)
  return problems
}

/** How the form names an offense: by its ID, or by its place when another device left none. */
export function offenseKey(offense, index) {
  const id = offense?.id === undefined || offense?.id === null ? "" : String(offense.id)
  return id ? `id-${id}` : `at-${index}`
}
