// Live updates for the caseload and case pages. The server sends an event naming a case when a
// device syncs a change to it; the page fetches itself again and swaps the parts marked
// `data-live`, so what a supervisor sees stays current without a manual reload. Nothing here is
// needed for the pages to work: without JavaScript they are plain server-rendered pages.
(() => {
  "use strict"
  const liveParts = () => Array.from(document.querySelectorAll("[data-live]"))
  if (!liveParts().length || !("EventSource" in window)) return

  // A case page listens to its own case only; other pages to every case of the clinic.
  const only = liveParts().map(el => el.dataset.live).find(v => v) || ""
  const status = document.getElementById("live-status")
  let timer = null

  // A supervisor typing into a form must not lose what they typed: then the page offers to
  // reload instead of replacing the form under their hands.
  const editing = () => {
    const el = document.activeElement
    if (el && el.matches("input:not([type=hidden]), textarea, select")) return true
    return Array.from(document.querySelectorAll("textarea, input[type=text]")).some(f => f.value.trim() !== "")
  }

  const offerReload = () => {
    if (document.querySelector(".live-banner")) return
    const banner = document.createElement("div")
    banner.className = "live-banner"
    banner.setAttribute("role", "status")
    const text = document.createElement("span")
    text.textContent = "This page has changed since you opened it."
    const button = document.createElement("button")
    button.type = "button"
    button.textContent = "Show the latest"
    button.addEventListener("click", () => location.reload())
    banner.append(text, button)
    document.querySelector("main").prepend(banner)
  }

  const refresh = async () => {
    if (editing()) return offerReload()
    let response
    try {
      response = await fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
    } catch {
      return
    }
    if (!response.ok || response.redirected) return
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html")
    const next = Array.from(fresh.querySelectorAll("[data-live]"))
    const current = liveParts()
    if (next.length !== current.length) return offerReload()
    current.forEach((el, i) => el.replaceWith(document.importNode(next[i], true)))
    if (status) status.textContent = "Updated at " + new Date().toLocaleTimeString()
    document.body.dataset.liveUpdates = String(Number(document.body.dataset.liveUpdates || 0) + 1)
  }

  const events = new EventSource("/events")
  const schedule = () => {
    // Several devices syncing at once make one refresh, not one per event.
    clearTimeout(timer)
    timer = setTimeout(refresh, 250)
  }
  events.addEventListener("case", e => {
    if (!only || e.data === only) schedule()
  })
  events.addEventListener("resync", schedule)
  events.addEventListener("open", () => { document.body.dataset.liveConnected = "true" })
})()
