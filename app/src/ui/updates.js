// The service worker installs a new version in the background; it takes over only when the
// volunteer says so, so code never changes under an intake being typed.

import { h, replace } from "./dom.js"

/**
 * Registers the service worker and offers each waiting version.
 * @param {HTMLElement} banner where the offer appears
 * @param {() => boolean} intakeOpen whether an intake is on screen (the offer says to finish first)
 */
export function watchForUpdates(banner, intakeOpen) {
  if (!("serviceWorker" in navigator)) return
  let reloading = false
  // The first visit's worker claims the page too; only a replaced worker means new code to load.
  const hadController = Boolean(navigator.serviceWorker.controller)
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading || !hadController) return
    reloading = true
    location.reload()
  })
  const offer = worker => {
    replace(
      banner,
      h(
        "div",
        { class: "banner banner-info", role: "status" },
        h("p", {}, intakeOpen() ? "A new version of the app is ready. Update when you have finished this intake's current step; nothing you typed is lost." : "A new version of the app is ready."),
        h("button", { type: "button", onclick: () => worker.postMessage({ type: "skip-waiting" }) }, "Update now"),
      ),
    )
  }
  navigator.serviceWorker
    .register("/app/sw.js", { scope: "/app/" })
    .then(registration => {
      if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting)
      registration.addEventListener("updatefound", () => {
        const worker = registration.installing
        worker?.addEventListener("statechange", () => {
          if (worker.state === "installed" && navigator.serviceWorker.controller) offer(worker)
        })
      })
    })
    .catch(() => {
      // Without a service worker the app still works online; it just cannot start offline.
    })
}
