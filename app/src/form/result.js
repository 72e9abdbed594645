// What came back from the server, in words: the eligibility result with each reason and the
// question to ask the client, a warning while conflicting answers wait for a supervisor, the
// documents still missing, and the supervisor's decision.

import { DECISIONS, OUTCOMES, PROCLAMATIONS } from "../labels.js"
import { h, replace } from "../ui/dom.js"

const text = v => (v === undefined || v === null ? "" : String(v))

/** Fills `box` with the determination and review of `doc`; idempotent, cheap enough per change. */
export function renderResult(box, doc) {
  const det = doc?.determination
  const review = doc?.review
  const parts = []
  if (!det || !text(det.outcome)) {
    parts.push(
      h("h3", {}, "No result yet"),
      h(
        "p",
        {},
        "The server checks the intake against the pardons as soon as it receives it. The result appears here the next time this device is online.",
      ),
    )
  } else {
    const outcome = text(det.outcome)
    const proclamations = (det.proclamations ?? []).map(p => PROCLAMATIONS[text(p)] ?? `Proclamation ${p}`)
    parts.push(
      h("h3", { class: `outcome outcome-${outcome.toLowerCase().replaceAll("_", "-")}` }, OUTCOMES[outcome] ?? "Result not recognised"),
    )
    if (outcome === "ELIGIBLE" && proclamations.length) parts.push(h("p", {}, `Covered by ${proclamations.join(" and ")}.`))
    if (det.provisional) {
      parts.push(
        h(
          "p",
          { class: "warning", role: "note" },
          "This result may change: answers from different devices disagree, and a supervisor has to settle them first.",
        ),
      )
    }
    const reasons = det.reasons ?? []
    if (reasons.length) {
      parts.push(
        h("h4", {}, "Why"),
        h(
          "ul",
          { class: "reasons" },
          reasons.map(r =>
            h(
              "li",
              {},
              h("p", {}, text(r.explanation)),
              text(r.question) ? h("p", { class: "question" }, h("strong", {}, "Ask the client: "), text(r.question)) : null,
            ),
          ),
        ),
      )
    }
    const missing = (det.missing_items ?? []).filter(m => m?.required !== false)
    if (missing.length) {
      parts.push(h("h4", {}, "Still needed for the certificate"), h("ul", {}, missing.map(m => h("li", {}, text(m.label)))))
    }
    if (text(det.evaluated_at)) {
      const at = Date.parse(text(det.evaluated_at))
      if (Number.isFinite(at)) parts.push(h("p", { class: "hint" }, `Checked by the server ${new Date(at).toLocaleString()}.`))
    }
  }
  if (review && text(review.decision)) {
    const decision = text(review.decision)
    parts.push(
      h(
        "div",
        { class: `review review-${decision.replaceAll("_", "-")}` },
        h("h3", {}, DECISIONS[decision] ?? "A supervisor reviewed this intake"),
        text(review.message) ? h("p", { class: "review-message" }, text(review.message)) : null,
        decision === "needs_info" && (review.fields ?? []).length
          ? h("p", { class: "hint" }, "The questions it concerns are marked in the form.")
          : null,
      ),
    )
  }
  replace(box, parts)
}
