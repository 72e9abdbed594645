// One intake on screen: the form in steps, what the server and the supervisor sent back, and the
// intake's sync state in words. It writes every edit into the document at once (the repository
// saves it, encrypted, on this device) and patches the page when the document changes, from this
// form or from the server.

import { CHOICES, FIELDS, choiceLabel } from "../labels.js"
import { focusFirst, h, replace, uid, when } from "../ui/dom.js"
import { renderResult } from "./result.js"
import { asText, getAt, newOffenseId, offenseIndex, setFlag, setLines, setText, setWord } from "./fields.js"
import { offenseKey, validate } from "./validate.js"

const PERSON = [
  { path: "person.legal_name", kind: "text", autocomplete: "name" },
  { path: "person.other_names", kind: "lines" },
  { path: "person.date_of_birth", kind: "date" },
  { path: "person.place_of_birth", kind: "text" },
  { path: "person.address", kind: "area", autocomplete: "street-address" },
  { path: "person.phone", kind: "text", type: "tel", autocomplete: "tel" },
  { path: "person.email", kind: "text", type: "email", autocomplete: "email" },
  { path: "person.race", kind: "text" },
  { path: "person.gender", kind: "text" },
  { path: "person.ethnicity", kind: "text" },
]
const STATUS = [
  { path: "person.status_now", kind: "choice" },
  { path: "person.citizen_or_lpr_since", kind: "since" },
  { path: "person.status_at_offense", kind: "choice" },
  { path: "person.a_number", kind: "text" },
]
const OFFENSE = [
  { field: "citation", kind: "text" },
  { field: "charge_text", kind: "text" },
  { field: "substance", kind: "choice" },
  { field: "conduct", kind: "choice" },
  { field: "offense_date", kind: "date" },
  { field: "disposition", kind: "choice" },
  { field: "disposition_date", kind: "date" },
  { field: "jurisdiction", kind: "choice" },
  { field: "court_name", kind: "text" },
  { field: "docket_number", kind: "text" },
  { field: "status_at_offense", kind: "choice" },
]
const CONSENT = [
  { path: "consent.given", kind: "flag" },
  { path: "consent.given_on", kind: "date" },
  { path: "consent.submitter", kind: "choice" },
  { path: "consent.helper_name", kind: "text" },
  { path: "notes", kind: "area" },
]

const STEPS = [
  { id: "person", title: "About the client" },
  { id: "status", title: "Citizenship and immigration" },
  { id: "offenses", title: "Offenses on the record" },
  { id: "documents", title: "Documents" },
  { id: "consent", title: "Consent and notes" },
  { id: "result", title: "Result" },
]

/** The server writes review and conflict paths as "offenses[2].offense_date"; the form keys offenses by ID. */
function formPath(doc, path) {
  const m = /^offenses\[(\d+)\]\.(.+)$/.exec(path)
  if (!m) return path
  const i = Number(m[1])
  return `offenses.${offenseKey(doc.offenses?.[i], i)}.${m[2]}`
}

export class IntakeView {
  /**
   * @param {{ handle: any, words: Record<string, string[]>, record: () => any, syncState: () => {text: string, tone: string}, onFinish: (finished: boolean) => void, onBack: () => void }} options
   */
  constructor({ handle, words, record, syncState, onFinish, onBack }) {
    this.handle = handle
    this.words = words
    this.record = record
    this.syncState = syncState
    this.onFinish = onFinish
    this.onBack = onBack
    /** @type {{ path: string, input: HTMLElement, box: HTMLElement, problem: HTMLElement, kind: string, read: (doc: any) => any }[]} */
    this.fields = []
    this.step = 0
    this.offenseKeys = ""
    this.badInput = new Set()
  }

  render() {
    const doc = this.handle.doc()
    this.stepNav = h("ol", { class: "steps" })
    this.statusLine = h("p", { class: "sync-state", role: "status" })
    this.stepBody = h("div", { class: "step" })
    this.root = h(
      "section",
      { class: "intake", "aria-labelledby": "intake-title" },
      h("p", {}, h("button", { type: "button", class: "link", onclick: () => this.onBack() }, "← All intakes")),
      h("h1", { id: "intake-title" }, nameOf(doc)),
      this.statusLine,
      h("nav", { "aria-label": "Steps of this intake" }, this.stepNav),
      this.stepBody,
    )
    this.showStep(0, false)
    return this.root
  }

  showStep(index, moveFocus = true) {
    this.step = index
    const doc = this.handle.doc()
    replace(
      this.stepNav,
      STEPS.map((s, i) =>
        h(
          "li",
          {},
          h(
            "button",
            { type: "button", class: "step-link", "aria-current": i === index ? "step" : false, onclick: () => this.showStep(i) },
            `${i + 1}. ${s.title}`,
          ),
        ),
      ),
    )
    this.fields = []
    this.resultBox = this.finishBox = this.offensesBox = null
    const step = STEPS[index]
    const body = h("div", {}, h("h2", {}, step.title))
    if (step.id === "person") body.append(...PERSON.map(f => this.field(f)))
    if (step.id === "status") body.append(...STATUS.map(f => this.field(f)))
    if (step.id === "offenses") body.append(this.offensesSection(doc))
    if (step.id === "documents") body.append(this.documentsSection())
    if (step.id === "consent") body.append(...CONSENT.map(f => this.field(f)))
    if (step.id === "result") body.append(this.resultSection(doc))
    body.append(
      h(
        "div",
        { class: "step-buttons" },
        index > 0 ? h("button", { type: "button", class: "secondary", onclick: () => this.showStep(index - 1) }, "Back") : null,
        index < STEPS.length - 1 ? h("button", { type: "button", onclick: () => this.showStep(index + 1) }, "Next") : null,
      ),
    )
    replace(this.stepBody, body)
    this.update()
    if (moveFocus) focusFirst(this.stepBody)
  }

  /** One labelled control; `spec.path` is the form path, `spec.docPath` how to reach it in the document. */
  field(spec) {
    const path = spec.path
    const labelKey = spec.labelKey ?? path
    const { label, hint } = FIELDS[labelKey] ?? { label: labelKey }
    const id = uid()
    const hintId = hint ? `${id}-hint` : null
    const problemId = `${id}-problem`
    const noteId = `${id}-note`
    const describedBy = [hintId, problemId, noteId].filter(Boolean).join(" ")
    const docPath = spec.docPath ?? (() => path.split("."))
    // Reading may not create what writing would (a documents entry), so it may have its own path.
    const readPath = spec.readPath ?? docPath
    const read = doc => {
      const at = readPath(doc)
      return at ? getAt(doc, at) : undefined
    }
    const write = value =>
      this.change(d => {
        const at = docPath(d)
        if (!at) return
        if (spec.kind === "text" || spec.kind === "area") setText(d, at, value)
        else if (spec.kind === "lines") setLines(d, at, value)
        else if (spec.kind === "flag") setFlag(d, at, value)
        else setWord(d, at, value)
      })
    let input
    let extra = null
    const common = { id, "aria-describedby": describedBy }
    if (spec.kind === "choice") {
      const field = spec.vocabulary ?? labelKey
      input = h(
        "select",
        { ...common, onchange: e => write(e.target.value) },
        h("option", { value: "" }, "Choose…"),
        (this.words[field] ?? []).map(w => h("option", { value: w }, choiceLabel(field, w))),
      )
    } else if (spec.kind === "date") {
      input = h("input", {
        ...common,
        type: "date",
        // The value of an unfinished date is "", so the browser's own check is the only way to
        // tell "not answered" from "half typed".
        oninput: e => this.dateInput(path, e.target, write),
        onchange: e => this.dateInput(path, e.target, write),
        // A date typed part way fires no input event (its value stays ""), so key presses and
        // leaving the field are when a half-typed date is noticed.
        onkeyup: e => this.dateInput(path, e.target, write),
        onblur: e => this.dateInput(path, e.target, write),
      })
    } else if (spec.kind === "flag") {
      input = h("input", { ...common, type: "checkbox", onchange: e => write(e.target.checked) })
    } else if (spec.kind === "since") {
      const birthId = uid()
      const birth = h("input", {
        type: "checkbox",
        id: birthId,
        onchange: e => {
          write(e.target.checked ? "birth" : "")
          input.disabled = e.target.checked || this.finished()
        },
      })
      input = h("input", {
        ...common,
        type: "date",
        oninput: e => this.dateInput(path, e.target, write),
        onkeyup: e => this.dateInput(path, e.target, write),
        onblur: e => this.dateInput(path, e.target, write),
      })
      extra = h("div", { class: "check" }, birth, h("label", { for: birthId }, FIELDS["person.born_citizen"].label))
      input.birth = birth
    } else if (spec.kind === "area" || spec.kind === "lines") {
      input = h("textarea", { ...common, rows: 3, oninput: e => write(e.target.value) })
    } else {
      input = h("input", {
        ...common,
        type: spec.type ?? "text",
        autocomplete: spec.autocomplete ?? "off",
        oninput: e => write(e.target.value),
      })
    }
    const problem = h("p", { class: "problem", id: problemId, hidden: true })
    const note = h("p", { class: "asked", id: noteId, hidden: true })
    const box =
      spec.kind === "flag"
        ? h("div", { class: "field check", "data-path": path }, input, h("label", { for: id }, label), problem, note)
        : h(
            "div",
            { class: "field", "data-path": path },
            h("label", { for: id }, label),
            hint ? h("p", { class: "hint", id: hintId }, hint) : null,
            extra,
            input,
            problem,
            note,
          )
    this.fields.push({ path, input, box, problem, note, kind: spec.kind, read })
    return box
  }

  dateInput(path, input, write) {
    if (input.validity.badInput) {
      this.badInput.add(path)
    } else {
      this.badInput.delete(path)
      write(input.value)
    }
    this.update()
  }

  offensesSection(doc) {
    this.offensesBox = h("div", { class: "offenses" })
    this.offenseKeys = ""
    this.renderOffenses(doc)
    return h(
      "div",
      {},
      this.offensesBox,
      h("button", { type: "button", class: "secondary", onclick: () => this.addOffense() }, "Add an offense"),
    )
  }

  renderOffenses(doc) {
    const list = Array.isArray(doc.offenses) ? doc.offenses : []
    this.offenseKeys = list.map(offenseKey).join(",")
    this.fields = this.fields.filter(f => !f.path.startsWith("offenses."))
    if (!list.length) {
      replace(this.offensesBox, h("p", { class: "empty" }, "No offenses yet. Add one for each charge on the client's record."))
      return
    }
    replace(
      this.offensesBox,
      list.map((o, i) => {
        const key = offenseKey(o, i)
        const docPath = field => d => {
          const at = offenseIndex(d, key, offenseKey)
          return at < 0 ? null : ["offenses", at, field]
        }
        return h(
          "fieldset",
          { class: "offense" },
          h("legend", {}, `Offense ${i + 1}`),
          OFFENSE.map(f =>
            this.field({
              ...f,
              path: `offenses.${key}.${f.field}`,
              labelKey: `offense.${f.field}`,
              vocabulary: `offense.${f.field}`,
              docPath: docPath(f.field),
            }),
          ),
          h(
            "button",
            {
              type: "button",
              class: "danger",
              onclick: () => {
                if (!confirm(`Remove offense ${i + 1} from this intake?`)) return
                this.change(d => {
                  const at = offenseIndex(d, key, offenseKey)
                  if (at >= 0) d.offenses.splice(at, 1)
                })
              },
            },
            `Remove offense ${i + 1}`,
          ),
        )
      }),
    )
  }

  addOffense() {
    const id = newOffenseId()
    this.change(d => {
      if (!Array.isArray(d.offenses)) d.offenses = []
      d.offenses.push({ id })
    })
    const cards = this.offensesBox.querySelectorAll("fieldset")
    if (cards.length) focusFirst(cards[cards.length - 1])
  }

  documentsSection() {
    const kinds = this.words["document.kind"] ?? []
    return h(
      "div",
      {},
      h("p", { class: "hint" }, "Tick each document the client brought today. The result lists what is still missing."),
      kinds.map(kind => {
        const docPath = field => d => {
          if (!Array.isArray(d.documents)) d.documents = []
          let at = d.documents.findIndex(x => String(x?.kind ?? "") === kind)
          if (at < 0) {
            d.documents.push({ kind })
            at = d.documents.length - 1
          }
          return ["documents", at, field]
        }
        const readPath = field => doc => {
          const at = (doc.documents ?? []).findIndex(x => String(x?.kind ?? "") === kind)
          return at < 0 ? null : ["documents", at, field]
        }
        const present = this.field({
          path: `documents.${kind}.present`,
          labelKey: "document.present",
          kind: "flag",
          docPath: docPath("present"),
          readPath: readPath("present"),
        })
        const note = this.field({
          path: `documents.${kind}.note`,
          labelKey: "document.note",
          kind: "text",
          docPath: docPath("note"),
          readPath: readPath("note"),
        })
        return h("fieldset", { class: "document" }, h("legend", {}, CHOICES["document.kind"][kind] ?? choiceLabel("document.kind", kind)), present, note)
      }),
    )
  }

  resultSection(doc) {
    this.resultBox = h("div", { class: "result" })
    this.finishBox = h("div", { class: "finish" })
    this.finishShown = undefined
    renderResult(this.resultBox, doc, this.words)
    this.renderFinish()
    return h("div", {}, this.resultBox, this.finishBox)
  }

  renderFinish() {
    if (!this.finishBox) return
    const finished = this.finished()
    // Rebuilding the button on every document change would take focus from it.
    if (this.finishShown === finished) return
    this.finishShown = finished
    replace(
      this.finishBox,
      finished
        ? [
            h("p", {}, "This intake is marked finished, so its answers are locked on this device."),
            h("button", { type: "button", class: "secondary", onclick: () => this.setFinished(false) }, "Reopen to make changes"),
          ]
        : [
            h("p", {}, "When every answer the client can give is in, mark the intake finished."),
            h("button", { type: "button", onclick: () => this.setFinished(true) }, "Mark as finished"),
          ],
    )
  }

  setFinished(finished) {
    this.onFinish(finished)
    this.renderFinish()
    this.update()
  }

  finished() {
    return Boolean(this.record()?.finished)
  }

  change(fn) {
    if (this.finished()) return
    this.handle.change(fn)
  }

  /** Brings the page in line with the document: values, problems, notes, the result. */
  update() {
    const doc = this.handle.doc()
    if (!doc || !this.root) return
    this.root.querySelector("#intake-title").textContent = nameOf(doc)
    const state = this.syncState()
    this.statusLine.textContent = state.text
    this.statusLine.dataset.tone = state.tone
    if (this.offensesBox && (Array.isArray(doc.offenses) ? doc.offenses : []).map(offenseKey).join(",") !== this.offenseKeys) {
      this.renderOffenses(doc)
    }
    const problems = validate(doc, this.words)
    const asked = new Map()
    if (asText(doc.review?.decision) === "needs_info") {
      for (const p of doc.review.fields ?? []) asked.set(formPath(doc, String(p)), "A supervisor asked about this.")
    }
    for (const p of doc.determination?.open_conflicts ?? []) {
      asked.set(formPath(doc, String(p)), "Two devices gave different answers here; a supervisor will settle it.")
    }
    const finished = this.finished()
    for (const f of this.fields) {
      const value = f.read(doc)
      if (document.activeElement !== f.input) {
        if (f.kind === "flag") f.input.checked = value === true
        else if (f.kind === "since") {
          f.input.birth.checked = asText(value) === "birth"
          f.input.value = asText(value) === "birth" ? "" : asText(value)
        } else if (!this.badInput.has(f.path)) f.input.value = asText(value)
      }
      f.input.disabled = finished || (f.kind === "since" && f.input.birth.checked)
      if (f.input.birth) f.input.birth.disabled = finished
      const message = this.badInput.has(f.path) ? "This date is not complete." : problems.get(f.path)
      f.problem.hidden = !message
      f.problem.textContent = message ?? ""
      f.input.setAttribute("aria-invalid", message ? "true" : "false")
      const note = asked.get(f.path)
      f.note.hidden = !note
      f.note.textContent = note ?? ""
      f.box.classList.toggle("is-asked", Boolean(note))
    }
    if (this.resultBox) renderResult(this.resultBox, doc, this.words)
    this.renderFinish()
  }
}

/** The heading of an intake: the client's name, or words saying there is none yet. */
export function nameOf(doc) {
  const name = asText(doc?.person?.legal_name).trim()
  return name || "Client without a name yet"
}
