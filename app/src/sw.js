// The service worker: the app shell and automerge.wasm are precached at install, so the app
// starts with no connection at all. It serves only the app's own files; the API and the sync
// socket always go to the network.

/* global __PRECACHE__, __VERSION__ */
const CACHE = `fieldclinic-app-${__VERSION__}`
const PRECACHE = __PRECACHE__

self.addEventListener("install", event => {
  event.waitUntil(
    caches.open(CACHE).then(cache => cache.addAll(PRECACHE.map(url => new Request(url, { cache: "reload" })))),
  )
})

self.addEventListener("activate", event => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith("fieldclinic-app-") && key !== CACHE) await caches.delete(key)
      }
      await self.clients.claim()
    })(),
  )
})

self.addEventListener("message", event => {
  if (event.data?.type === "skip-waiting") self.skipWaiting()
})

self.addEventListener("fetch", event => {
  const url = new URL(event.request.url)
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return
  if (!url.pathname.startsWith("/app/") && url.pathname !== "/app") return
  // Navigations inside the app all show the shell; the app decides what is on screen.
  const key = event.request.mode === "navigate" ? "/app/" : url.pathname
  event.respondWith(
    caches.open(CACHE).then(async cache => (await cache.match(key)) ?? fetch(event.request)),
  )
})
