// Shared plumbing for the browser scripts: argument parsing with a global deadline, Chromium as the
// tests drive it, pages that remember what went wrong on them, axe-core checks, screenshots, and
// the one-JSON-line result contract with the Rust tests (tests/e2e/dashboard.rs), as in tests/js.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { chromium } from "playwright-core"

// Chromium start, a dozen pages and an axe run on each fit well inside this on the project's
// 2-core machines. A script with more to do passes --timeout-ms; the Rust side kills the process
// a little after its own deadline as a second line of defence.
const DEFAULT_TIMEOUT_MS = 60_000

let finished = false

/** Prints the one result line and exits 0. */
export function succeed(result) {
  if (finished) return
  finished = true
  process.stdout.write(JSON.stringify(result) + "\n", () => process.exit(0))
}

/** Reports a failure on stderr and exits 1, so the Rust side can show why. */
export function fail(message) {
  if (finished) return
  finished = true
  process.stderr.write(`browser test failed: ${message}\n`, () => process.exit(1))
}

/**
 * Runs the script body: its resolved value is the result line, a throw is the failure. Either way
 * the process exits, and Playwright's exit hook kills the Chromium it launched.
 */
export function run(main) {
  main().then(succeed, err => fail(`while ${phase}: ${err?.stack ?? err}`))
}

// A Playwright call that rejects outside an awaited chain (an event handler, a forgotten await)
// would otherwise print a warning and leave the script running until the deadline.
process.on("uncaughtException", err => fail(`uncaught exception while ${phase}: ${err?.stack ?? err}`))
process.on("unhandledRejection", err => fail(`unhandled rejection while ${phase}: ${err?.stack ?? err}`))

/**
 * Parses the command line. `options` follows node:util parseArgs; `--timeout-ms` is added to
 * every script and arms the global deadline.
 */
export function args(options) {
  const { values } = parseArgs({
    options: { ...options, "timeout-ms": { type: "string" } },
    strict: true,
  })
  const timeoutMs = Number(values["timeout-ms"] ?? DEFAULT_TIMEOUT_MS)
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new Error(`--timeout-ms must be a positive number, got ${values["timeout-ms"]}`)
  }
  // The timer also keeps Node running while a wait has nothing else pending, so a script never
  // exits silently with no result line; succeed and fail exit without waiting for it.
  setTimeout(() => fail(`timed out after ${timeoutMs} ms while ${phase}`), timeoutMs)
  return values
}

/** The value of a mandatory option. */
export function required(values, name) {
  const value = values[name]
  if (value === undefined) throw new Error(`--${name} is required`)
  return value
}

let phase = "starting"

/** Names what the script is doing, so a timeout or a failure says where it was. */
export function step(name) {
  phase = name
}

const DEFAULT_CHROMIUM = "/usr/bin/chromium"

/**
 * Starts headless Chromium: `$CHROMIUM`, else Debian's /usr/bin/chromium. playwright-core never
 * downloads a browser, and the project's machines could not fetch one, so the system Chromium
 * (installed by scripts/test) is the only one there is.
 */
export async function launch() {
  step("launching Chromium")
  const executablePath = process.env.CHROMIUM || DEFAULT_CHROMIUM
  if (!existsSync(executablePath)) {
    throw new Error(
      `no Chromium at ${executablePath}: scripts/test installs it (apt-get install chromium ` +
        "fonts-dejavu-core), or point CHROMIUM at one",
    )
  }
  // Chromium refuses to start as root with its sandbox on, and on the project's machines and CI
  // everything runs as root. The sandbox protects a user's desktop from hostile sites; here the
  // browser only loads the app under test on loopback, so turning it off as root costs nothing.
  // Any other user keeps it: Debian's Chromium sandboxes through user namespaces, no setuid
  // helper needed.
  // (Playwright adds --no-sandbox itself unless chromiumSandbox is true.)
  const runningAsRoot = process.getuid?.() === 0
  return chromium.launch({ executablePath, headless: true, chromiumSandbox: !runningAsRoot })
}

/** Viewports, in CSS pixels: a landscape tablet (the default), the same held upright, a phone. */
export const VIEWPORTS = {
  tablet: { width: 1024, height: 768 },
  tabletPortrait: { width: 768, height: 1024 },
  phone: { width: 390, height: 844 },
}

/** What went wrong on each page, oldest first; see `pageProblems`. */
const problems = new WeakMap()
/** Failing responses a test expects on each page: `{ url, status }` patterns. */
const expected = new WeakMap()

/**
 * A fresh page in its own browser context (own cookies, so a second sign-in starts signed out).
 * `viewport` is a `{ width, height }` or a name from VIEWPORTS. From the start the page records
 * console errors, uncaught page exceptions, responses with status >= 400 and requests that failed
 * outright; `expectFailure` exempts the ones a test provokes on purpose. Closing the page closes
 * its context.
 */
export async function newPage(browser, { viewport = "tablet", expectedFailures = [] } = {}) {
  const size = typeof viewport === "string" ? VIEWPORTS[viewport] : viewport
  if (!size) throw new Error(`unknown viewport ${JSON.stringify(viewport)}; known: ${Object.keys(VIEWPORTS)}`)
  const context = await browser.newContext({ viewport: size })
  const page = await context.newPage()
  page.on("close", () => context.close().catch(() => {}))
  problems.set(page, [])
  expected.set(page, [])
  for (const failure of expectedFailures) expectFailure(page, failure)
  const note = problem => problems.get(page).push(problem)

  page.on("pageerror", err => note(`uncaught exception in the page: ${err.message}`))
  page.on("console", message => {
    if (message.type() !== "error") return
    const where = message.location()?.url ?? ""
    // Chromium echoes every failing response as a console error at the resource's URL; an
    // expected failure must not come back through that door. It also asks every origin for
    // /favicon.ico on its own, which the page never asked for.
    const failedLoad = message.text().match(/^Failed to load resource: .* status of (\d+)/)
    if (failedLoad) {
      if (/^[a-z]+:\/\/[^/]+\/favicon\.ico$/.test(where)) return
      if (isExpected(page, where, Number(failedLoad[1]))) return
    }
    note(`console error: ${message.text()}${where ? ` (at ${where})` : ""}`)
  })
  page.on("response", response => {
    const status = response.status()
    if (status >= 400 && !isExpected(page, response.url(), status)) {
      note(`${response.request().method()} ${response.url()} answered ${status}`)
    }
  })
  page.on("requestfailed", request => {
    const reason = request.failure()?.errorText ?? "unknown error"
    // ERR_ABORTED is the browser cancelling a request itself: leaving a page while a live
    // connection or a late image is still loading. It says nothing about the server.
    if (reason === "net::ERR_ABORTED") return
    note(`${request.method()} ${request.url()} failed: ${reason}`)
  })
  return page
}

/**
 * Declares a failing response the test provokes on purpose (a 404 page, a refused form), so it
 * is not reported as a problem. `url` is a substring or a RegExp; `status` a number, or omitted
 * for any status >= 400.
 */
export function expectFailure(page, failure) {
  const { url, status } = typeof failure === "string" || failure instanceof RegExp ? { url: failure } : failure
  expected.get(page).push({ url, status })
}

function isExpected(page, url, status) {
  return (expected.get(page) ?? []).some(
    e =>
      (e.status === undefined || e.status === status) &&
      (e.url instanceof RegExp ? e.url.test(url) : url.includes(e.url)),
  )
}

/** Every problem seen on the page so far, as readable lines. */
export function pageProblems(page) {
  return [...(problems.get(page) ?? [])]
}

/** Throws, listing them, when the page has seen console errors or failing requests. */
export function assertNoPageProblems(page) {
  const seen = pageProblems(page)
  if (seen.length) {
    throw new Error(`${seen.length} problem(s) on ${page.url()}:\n${seen.map(p => `  - ${p}`).join("\n")}`)
  }
}

/** Where screenshots and axe reports go: $ARTIFACTS_DIR, else <repo>/target/browser-artifacts. */
export function artifactsDir() {
  const dir = process.env.ARTIFACTS_DIR || fileURLToPath(new URL("../../target/browser-artifacts", import.meta.url))
  mkdirSync(dir, { recursive: true })
  return dir
}

/** `<artifacts>/<prefix><label><ext>`, with the label made safe for a file name. */
function artifactPath(prefix, label, ext) {
  const safe = String(label).replace(/[^A-Za-z0-9._-]+/g, "-")
  return `${artifactsDir()}/${prefix}${safe}${ext}`
}

/** A full-page PNG of the page as it is now; returns its absolute path. */
export async function screenshot(page, label) {
  const path = artifactPath("", label, ".png")
  await page.screenshot({ path, fullPage: true })
  return path
}

const AXE_PATH = createRequire(import.meta.url).resolve("axe-core/axe.min.js")
// The trailing statement makes the source's completion value `undefined`: Playwright calls a
// string that evaluates to a function, and axe's last expression must not be mistaken for one.
const AXE_SOURCE = `${readFileSync(AXE_PATH, "utf8")}\n;undefined`

const AXE_OPTIONS = {
  runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
}

/**
 * Puts axe-core into the page's main world, once per document.
 *
 * "evaluate" (the default) hands the source to page.evaluate, which Chromium runs through the
 * DevTools protocol: a page's Content-Security-Policy does not apply to it. The dashboard sends
 * `script-src 'self'` without 'unsafe-inline', so "script-tag" (page.addScriptTag with the source
 * inline) is refused there; it is kept for pages without such a policy. Turning the policy off
 * with the context's `bypassCSP` would also work, but then the tests would no longer notice a
 * page that breaks its own policy.
 */
async function injectAxe(page, via) {
  if (await page.evaluate(() => typeof window.axe?.run === "function")) return
  if (via === "evaluate") await page.evaluate(AXE_SOURCE)
  else if (via === "script-tag") await page.addScriptTag({ content: AXE_SOURCE })
  else throw new Error(`unknown axe injection ${JSON.stringify(via)}: "evaluate" or "script-tag"`)
  if (!(await page.evaluate(() => typeof window.axe?.run === "function"))) {
    throw new Error(`axe-core did not load into ${page.url()} (injected with ${via})`)
  }
}

const SERIOUS = new Set(["serious", "critical"])

/** The parts of an axe violation a failure message needs. */
function summarise(violation) {
  return {
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    helpUrl: violation.helpUrl,
    nodes: violation.nodes.map(node => ({
      target: node.target,
      // failureSummary opens with "Fix any of the following:"; the reasons are the lines after.
      why: (node.failureSummary ?? "").split("\n").slice(1).map(l => l.trim()).filter(Boolean),
    })),
  }
}

/**
 * Runs axe-core (WCAG 2.0 and 2.1, levels A and AA) on the page's main document, writes the full
 * result to `<artifacts>/axe-<label>.json`, and returns `{ serious, all, report }`: the violations
 * of impact serious or critical, every violation (both as `{id, impact, help, helpUrl, nodes:
 * [{target, why}]}`), and the report's path. Iframes are not entered.
 */
export async function checkAccessibility(page, label, { inject = "evaluate" } = {}) {
  await injectAxe(page, inject)
  const result = await page.evaluate(options => window.axe.run(document, options), AXE_OPTIONS)
  const report = artifactPath("axe-", label, ".json")
  writeFileSync(report, JSON.stringify(result, null, 2))
  const all = result.violations.map(summarise)
  return { serious: all.filter(v => SERIOUS.has(v.impact)), all, report }
}

/**
 * Like `checkAccessibility`, but throws a readable list when any violation is serious or
 * critical. Milder ones go to stderr, which the Rust side shows only when the script fails.
 */
export async function assertAccessible(page, label, options) {
  const check = await checkAccessibility(page, label, options)
  const mild = check.all.filter(v => !SERIOUS.has(v.impact))
  if (mild.length) {
    process.stderr.write(`axe on ${label}: ${mild.length} minor or moderate: ${mild.map(v => v.id).join(", ")}\n`)
  }
  if (check.serious.length) {
    const lines = check.serious.flatMap(v => [
      `  - ${v.id} [${v.impact}] ${v.help} (${v.helpUrl})`,
      ...v.nodes.map(n => `      ${n.target.join(" ")}${n.why.length ? `: ${n.why.join("; ")}` : ""}`),
    ])
    throw new Error(
      `accessibility check "${label}" of ${page.url()} found ${check.serious.length} serious ` +
        `violation(s) (full report: ${check.report}):\n${lines.join("\n")}`,
    )
  }
  return check
}
