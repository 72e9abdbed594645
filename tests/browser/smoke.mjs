// Checks that the harness works against any page: opens it, keeps a screenshot, runs axe-core,
// and fails on serious accessibility violations or on console errors and failing requests.
// Prints one JSON line: {title, screenshot, violations} (violations counts the milder ones too).
//
//   node smoke.mjs --url http://127.0.0.1:PORT/ [--label NAME] [--viewport tablet|tabletPortrait|phone]
//     [--expect-failure URL-SUBSTRING]...

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

const options = args({
  url: { type: "string" },
  label: { type: "string", default: "smoke" },
  viewport: { type: "string", default: "tablet" },
  "expect-failure": { type: "string", multiple: true, default: [] },
})
const url = required(options, "url")

run(async () => {
  const browser = await launch()
  const page = await newPage(browser, {
    viewport: options.viewport,
    expectedFailures: options["expect-failure"],
  })
  step(`opening ${url}`)
  const response = await page.goto(url, { waitUntil: "load" })
  if (!response) throw new Error(`no response for ${url}`)
  step("taking the screenshot")
  const shot = await screenshot(page, options.label)
  step("checking accessibility")
  const { all } = await assertAccessible(page, options.label)
  step("checking for console errors and failing requests")
  assertNoPageProblems(page)
  const title = await page.title()
  await browser.close()
  return { title, screenshot: shot, violations: all.length }
})
