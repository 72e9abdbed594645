// The volunteers' intake app: enrollment, the PIN that unlocks the encrypted store, the list of
// intakes on this device and assigned to the volunteer, and one intake at a time.

import { Repo, initializeWasm } from "@automerge/automerge-repo/slim"
import schema from "./intake-schema.json"
import { vocabularies } from "./vocabulary.js"
import { IntakeView, nameOf } from "./form/intake-view.js"
import { OUTCOMES } from "./labels.js"
import { fetchTicket, RevokedError, TicketSocketAdapter, TokenRefusedError } from "./net/ticket-socket.js"
import { Records } from "./records.js"
import { EncryptedIndexedDBStorageAdapter } from "./storage/encrypted-idb.js"
import { MIN_PIN_LENGTH, WrongPinError, createVault, unlockVault, vaultExists, wipe } from "./storage/vault.js"
import { focusFirst, h, replace, uid, when } from "./ui/dom.js"
import { scanEnrollmentCode } from "./ui/scan.js"
import { watchForUpdates } from "./ui/updates.js"

const DB = "fieldclinic"
const LOCK_NAME = "fieldclinic-repository"
/** Locks after this long without a touch or a key press. */
const IDLE_LOCK_MS = 5 * 60 * 1000
/** Locks when the app has been in the background this long (another app, the screen off). */
const HIDDEN_LOCK_MS = 60 * 1000

const words = vocabularies(schema)
const main = document.getElementById("main")
const banner = document.getElementById("banner")
const connection = document.getElementById("connection")
const lockButton = document.getElementById("lock")

// The wasm comes from the service worker's cache when offline; starting it while the volunteer
// types the PIN hides most of its start-up time.
const wasmReady = fetch(__WASM_URL__)
  .then(r => {
    if (!r.ok) throw new Error(`automerge.wasm answered ${r.status}`)
    return r.arrayBuffer()
  })
  .then(bytes => initializeWasm(new Uint8Array(bytes)))
// Awaited when the store opens; a failure is reported there, not as an unhandled rejection here.
wasmReady.catch(() => {})

/** The open session: set after unlocking, dropped (by reloading the page) when locking. */
let session = null

function show(...children) {
  replace(main, ...children)
  focusFirst(main)
}

function say(message, tone = "info") {
  replace(banner, message ? h("p", { class: `banner banner-${tone}` }, message) : null)
}

function errorText(err) {
  return err?.message ?? String(err)
}

async function start() {
  watchForUpdates(banner, () => session?.view !== null && session?.view !== undefined)
  if (!(await ownTheRepository())) {
    show(
      h("h1", {}, "fieldclinic is open in another tab"),
      h("p", {}, "Use the other tab or window, or close it and reload this one. Two tabs would keep two copies of the same drafts."),
    )
    return
  }
  if (await vaultExists(DB)) showUnlock()
  else showEnroll()
}

// Two tabs writing one database would each create drafts the other never sees until a reload.
function ownTheRepository() {
  if (!navigator.locks) return Promise.resolve(true)
  return new Promise(resolve => {
    navigator.locks
      .request(LOCK_NAME, { ifAvailable: true }, lock => {
        resolve(Boolean(lock))
        // Held for the life of the page.
        return lock ? new Promise(() => {}) : undefined
      })
      .catch(() => resolve(true))
  })
}

function showEnroll(problem) {
  const tokenId = uid()
  const errorId = uid()
  const error = h("p", { class: "problem", id: errorId, role: "alert", hidden: !problem }, problem ?? "")
  const token = h("input", { id: tokenId, type: "text", autocomplete: "off", spellcheck: false, "aria-describedby": errorId })
  const submit = async value => {
    error.hidden = true
    const enrollment = parseEnrollment(value)
    if (enrollment.problem) {
      error.textContent = enrollment.problem
      error.hidden = false
      return
    }
    try {
      const me = await checkToken(enrollment.token)
      showChoosePin({ token: enrollment.token, me })
    } catch (err) {
      error.textContent = errorText(err)
      error.hidden = false
    }
  }
  const canScan = "BarcodeDetector" in window && navigator.mediaDevices?.getUserMedia
  const scanBox = h("div", { class: "scan" })
  show(
    h("h1", {}, "Set up this device"),
    h("p", {}, "An administrator enrolls each device on the dashboard's Devices page and gets a code for it."),
    canScan
      ? h(
          "p",
          {},
          h(
            "button",
            {
              type: "button",
              onclick: async () => {
                try {
                  const text = await scanEnrollmentCode(scanBox)
                  if (text) await submit(text)
                } catch (err) {
                  error.textContent = `The camera could not read the code: ${errorText(err)}. Type the token instead.`
                  error.hidden = false
                }
              },
            },
            "Scan the code",
          ),
        )
      : null,
    scanBox,
    h(
      "form",
      {
        class: "stack",
        onsubmit: e => {
          e.preventDefault()
          void submit(token.value)
        },
      },
      h("label", { for: tokenId }, "Device token"),
      token,
      error,
      h("button", { type: "submit" }, "Continue"),
    ),
  )
}

/** Accepts the token itself or the whole enrollment code (JSON with the server and the token). */
export function parseEnrollment(value) {
  const text = value.trim()
  if (!text) return { problem: "Enter the device token from the enrollment page." }
  if (text.startsWith("{")) {
    let code
    try {
      code = JSON.parse(text)
    } catch {
      return { problem: "This is not a fieldclinic enrollment code." }
    }
    if (code?.fieldclinic !== 1 || typeof code.token !== "string") return { problem: "This is not a fieldclinic enrollment code." }
    if (typeof code.server === "string" && new URL(code.server).origin !== location.origin) {
      return { problem: `This code is for the server at ${code.server}. Open the app from that address to enroll.` }
    }
    return { token: code.token }
  }
  return { token: text }
}

async function checkToken(token) {
  try {
    await fetchTicket(token)
  } catch (err) {
    if (err instanceof RevokedError) throw new Error("This token belongs to a device that was removed. Ask for a new one.")
    if (err instanceof TokenRefusedError) throw new Error("The server does not know this token. Check it, or ask for a new one.")
    throw new Error("Could not reach the server. Enrollment needs a connection.")
  }
  const response = await fetch("/api/v1/me", { headers: { authorization: `Bearer ${token}` }, cache: "no-store" })
  if (!response.ok) throw new Error("The server did not accept this token.")
  return response.json()
}

function pinFields(first, second) {
  const a = uid()
  const b = second ? uid() : null
  const hintId = uid()
  const pin = h("input", { id: a, type: "password", autocomplete: "off", "aria-describedby": hintId })
  const again = second ? h("input", { id: b, type: "password", autocomplete: "off" }) : null
  return {
    pin,
    again,
    nodes: [
      h("label", { for: a }, first),
      h("p", { class: "hint", id: hintId }, `At least ${MIN_PIN_LENGTH} characters. Without it nobody can read the intakes kept on this device, and nobody can recover them if it is forgotten.`),
      pin,
      second ? [h("label", { for: b }, second), again] : null,
    ],
  }
}

function showChoosePin({ token, me }) {
  const { pin, again, nodes } = pinFields("Choose a PIN or passphrase", "Type it again")
  const error = h("p", { class: "problem", role: "alert", hidden: true })
  show(
    h("h1", {}, "Protect this device's intakes"),
    h("p", {}, `This device will record intakes for ${me.email}.`),
    h(
      "form",
      {
        class: "stack",
        onsubmit: async e => {
          e.preventDefault()
          error.hidden = true
          if (pin.value.length < MIN_PIN_LENGTH) {
            error.textContent = `Use at least ${MIN_PIN_LENGTH} characters.`
            error.hidden = false
            return
          }
          if (pin.value !== again.value) {
            error.textContent = "The two entries are different."
            error.hidden = false
            return
          }
          try {
            const vault = await createVault(DB, pin.value)
            const storage = new EncryptedIndexedDBStorageAdapter(DB, vault)
            const records = new Records(storage)
            await records.saveEnrollment({
              token,
              userId: me.user_id,
              email: me.email,
              role: me.role,
              deviceId: me.device_id,
              indexUrl: me.index_url,
              enrolledAt: Date.now(),
            })
            // Without this a browser short of space may delete the database, drafts included.
            await navigator.storage?.persist?.().catch(() => false)
            await open(vault, storage, records)
          } catch (err) {
            error.textContent = errorText(err)
            error.hidden = false
          }
        },
      },
      nodes,
      error,
      h("button", { type: "submit" }, "Save and continue"),
    ),
  )
}

function showUnlock(message) {
  const { pin, nodes } = pinFields("PIN or passphrase")
  const error = h("p", { class: "problem", role: "alert", hidden: !message }, message ?? "")
  const button = h("button", { type: "submit" }, "Unlock")
  show(
    h("h1", {}, "Unlock fieldclinic"),
    h(
      "form",
      {
        class: "stack",
        onsubmit: async e => {
          e.preventDefault()
          error.hidden = true
          button.disabled = true
          button.textContent = "Unlocking…"
          try {
            const vault = await unlockVault(DB, pin.value)
            const storage = new EncryptedIndexedDBStorageAdapter(DB, vault)
            await open(vault, storage, new Records(storage))
          } catch (err) {
            button.disabled = false
            button.textContent = "Unlock"
            error.textContent = err instanceof WrongPinError ? "That PIN or passphrase is not right." : errorText(err)
            error.hidden = false
            pin.select()
          }
        },
      },
      nodes,
      error,
      button,
    ),
  )
}

async function open(vault, storage, records) {
  const enrollment = await records.loadEnrollment()
  if (!enrollment) throw new Error("This device's enrollment is missing; reset the app and enroll it again.")
  await records.loadIntakes()
  await wasmReady
  const network = new TicketSocketAdapter({ getTicket: () => fetchTicket(enrollment.token), onRevoked: () => void revoked() })
  const repo = new Repo({ storage, network: [network], peerId: `app-${crypto.randomUUID()}` })
  session = { vault, storage, records, network, repo, enrollment, handles: new Map(), view: null, index: null }
  network.on("status", status => {
    showConnection(status)
    if (status.state === "connected") void openIndex()
    session?.view?.update()
  })
  showConnection(network.status())
  lockButton.hidden = false
  armLock()
  // Every intake kept here is opened, so the repository offers each to the server when it connects.
  await Promise.all(Object.keys(records.intakes).map(url => track(url).catch(() => null)))
  void openIndex()
  showHome()
}

function showConnection(status) {
  const words = {
    starting: "Starting…",
    connecting: "Connecting to the server…",
    connected: "Online: changes go to the server as you make them",
    waiting: `Not connected: ${status.reason ?? "the server could not be reached"}. Trying again ${status.retryAt ? `at ${new Date(status.retryAt).toLocaleTimeString()}` : "soon"}.`,
    offline: "Offline: everything is saved on this device and sent when it is back online",
    revoked: "This device was removed from the clinic",
    stopped: "Not connected",
  }
  connection.textContent = words[status.state] ?? ""
  connection.dataset.state = status.state
}

/** Opens an intake's handle and keeps its record of what the server holds up to date. */
async function track(url) {
  const existing = session.handles.get(url)
  if (existing) return existing
  const handle = await session.repo.find(url)
  session.handles.set(url, handle)
  const serverHas = () => {
    const id = session.network.status().serverStorageId
    return id ? handle.getSyncInfo(id)?.lastHeads : undefined
  }
  const refresh = () => {
    const heads = serverHas()
    if (heads && sameHeads(heads, handle.heads())) {
      const record = session.records.intakes[url]
      if (!record || !sameHeads(record.serverHeads ?? [], heads)) {
        void session.records.updateIntake(url, { serverHeads: heads, onServerAt: Date.now() })
      }
    }
    if (session.view?.handle === handle) session.view.update()
    else if (!session.view) scheduleHome()
  }
  handle.on("remote-heads", refresh)
  handle.on("change", refresh)
  return handle
}

function sameHeads(a, b) {
  return a.length === b.length && a.every(x => b.includes(x))
}

/** The intake's sync state in words, from what the server last acknowledged. */
function syncState(url) {
  const handle = session.handles.get(url)
  const record = session.records.intakes[url]
  if (!handle) return { text: "Not on this device yet", tone: "info" }
  const onServer = record?.serverHeads && sameHeads(record.serverHeads, handle.heads())
  if (onServer) return { text: `On the server since ${when(record.onServerAt)}`, tone: "ok" }
  const status = session.network.status()
  if (status.state === "connected") return { text: "Saved on this device. Sending to the server…", tone: "info" }
  const why = status.state === "offline" ? "this device is offline" : (status.reason ?? "the server could not be reached")
  return { text: `Saved on this device. Not sent yet: ${why}`, tone: "warn" }
}

async function openIndex() {
  if (!session || session.index || session.indexPending) return
  session.indexPending = true
  try {
    session.index = await session.repo.find(session.enrollment.indexUrl)
    session.index.on("change", () => {
      if (!session.view) scheduleHome()
    })
    if (!session.view) showHome()
  } catch {
    // Unavailable until the first connection brings it; the next "connected" tries again.
  } finally {
    if (session) session.indexPending = false
  }
}

// A connection brings the server's write-back for every intake at once; the list is rebuilt once
// per frame, not once per intake.
let homeScheduled = false
function scheduleHome() {
  if (homeScheduled) return
  homeScheduled = true
  requestAnimationFrame(() => {
    homeScheduled = false
    if (session && !session.view) showHome()
  })
}

function showHome() {
  if (!session) return
  session.view = null
  const mine = Object.entries(session.records.intakes).sort((a, b) => b[1].createdAt - a[1].createdAt)
  const here = new Set(mine.map(([url]) => url))
  const assigned = Object.entries(session.index?.doc()?.intakes ?? {})
    .filter(([url]) => !here.has(url))
    .sort((a, b) => String(b[1]?.updated_at ?? "").localeCompare(String(a[1]?.updated_at ?? "")))
  const row = (url, name, detail) =>
    h(
      "li",
      {},
      h(
        "button",
        { type: "button", class: "intake-row", onclick: () => void openIntake(url) },
        h("span", { class: "intake-name" }, name),
        detail.map(d => h("span", { class: "intake-detail" }, d)),
      ),
    )
  const focused = document.activeElement?.closest?.("main")
  replace(
    main,
    h("h1", {}, "Intakes"),
    h("p", {}, h("button", { type: "button", class: "primary-action", onclick: () => void newIntake() }, "New intake")),
    h("h2", {}, "On this device"),
    mine.length
      ? h(
          "ul",
          { class: "intake-list" },
          mine.map(([url, record]) => {
            const doc = session.handles.get(url)?.doc()
            const outcome = OUTCOMES[String(doc?.determination?.outcome ?? "")]
            return row(url, nameOf(doc), [record.finished ? "Finished" : "Draft", syncState(url).text, outcome].filter(Boolean))
          }),
        )
      : h("p", { class: "empty" }, "No intakes on this device yet."),
    h("h2", {}, "Assigned to you"),
    session.index
      ? assigned.length
        ? h(
            "ul",
            { class: "intake-list" },
            assigned.map(([url, entry]) =>
              row(url, String(entry?.legal_name ?? "") || "Client without a name yet", [OUTCOMES[String(entry?.outcome ?? "")]].filter(Boolean)),
            ),
          )
        : h("p", { class: "empty" }, "Nothing else is assigned to you.")
      : h("p", { class: "empty" }, "The list of intakes assigned to you arrives when this device is online."),
  )
  if (!focused) focusFirst(main)
}

async function newIntake() {
  const handle = session.repo.create({ kind: "intake", schema_version: 1, person: {}, offenses: [], documents: [], consent: {} })
  await session.records.updateIntake(handle.url, { createdAt: Date.now(), finished: false })
  await track(handle.url)
  await openIntake(handle.url)
}

async function openIntake(url) {
  let handle
  try {
    handle = await track(url)
  } catch {
    say("This intake is not on this device yet, and the server could not send it. Try again when the device is online.", "warn")
    return
  }
  say(null)
  if (!session.records.intakes[url]) await session.records.updateIntake(url, { createdAt: Date.now(), finished: false })
  const view = new IntakeView({
    handle,
    words,
    record: () => session.records.intakes[url],
    syncState: () => syncState(url),
    onFinish: finished => void session.records.updateIntake(url, { finished }),
    onBack: () => showHome(),
  })
  session.view = view
  replace(main, view.render())
  focusFirst(main)
}

function armLock() {
  let idle
  const touch = () => {
    clearTimeout(idle)
    idle = setTimeout(() => void lock(), IDLE_LOCK_MS)
  }
  for (const event of ["pointerdown", "keydown", "input"]) document.addEventListener(event, touch, { passive: true })
  touch()
  let hiddenAt = null
  let hiddenTimer
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") {
      hiddenAt = Date.now()
      hiddenTimer = setTimeout(() => void lock(), HIDDEN_LOCK_MS)
    } else {
      clearTimeout(hiddenTimer)
      // A suspended page runs no timers; the check on return catches what the timer missed.
      if (hiddenAt && Date.now() - hiddenAt >= HIDDEN_LOCK_MS) void lock()
      hiddenAt = null
    }
  })
  lockButton.onclick = () => void lock()
}

/**
 * Drops the repository and the keys: everything is written out first, then the page reloads, so
 * no decrypted intake or key survives in this page's memory.
 */
async function lock() {
  if (!session) return
  const { repo, records, vault } = session
  session = null
  try {
    await records.flush()
    await Promise.race([repo.shutdown(), new Promise(resolve => setTimeout(resolve, 5000))])
  } finally {
    vault.lock?.()
    location.reload()
  }
}

/** The server says this device is revoked: erase everything the app kept on it. */
async function revoked() {
  const s = session
  session = null
  try {
    await Promise.race([s?.repo.shutdown(), new Promise(resolve => setTimeout(resolve, 2000))])
  } catch {
    // The database is deleted next; nothing in it matters any more.
  }
  s?.storage.close?.()
  s?.vault.lock?.()
  let erased = true
  try {
    await wipe(DB)
  } catch {
    // Blocked by a connection another page keeps open: the browser deletes the database as soon
    // as that page closes, which the message below asks for.
    erased = false
  }
  for (const key of (await caches?.keys?.().catch(() => [])) ?? []) await caches.delete(key)
  for (const registration of (await navigator.serviceWorker?.getRegistrations?.().catch(() => [])) ?? []) {
    await registration.unregister()
  }
  lockButton.hidden = true
  connection.textContent = ""
  show(
    h("h1", {}, "This device was removed from the clinic"),
    erased
      ? h("p", {}, "An administrator revoked its access, so the app erased every intake and setting it kept on this device.")
      : h("p", {}, "An administrator revoked its access. Close every other tab or window of this app: its intakes are erased as soon as they are closed."),
  )
}

start().catch(err => {
  show(h("h1", {}, "fieldclinic could not start"), h("p", {}, errorText(err)))
})
