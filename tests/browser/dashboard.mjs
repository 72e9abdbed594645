// The dashboard in a real browser (headless Chromium), driven like a supervisor and an admin
// would, with an automated accessibility check of every page and a screenshot of each step.
// A device (the real JS client, from tests/js) changes the case while the caseload is open, to
// check the page updates itself. Prints one JSON line: {pages, screenshots, liveUpdate}.
//
//   node dashboard.mjs --base http://127.0.0.1:PORT --supervisor-email E --supervisor-password P
//     --admin-email E --admin-password P --volunteer-email E --doc-url automerge:...
//     --device-server ws://...?ticket=... --device-storage DIR

import {
  args,
  assertAccessible,
  assertNoPageProblems,
  launch,
  newPage,
  required,
  run,
  screenshot,
  step,
} from "./lib.mjs"
import {
  closeRepo,
  deviceRepo,
  serverStorageId,
  untilServerHolds,
} from "../js/lib.mjs"

const options = args({
  base: { type: "string" },
  "supervisor-email": { type: "string" },
  "supervisor-password": { type: "string" },
  "admin-email": { type: "string" },
  "admin-password": { type: "string" },
  "volunteer-email": { type: "string" },
  "doc-url": { type: "string" },
  "device-server": { type: "string" },
  "device-storage": { type: "string" },
})

const base = required(options, "base")
const checked = []
const shots = []

/** Accessibility check and screenshot of the page as it is now. */
async function record(page, label) {
  assertNoPageProblems(page)
  await assertAccessible(page, label)
  checked.push(label)
  shots.push(await screenshot(page, label))
}

async function signIn(page, email, password) {
  step(`signing in as ${email}`)
  await page.goto(`${base}/login`)
  await page.getByLabel("Email").fill(email)
  await page.getByLabel("Password").fill(password)
  await Promise.all([page.waitForURL(/\/cases|\/admin|\/$/), page.getByRole("button", { name: "Sign in" }).click()])
}

async function signOut(page) {
  step("signing out")
  await Promise.all([page.waitForURL(/\/login/), page.getByRole("button", { name: "Sign out" }).click()])
}

/** A device edit, synced until the server holds it: what a volunteer's tablet does. */
async function deviceRenames(name) {
  step("a device renames the client")
  const repo = deviceRepo({
    server: required(options, "device-server"),
    storageDir: required(options, "device-storage"),
  })
  const storageId = await serverStorageId(repo)
  const handle = await repo.find(required(options, "doc-url"))
  handle.change(doc => {
    doc.person.legal_name = name
  })
  await untilServerHolds(handle, storageId)
  await closeRepo(repo)
}

run(async () => {
  const browser = await launch()
  const page = await newPage(browser)

  step("the sign-in page")
  await page.goto(`${base}/cases`)
  await page.waitForURL(/\/login\?next=/)
  await record(page, "01-sign-in")
  // Keyboard users reach the content first: the skip link is the first stop.
  await page.keyboard.press("Tab")
  const first = await page.evaluate(() => document.activeElement?.textContent)
  if (first !== "Skip to content") throw new Error(`first Tab stop is ${JSON.stringify(first)}`)

  await signIn(page, required(options, "supervisor-email"), required(options, "supervisor-password"))
  step("the caseload")
  await page.getByRole("heading", { name: "Caseload" }).waitFor()
  await record(page, "02-caseload")

  step("filtering the caseload to open conflicts")
  await page.getByLabel("Open conflicts").selectOption("yes")
  await Promise.all([page.waitForURL(/conflicts=yes/), page.getByRole("button", { name: "Apply filters" }).click()])
  const rows = page.locator("tbody tr")
  if ((await rows.count()) !== 1) throw new Error(`expected one conflicted case, got ${await rows.count()} rows`)
  await page.getByRole("link", { name: "Rae Conflict" }).waitFor()
  await record(page, "03-caseload-conflicts")

  step("waiting for the live connection")
  await page.waitForFunction(() => document.body.dataset.liveConnected === "true")
  await page.evaluate(() => { window.__notReloaded = true })
  await deviceRenames("Rae Conflict-Live")
  step("waiting for the caseload to show the device's change without a reload")
  await page.getByRole("link", { name: "Rae Conflict-Live" }).waitFor({ timeout: 20_000 })
  const liveUpdate = await page.evaluate(() => window.__notReloaded === true)
  if (!liveUpdate) throw new Error("the page reloaded instead of updating in place")
  await record(page, "04-caseload-live-update")

  step("opening the case")
  await Promise.all([page.waitForURL(/\/cases\/[^/?]+$/), page.getByRole("link", { name: "Rae Conflict-Live" }).click()])
  await page.getByRole("heading", { name: "Conflicts (1)" }).waitFor()
  await page.getByText("Provisional").first().waitFor()
  await record(page, "05-case-with-conflict")

  step("resolving the conflict")
  await page.getByLabel(/2019-04-01/).check()
  await Promise.all([page.waitForURL(/done=resolved/), page.getByRole("button", { name: "Resolve" }).click()])
  await page.getByRole("heading", { name: "Conflicts (0)" }).waitFor()
  await record(page, "06-case-resolved")

  step("recording a needs-info review")
  await page.getByLabel(/Needs info/).check()
  await page.getByLabel("Message to the volunteer").fill("Please bring the judgment of conviction.")
  await Promise.all([page.waitForURL(/done=review/), page.getByRole("button", { name: "Record review" }).click()])
  await page.getByText("Review recorded").waitFor()
  await record(page, "07-case-reviewed")

  step("the duplicates page")
  await page.getByRole("link", { name: "Duplicate people" }).click()
  await page.getByRole("heading", { name: "Duplicate people" }).waitFor()
  await record(page, "08-duplicates")
  await signOut(page)

  await signIn(page, required(options, "admin-email"), required(options, "admin-password"))
  step("the users page")
  await page.goto(`${base}/admin/users`)
  await record(page, "09-admin-users")

  step("enrolling a device")
  await page.goto(`${base}/admin/devices`)
  await record(page, "10-admin-devices")
  await page.getByLabel("For").selectOption(required(options, "volunteer-email"))
  await page.getByLabel("Device name").fill("Tablet 9")
  await Promise.all([page.waitForURL(/\/admin\/devices$/), page.getByRole("button", { name: "Enroll" }).click()])
  await page.locator("img.qr").waitFor()
  const token = await page.getByLabel("Device token").inputValue()
  if (!token.startsWith("fcd_")) throw new Error(`no device token shown: ${token}`)
  await record(page, "11-device-enrolled")

  step("revoking the device")
  await page.goto(`${base}/admin/devices`)
  await Promise.all([page.waitForURL(/done=/), page.getByRole("button", { name: "Revoke Tablet 9" }).click()])
  await page.getByText(/Revoked Tablet 9/).waitFor()

  step("the audit log")
  await page.goto(`${base}/admin/audit`)
  await page.getByRole("cell", { name: "conflict.resolved" }).first().waitFor()
  await record(page, "12-admin-audit")
  await page.close()

  step("the caseload on a tablet held upright")
  const tablet = await newPage(browser, { viewport: { width: 768, height: 1024 } })
  await signIn(tablet, required(options, "supervisor-email"), required(options, "supervisor-password"))
  await tablet.getByRole("heading", { name: "Caseload" }).waitFor()
  await record(tablet, "13-caseload-tablet")
  await browser.close()
  return { pages: checked, screenshots: shots, liveUpdate }
})
