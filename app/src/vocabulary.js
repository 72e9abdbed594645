// The enumerated words of the intake schema, read from the JSON Schema the server exports
// (`fieldclinic schema export`, committed as intake-schema.json and checked against the binary by
// a Rust test), so the app and the server never disagree about what a field may hold.

/**
 * The words each device-written field may hold, keyed "person.status_now", "offense.conduct",
 * "document.kind", "consent.submitter".
 * @param {object} schema the intake JSON Schema
 * @returns {Record<string, string[]>}
 */
export function vocabularies(schema) {
  const defs = schema.$defs ?? {}
  const resolve = node => (node?.$ref ? defs[node.$ref.replace("#/$defs/", "")] : node)
  const wordsOf = node => {
    node = resolve(node)
    if (!node) return []
    const own = [...(node.enum ?? []), ...(node.const !== undefined ? [node.const] : [])]
    const nested = [...(node.anyOf ?? []), ...(node.oneOf ?? [])].flatMap(wordsOf)
    return [...own, ...nested].filter(v => typeof v === "string")
  }
  const result = {}
  // A section is its definition, or "that definition or null".
  const objectOf = node => {
    node = resolve(node)
    if (node?.properties) return node
    for (const option of [...(node?.anyOf ?? []), ...(node?.oneOf ?? [])]) {
      const found = objectOf(option)
      if (found) return found
    }
    return undefined
  }
  const section = (def, prefix) => {
    for (const [name, prop] of Object.entries(objectOf(def)?.properties ?? {})) {
      const words = wordsOf(prop)
      if (words.length) result[`${prefix}.${name}`] = [...new Set(words)]
    }
  }
  const root = schema.properties ?? {}
  section(root.person, "person")
  section(root.consent, "consent")
  section(itemsOf(root.offenses, resolve), "offense")
  section(itemsOf(root.documents, resolve), "document")
  // "birth" is not a choice but a checkbox; the field is otherwise a date.
  delete result["person.citizen_or_lpr_since"]
  return result
}

function itemsOf(node, resolve) {
  node = resolve(node)
  if (node?.items) return node.items
  for (const option of [...(node?.anyOf ?? []), ...(node?.oneOf ?? [])]) {
    const found = resolve(option)?.items
    if (found) return found
  }
  return undefined
}
