// A clinic day's device coming back online: one device holds `--intakes` intakes, each built in
// `--offenses` changes (one per offense), pushes them all at once and waits until the server has
// acknowledged exactly its heads for every intake; then a fresh device (its own repo, nothing
// stored) finds every intake by URL. Driven by tests/e2e/js_load.rs and by bench/side-by-side.
// Prints
//   {intakes, acknowledged, found, unavailable, pushAckSeconds, findAllSeconds, pushReceived,
//    findReceived, clientErrors, clientErrorCount, serverErrors}
// and, when some intake was never acknowledged or found before the deadline, still prints that
// line (the counts say how many): the caller decides, and a benchmark wants the numbers.
//
//   node bulk.mjs --server ws://HOST:PORT/sync?ticket=... --intakes 1000 --offenses 5
//
// `--server` may be any automerge-repo sync server (the reference server of bench/ included);
// `--phase-ms` bounds each of the two phases (default: the whole --timeout-ms each); `--settle-ms`
// waits between them;
// `--find-concurrency` is how many finds the fresh device has outstanding at once.

import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import {
  args,
  collectClientErrors,
  required,
  run,
  sameHeads,
  serverErrors,
  serverStorageId,
  step,
  watchErrors,
} from "./lib.mjs"

const options = args({
  server: { type: "string" },
  intakes: { type: "string", default: "1000" },
  offenses: { type: "string", default: "5" },
  "phase-ms": { type: "string" },
  "settle-ms": { type: "string", default: "0" },
  "find-concurrency": { type: "string", default: "50" },
})

// A stalled intake is the finding, not a crash of the device: errors the client throws from its
// event handlers are counted and reported instead of ending the run.
const clientErrors = collectClientErrors()

function intake(n) {
  return {
    kind: "intake",
    schema_version: 1,
    person: {
      legal_name: `Load Client ${n}`,
      status_now: "us_citizen",
      citizen_or_lpr_since: "birth",
      status_at_offense: "us_citizen",
    },
    offenses: [],
    notes: "bulk workload",
  }
}

function offense(k) {
  return {
    id: `offense-${k + 1}`,
    citation: "21 USC 844",
    substance: "marijuana",
    conduct: "possession",
    jurisdiction: "federal",
    disposition: "convicted",
    offense_date: `201${k % 10}-0${(k % 9) + 1}-15`,
  }
}

/**
 * Resolves once `done()` reaches `total`, or at `deadline`. The count is kept by event handlers,
 * not by polling every handle: a thousand handles polled many times a second would spend the
 * device's CPU on the measurement instead of the sync.
 */
async function waitFor(total, deadline, done) {
  while (done() < total && Date.now() < deadline) {
    await new Promise(r => setTimeout(r, 50))
  }
}

run(async () => {
  const server = required(options, "server")
  const total = Number(options.intakes)
  const perIntake = Number(options.offenses)
  const phaseMs = Number(options["phase-ms"] ?? options["timeout-ms"] ?? 600_000)

  step("pushing")
  const deviceLink = watchErrors(new WebSocketClientAdapter(server))
  const device = new Repo({ network: [deviceLink] })
  const storageId = await serverStorageId(device)
  const start = Date.now()
  const handles = []
  for (let n = 0; n < total; n++) {
    const handle = device.create(intake(n))
    for (let k = 0; k < perIntake; k++) {
      handle.change(doc => {
        doc.offenses.push(offense(k))
      })
    }
    handles.push(handle)
  }
  // Acknowledged: the server's heads, as its sync messages report them, equal ours. Either side
  // can move last (our change, or the server's write-back reaching us), so both events re-check.
  const acked = new Set()
  for (const h of handles) {
    const check = () => {
      const info = h.getSyncInfo(storageId)
      if (info && sameHeads(info.lastHeads, h.heads())) acked.add(h.url)
      else acked.delete(h.url)
    }
    h.on("remote-heads", check)
    h.on("heads-changed", check)
    check()
  }
  await waitFor(total, start + phaseMs, () => acked.size)
  const acknowledged = acked.size
  const pushAckSeconds = (Date.now() - start) / 1000
  const expected = new Map(handles.map(h => [h.url, h.heads()]))

  // A pause between the phases separates the server's after-push work from serving the finds.
  await new Promise(r => setTimeout(r, Number(options["settle-ms"])))
  step("a fresh device finding every intake")
  const freshLink = watchErrors(new WebSocketClientAdapter(server))
  const fresh = new Repo({ network: [freshLink] })
  await serverStorageId(fresh)
  const findStart = Date.now()
  const found = new Set()
  let unavailable = 0
  const findErrors = []
  const findOne = async ([url, heads]) => {
    try {
      const h = await fresh.find(url)
      // Found means found whole: the fresh copy reaches the heads the server acknowledged.
      await new Promise(resolve => {
        const check = () => {
          if (sameHeads(h.heads(), heads)) {
            h.off("heads-changed", check)
            resolve()
          }
        }
        h.on("heads-changed", check)
        check()
      })
      found.add(url)
    } catch (err) {
      unavailable += 1
      if (findErrors.length < 5) findErrors.push(String(err?.message ?? err))
    }
  }
  // A few finds at a time, as an app pages through a caseload: the client gives up on a
  // document it asked for after 60 s, and a thousand asked at once queue behind each other in
  // its single thread until the last ones expire, whatever the server does (the reference server
  // loses some the same way).
  const queue = [...expected]
  const finder = async () => {
    while (queue.length > 0 && Date.now() < findStart + phaseMs) await findOne(queue.shift())
  }
  // A find whose document never reaches the acknowledged heads would wait forever: the phase
  // ends at its deadline with what was found.
  const phaseOver = new Promise(r => setTimeout(r, findStart + phaseMs - Date.now()))
  await Promise.race([
    Promise.all(Array.from({ length: Number(options["find-concurrency"]) }, finder)),
    phaseOver,
  ])
  const findAllSeconds = (Date.now() - findStart) / 1000

  await Promise.all([device.shutdown(), fresh.shutdown()])
  return {
    intakes: total,
    acknowledged,
    found: found.size,
    unavailable,
    pushAckSeconds,
    findAllSeconds,
    // What each device received, to tell a server that makes clients work from a slow one.
    pushReceived: deviceLink.received,
    findReceived: freshLink.received,
    findErrors,
    clientErrors: clientErrors.slice(0, 20),
    clientErrorCount: clientErrors.length,
    serverErrors,
  }
})
