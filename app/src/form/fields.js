// Reading and writing one intake field in the Automerge document.
//
// Free text (names, addresses, notes) is collaborative Text, edited with updateText so two
// volunteers typing into one note merge their words. Words from a list and dates are scalar
// strings: merging characters of "possession" and "use" would make a word no rule knows, while a
// scalar conflict is exactly what the server surfaces to a supervisor.

import * as A from "@automerge/automerge/slim"

/** The value at `path` (an array of keys and indexes), or undefined. */
export function getAt(doc, path) {
  let node = doc
  for (const key of path) {
    if (node === undefined || node === null) return undefined
    node = node[key]
  }
  return node
}

function parentOf(d, path) {
  let node = d
  for (const key of path.slice(0, -1)) {
    if (node[key] === undefined || node[key] === null || typeof node[key] !== "object") node[key] = {}
    node = node[key]
  }
  return node
}

/** Inside a change: sets free text, deleting the field when it is emptied. */
export function setText(d, path, value) {
  const parent = parentOf(d, path)
  const key = path[path.length - 1]
  if (value === "") {
    if (key in parent) delete parent[key]
    return
  }
  if (typeof parent[key] === "string" && !A.isImmutableString(parent[key])) {
    try {
      A.updateText(d, path, value)
      return
    } catch {
      // Another writer stored this field as a scalar; replacing it is the only edit there is.
    }
  }
  parent[key] = value
}

/** Inside a change: sets a scalar word or date, deleting the field when it is emptied. */
export function setWord(d, path, value) {
  const parent = parentOf(d, path)
  const key = path[path.length - 1]
  if (value === "" || value === undefined || value === null) {
    if (key in parent) delete parent[key]
    return
  }
  if (String(parent[key] ?? "") === value) return
  parent[key] = new A.ImmutableString(value)
}

/** Inside a change: sets a yes/no field; `null` removes it (not answered). */
export function setFlag(d, path, value) {
  const parent = parentOf(d, path)
  const key = path[path.length - 1]
  if (value === null) {
    if (key in parent) delete parent[key]
  } else if (parent[key] !== value) parent[key] = value
}

/** Inside a change: replaces a list of short strings (other names), one per non-empty line. */
export function setLines(d, path, text) {
  const lines = text
    .split("\n")
    .map(l => l.trim())
    .filter(Boolean)
  const parent = parentOf(d, path)
  const key = path[path.length - 1]
  const current = Array.isArray(parent[key]) ? parent[key].map(String) : []
  if (current.length === lines.length && current.every((v, i) => v === lines[i])) return
  if (!lines.length) {
    if (key in parent) delete parent[key]
    return
  }
  parent[key] = lines.map(l => new A.ImmutableString(l))
}

/** The value as a form control shows it. */
export function asText(value) {
  if (value === undefined || value === null) return ""
  if (Array.isArray(value)) return value.map(String).join("\n")
  return String(value)
}

/** A new offense's ID: random, short, and never reused on another device. */
export function newOffenseId() {
  const bytes = crypto.getRandomValues(new Uint8Array(9))
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
}

/** The index of the offense with this form key in the document as it is now. */
export function offenseIndex(d, key, offenseKey) {
  const list = Array.isArray(d.offenses) ? d.offenses : []
  return list.findIndex((o, i) => offenseKey(o, i) === key)
}
