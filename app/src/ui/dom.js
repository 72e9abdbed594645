// A few lines instead of a UI framework: the app's pages are forms and lists, rebuilt or patched
// by hand, and every node is made with textContent so nothing a device syncs can become markup.

/**
 * Makes an element. `attrs` keys starting with "on" add listeners; `class`, `for` and ARIA/data
 * attributes are set as attributes, everything else as properties. Children may be strings,
 * nodes, or nested arrays; null and false are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value)
    else if (key === "class" || key === "for" || key === "role" || key.startsWith("aria-") || key.startsWith("data-") || key === "inputmode" || key === "autocomplete" || key === "list") {
      el.setAttribute(key, value === true ? "" : String(value))
    } else el[key] = value
  }
  append(el, children)
  return el
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    if (Array.isArray(child)) append(el, child)
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
}

/** Replaces everything in `el` with `children`. */
export function replace(el, ...children) {
  el.replaceChildren()
  append(el, children)
  return el
}

let ids = 0
/** A unique element ID for label/field/hint wiring. */
export function uid(prefix = "f") {
  ids += 1
  return `${prefix}-${ids}`
}

/** Moves focus to the first field of `root`, or to its heading, for keyboard and screen-reader users. */
export function focusFirst(root) {
  const target =
    root.querySelector("input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])") ??
    root.querySelector("h1, h2")
  if (!target) return
  if (!target.matches("input, select, textarea")) target.setAttribute("tabindex", "-1")
  target.focus()
}

/** Formats a time for people: "2 Dec 2026, 14:05" in the device's language and zone. */
export function when(ms) {
  return new Date(ms).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })
}
