// The volunteers' intake app (/app/) in headless Chromium, as a volunteer uses it on a phone:
// enroll with the device token, choose a PIN, record an intake (validation shown at the field),
// see it reach the server and the determination come back, go offline and keep working from the
// service worker's cache, unlock with the PIN, receive a supervisor's request for more
// information, and be wiped when an admin revokes the device. Driven by tests/e2e/app.rs.
//
//   node app.mjs --base http://127.0.0.1:PORT --device-token T --device-id ID
//     --supervisor-email E --supervisor-password P --admin-email E --admin-password P
//
// Prints one JSON line: {url, documentId, screenshots}.

import {
  args,
  assertAccessible,
  assertNoPageProblems,
  expectFailure,
  launch,
  newPage,
  required,
  run,
  screenshot,
  step,
} from "./lib.mjs"

const options = args({
  base: { type: "string" },
  "device-token": { type: "string" },
  "device-id": { type: "string" },
  "supervisor-email": { type: "string" },
  "supervisor-password": { type: "string" },
  "admin-email": { type: "string" },
  "admin-password": { type: "string" },
})
const base = required(options, "base")
const PIN = "river-stone-42"
const NAME = "Maria Example"
// What waiting for the server may take on a loaded 2-core machine: a sync round, the eligibility
// check and its write-back.
const SERVER_MS = 30_000

async function signIn(email, password) {
  const response = await fetch(`${base}/api/v1/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  })
  if (response.status !== 201) throw new Error(`signing in ${email} answered ${response.status}`)
  return (await response.json()).token
}

async function api(token, method, path, body) {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`)
  return text ? JSON.parse(text) : null
}

/** Every byte of every key and value in the app's IndexedDB, as text, for a plaintext search. */
function dumpDatabase() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open("fieldclinic")
    request.onerror = () => reject(request.error)
    request.onsuccess = async () => {
      const db = request.result
      const parts = []
      const show = v => {
        if (v instanceof ArrayBuffer) return new TextDecoder("latin1").decode(new Uint8Array(v))
        if (ArrayBuffer.isView(v)) return new TextDecoder("latin1").decode(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))
        if (Array.isArray(v)) return v.map(show).join("\u0000")
        if (v && typeof v === "object") return Object.entries(v).map(([k, x]) => `${k}=${show(x)}`).join("\u0000")
        return String(v)
      }
      for (const name of db.objectStoreNames) {
        await new Promise((done, fail) => {
          const tx = db.transaction(name, "readonly")
          const cursor = tx.objectStore(name).openCursor()
          cursor.onsuccess = () => {
            const c = cursor.result
            if (!c) return
            parts.push(show(c.key), show(c.value))
            c.continue()
          }
          tx.oncomplete = done
          tx.onerror = () => fail(tx.error)
        })
      }
      db.close()
      resolve({ stores: [...db.objectStoreNames], text: parts.join("\n"), records: parts.length / 2 })
    }
  })
}

async function waitForText(page, text, timeout = SERVER_MS) {
  await page.getByText(text, { exact: false }).first().waitFor({ state: "visible", timeout })
}

run(async () => {
  const supervisor = await signIn(required(options, "supervisor-email"), required(options, "supervisor-password"))
  const admin = await signIn(required(options, "admin-email"), required(options, "admin-password"))
  const browser = await launch()
  const page = await newPage(browser, { viewport: { width: 360, height: 740 } })
  const context = page.context()
  const shots = []

  step("opening the app for the first time")
  const response = await page.goto(`${base}/app/`, { waitUntil: "load" })
  const csp = response.headers()["content-security-policy"] ?? ""
  if (!csp.includes("'wasm-unsafe-eval'")) throw new Error(`the app's CSP lacks 'wasm-unsafe-eval': ${csp}`)
  await page.getByRole("heading", { name: "Set up this device" }).waitFor()
  await assertAccessible(page, "app-enroll")

  step("refusing a token the server does not know")
  expectFailure(page, { url: "/api/v1/sync-tickets", status: 401 })
  await page.getByLabel("Device token").fill("fcd_not-a-real-token")
  await page.getByRole("button", { name: "Continue" }).click()
  await waitForText(page, "The server does not know this token")

  step("enrolling with the device token")
  await page.getByLabel("Device token").fill(required(options, "device-token"))
  await page.getByRole("button", { name: "Continue" }).click()
  await page.getByRole("heading", { name: "Protect this device's intakes" }).waitFor()
  await page.getByLabel("Choose a PIN or passphrase").fill("12345")
  await page.getByLabel("Type it again").fill("12345")
  await page.getByRole("button", { name: "Save and continue" }).click()
  await page.getByRole("alert").filter({ hasText: "Use at least 6 characters." }).waitFor()
  await page.getByLabel("Choose a PIN or passphrase").fill(PIN)
  await page.getByLabel("Type it again").fill(PIN)
  await page.getByRole("button", { name: "Save and continue" }).click()
  await page.getByRole("heading", { name: "Intakes", exact: true }).waitFor()
  await waitForText(page, "Online")

  step("opening the intake a colleague's case assigned to this volunteer")
  await page.getByRole("button", { name: /Assigned Client/ }).click()
  await page.getByRole("heading", { name: "Assigned Client" }).waitFor({ timeout: SERVER_MS })
  await page.getByRole("button", { name: "← All intakes" }).click()
  await page.getByRole("heading", { name: "On this device" }).waitFor()
  const listed = await page.locator("ul.intake-list").first().textContent()
  if (!listed.includes("Assigned Client")) throw new Error(`the opened assigned intake is not kept on the device: ${listed}`)

  step("recording an intake")
  await page.getByRole("button", { name: "New intake" }).click()
  await page.getByLabel("Full legal name").fill(NAME)
  await page.getByLabel("Date of birth").fill("1980-04-12")
  await page.getByRole("button", { name: "Next" }).click()
  const focused = await page.evaluate(() => document.activeElement?.labels?.[0]?.textContent ?? document.activeElement?.tagName)
  if (focused !== "Citizenship or immigration status today") throw new Error(`focus after Next went to ${focused}`)
  await page.getByLabel("Citizenship or immigration status today").selectOption({ label: "U.S. citizen" })
  await page.getByLabel("Citizen by birth").check()
  await page.getByRole("button", { name: "Next" }).click()
  await page.getByRole("button", { name: "Add an offense" }).click()
  await page.getByLabel("Law cited").fill("21 U.S.C. 844")
  await page.getByLabel("Drug", { exact: true }).selectOption("marijuana")
  await page.getByLabel("What the charge says the client did").selectOption("possession")

  step("showing a half-typed date as a problem at the field")
  const offenseDate = page.getByLabel("Date of the offense")
  await offenseDate.focus()
  await page.keyboard.type("05")
  await waitForText(page, "This date is not complete.", 5_000)
  if ((await offenseDate.getAttribute("aria-invalid")) !== "true") throw new Error("a half-typed date is not marked invalid")
  await offenseDate.fill("2021-05-01")
  await page.getByText("This date is not complete.").waitFor({ state: "hidden", timeout: 5_000 })
  await page.getByLabel("How the case ended").selectOption("convicted")
  await page.getByLabel("Court", { exact: true }).selectOption("federal")
  await assertAccessible(page, "app-offense")
  shots.push(await screenshot(page, "app-offense-phone"))
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  if (overflow > 0) throw new Error(`the form is ${overflow} px wider than a 360 px phone`)

  step("waiting for the server to hold the intake and send the result back")
  await waitForText(page, "On the server since")
  for (let i = 0; i < 3; i++) await page.getByRole("button", { name: "Next" }).click()
  await page.getByRole("heading", { name: "Result" }).waitFor()
  await waitForText(page, "Looks covered by a pardon")
  await assertAccessible(page, "app-result")
  shots.push(await screenshot(page, "app-result-phone"))

  step("marking the intake finished locks its answers, reopening unlocks them")
  await page.getByRole("button", { name: "Mark as finished" }).click()
  await page.getByRole("button", { name: "1. About the client" }).click()
  if (!(await page.getByLabel("Full legal name").isDisabled())) throw new Error("a finished intake can still be edited")
  await page.getByRole("button", { name: "6. Result" }).click()
  await page.getByRole("button", { name: "Reopen to make changes" }).click()
  await page.getByRole("button", { name: "1. About the client" }).click()
  if (await page.getByLabel("Full legal name").isDisabled()) throw new Error("a reopened intake cannot be edited")
  step("finding the intake on the server")
  // The caseload is a projection that follows the commit by a moment.
  let found
  for (let tries = 0; !found && tries < 100; tries++) {
    const cases = await api(supervisor, "GET", `/cases?q=${encodeURIComponent("Maria")}`)
    found = cases.cases.find(c => c.legal_name === NAME)
    if (!found) await new Promise(resolve => setTimeout(resolve, 200))
  }
  if (!found) throw new Error(`the server's caseload has no case named ${NAME}`)
  const documentId = found.document_id

  step("checking that nothing readable is stored in IndexedDB")
  const dump = await page.evaluate(dumpDatabase)
  for (const secret of [NAME, "21 U.S.C. 844", documentId, required(options, "device-token")]) {
    if (dump.text.includes(secret)) throw new Error(`IndexedDB holds "${secret}" in plain text`)
  }
  if (dump.records < 3) throw new Error(`IndexedDB holds only ${dump.records} records; the intake was not stored`)

  step("locking the app")
  await page.getByRole("button", { name: "Lock" }).click()
  await page.getByRole("heading", { name: "Unlock fieldclinic" }).waitFor()

  step("starting offline from the service worker's cache")
  await page.evaluate(() => navigator.serviceWorker.ready)
  await context.setOffline(true)
  await page.reload({ waitUntil: "load" })
  await page.getByRole("heading", { name: "Unlock fieldclinic" }).waitFor()
  await page.getByLabel("PIN or passphrase").fill("wrong-pin-000")
  await page.getByRole("button", { name: "Unlock" }).click()
  await waitForText(page, "That PIN or passphrase is not right.")
  await page.getByLabel("PIN or passphrase").fill(PIN)
  await page.getByRole("button", { name: "Unlock" }).click()
  await page.getByRole("heading", { name: "Intakes", exact: true }).waitFor()
  await waitForText(page, "Offline")
  await waitForText(page, NAME)

  step("editing offline")
  await page.getByRole("button", { name: new RegExp(NAME) }).click()
  await page.getByLabel("Mailing address").fill("12 Elm Street, Springfield")
  await waitForText(page, "Not sent yet: this device is offline", 10_000)

  step("another tab is turned away while this one owns the repository")
  const second = await context.newPage()
  await second.goto(`${base}/app/`, { waitUntil: "load" })
  await second.getByRole("heading", { name: "fieldclinic is open in another tab" }).waitFor()
  await second.close()

  step("back online: the offline edit reaches the server")
  await context.setOffline(false)
  await waitForText(page, "On the server since", 60_000)

  step("a supervisor asks for more information")
  await api(supervisor, "POST", `/cases/${documentId}/review`, {
    decision: "needs_info",
    message: "Please confirm the date of birth with an ID.",
    fields: ["person.date_of_birth"],
  })
  for (let i = 0; i < 5; i++) await page.getByRole("button", { name: "Next" }).click()
  await waitForText(page, "A supervisor needs more information")
  await waitForText(page, "Please confirm the date of birth with an ID.")
  await page.getByRole("button", { name: "1. About the client" }).click()
  await waitForText(page, "A supervisor asked about this.", 5_000)
  shots.push(await screenshot(page, "app-needs-info-phone"))

  step("an admin revokes the device: the app erases what it kept")
  await api(admin, "DELETE", `/admin/devices/${required(options, "device-id")}`)
  expectFailure(page, { url: "/api/v1/sync-tickets", status: 401 })
  expectFailure(page, /\/sync\?ticket=/)
  await page.getByRole("heading", { name: "This device was removed from the clinic" }).waitFor({ timeout: 60_000 })
  const left = await page.evaluate(async () => ({
    databases: (await indexedDB.databases()).map(d => d.name),
    caches: await caches.keys(),
    workers: (await navigator.serviceWorker.getRegistrations()).length,
  }))
  if (left.databases.includes("fieldclinic") || left.caches.length || left.workers) {
    throw new Error(`the revoked device kept data: ${JSON.stringify(left)}`)
  }
  assertNoPageProblems(page)
  await browser.close()
  return { documentId, screenshots: shots }
})
