// Shared plumbing for the device scripts: argument parsing, a repo as a device builds it, waiting
// with a deadline, and the one-JSON-line result contract with tests/e2e/js_interop.rs.

import { parseArgs } from "node:util"
import { Repo, cbor } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"

// Every wait is bounded so a broken server fails the test instead of hanging it. The deadline
// timer also keeps Node running while a wait has nothing else pending, so a device never exits
// silently. The Rust side kills the process a little later as a second line of defence.
const DEFAULT_TIMEOUT_MS = 20_000

// How often conditions are re-checked. Polling instead of chaining events keeps each wait one
// readable predicate; the repo fires several events per sync round and any of them may matter.
const POLL_MS = 25

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
  process.stderr.write(`device failed: ${message}\n`, () => process.exit(1))
}

/** Runs the script body: its resolved value is the result line, a throw is the failure. */
export function run(main) {
  main().then(succeed, err => fail(err?.stack ?? String(err)))
}

// The WebSocket client rethrows socket errors other than ECONNREFUSED from its event handler, and
// a rejected promise inside the repo would otherwise only print a warning: both must end the
// device with a clear message instead of a stack trace or a hang.
let collected = null
process.on("uncaughtException", err => {
  if (collected) collected.push(`uncaught exception: ${err?.message ?? err}`)
  else fail(`uncaught exception: ${err?.stack ?? err}`)
})
process.on("unhandledRejection", err => {
  if (collected) collected.push(`unhandled rejection: ${err?.message ?? err}`)
  else fail(`unhandled rejection: ${err?.stack ?? err}`)
})

/**
 * From now on, what the client throws from its event handlers (and what it reports through
 * console.error) is recorded in the returned list instead of ending the device: for workloads
 * that count stalled documents rather than stop at the first.
 */
export function collectClientErrors() {
  collected = []
  const error = console.error.bind(console)
  console.error = (...parts) => {
    collected.push(parts.map(p => (p instanceof Error ? p.message : String(p))).join(" "))
    error(...parts)
  }
  return collected
}

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
  setTimeout(() => {
    const seen = serverErrors.length ? `; server errors: ${JSON.stringify(serverErrors)}` : ""
    fail(`timed out after ${timeoutMs} ms (${phase})${seen}`)
  }, timeoutMs)
  return values
}

/** The value of a mandatory option. */
export function required(values, name) {
  const value = values[name]
  if (value === undefined) throw new Error(`--${name} is required`)
  return value
}

let phase = "starting"

/** Names what the device is doing, so a timeout says where it was stuck. */
export function step(name) {
  phase = name
}

/**
 * A repo as a field device builds it: storage in `storageDir` when given (so the device has a
 * storageId and survives restarts), and a WebSocket connection to `server` when given. Without a
 * server the device is offline.
 */
export function deviceRepo({ server, storageDir }) {
  const network = server ? [watchErrors(new WebSocketClientAdapter(server))] : []
  const storage = storageDir ? new TrackedStorage(storageDir) : undefined
  const repo = new Repo({ network, storage, saveDebounceRate: SAVE_DEBOUNCE_MS })
  repo.trackedStorage = storage
  return repo
}

/** The `message` of every protocol `error` the server sent this device, oldest first. */
export const serverErrors = []

/**
 * The client only writes a server's `error` to its debug log; tests need to see it, so the
 * adapter's decoder is wrapped to record it before the adapter handles the frame as usual. It
 * also counts what arrived (`adapter.received`), for the workloads' reports.
 */
export function watchErrors(adapter) {
  const receive = adapter.receiveMessage.bind(adapter)
  adapter.received = { frames: 0, bytes: 0 }
  adapter.receiveMessage = bytes => {
    adapter.received.frames += 1
    adapter.received.bytes += bytes.byteLength
    try {
      const message = cbor.decode(new Uint8Array(bytes))
      if (message?.type === "error") serverErrors.push(String(message.message))
    } catch {
      // Undecodable frames are the adapter's business; it logs and drops them.
    }
    receive(bytes)
  }
  return adapter
}

// The repo saves documents and sync states on a throttle of this many milliseconds, after the
// change that caused them; `closeRepo` waits out one window before deciding storage is idle.
const SAVE_DEBOUNCE_MS = 100

/**
 * NodeFSStorageAdapter writes files in place (no rename), so a process that exits during a write
 * leaves a truncated chunk that the next start of the device cannot load. Counting the writes in
 * flight lets a device exit only once its storage is idle, as an app would on a clean shutdown.
 */
class TrackedStorage extends NodeFSStorageAdapter {
  inFlight = 0
  started = 0

  async #track(op) {
    this.inFlight += 1
    this.started += 1
    try {
      return await op()
    } finally {
      this.inFlight -= 1
    }
  }

  save(key, data) {
    return this.#track(() => super.save(key, data))
  }

  remove(key) {
    return this.#track(() => super.remove(key))
  }

  removeRange(prefix) {
    return this.#track(() => super.removeRange(prefix))
  }
}

/**
 * Disconnects, writes every document, and returns once no storage write has started for a whole
 * save window, so throttled saves queued by the last sync round have landed too.
 */
export async function closeRepo(repo) {
  step("closing the repo")
  await repo.shutdown()
  const storage = repo.trackedStorage
  if (!storage) return
  for (;;) {
    const before = storage.started
    await new Promise(resolve => setTimeout(resolve, SAVE_DEBOUNCE_MS * 2))
    if (storage.inFlight === 0 && storage.started === before) return
  }
}

/** Resolves once `predicate()` is truthy, checking every POLL_MS; the global deadline bounds it. */
export function until(predicate) {
  return new Promise(resolve => {
    const check = () => {
      const value = predicate()
      if (value) resolve(value)
      else setTimeout(check, POLL_MS)
    }
    check()
  })
}

/**
 * The server's storageId, from the `peer` message it answered our `join` with. The repo records
 * each peer's metadata in `peerMetadataByPeerId` when the network subsystem emits `peer`.
 */
export async function serverStorageId(repo) {
  step("waiting for the server's peer message")
  return until(() => {
    for (const metadata of Object.values(repo.peerMetadataByPeerId)) {
      if (metadata?.storageId) return metadata.storageId
    }
    return undefined
  })
}

/** Order-insensitive comparison of two head lists. */
export function sameHeads(a, b) {
  if (!a || !b || a.length !== b.length) return false
  const sorted = [...b].sort()
  return [...a].sort().every((h, i) => h === sorted[i])
}

/**
 * Waits until the server has told us it holds exactly our heads: the acknowledgement a device may
 * treat as "stored" (PROTOCOL.md section 9.1). `extra` adds a condition on the document.
 */
export async function untilServerHolds(handle, storageId, extra = () => true) {
  step("waiting until the server's heads equal ours")
  await until(() => {
    const info = handle.getSyncInfo(storageId)
    return info && sameHeads(info.lastHeads, handle.heads()) && extra(handle.doc())
  })
  return handle.heads()
}

/**
 * A plain JSON copy of the document (Automerge Text reads as a string). Unsigned integers that a
 * Rust writer stored as Automerge `uint` come back as BigInt, which JSON cannot hold; they are
 * reported as numbers, see `bigintPaths`.
 */
export function snapshot(handle) {
  return JSON.parse(JSON.stringify(handle.doc(), (_, v) => (typeof v === "bigint" ? Number(v) : v)))
}

/** The dotted paths of every BigInt value in `value`. */
export function bigintPaths(value, path = "") {
  if (typeof value === "bigint") return [path]
  if (value === null || typeof value !== "object") return []
  return Object.entries(value).flatMap(([k, v]) => bigintPaths(v, path ? `${path}.${k}` : k))
}

/**
 * Sets `path` (dot-separated; numeric parts index lists) to `value` inside a change callback.
 * Intermediate maps are created as needed.
 */
export function setPath(doc, path, value) {
  const parts = path.split(".")
  let target = doc
  for (const part of parts.slice(0, -1)) {
    const key = /^\d+$/.test(part) ? Number(part) : part
    if (target[key] === undefined || target[key] === null) target[key] = {}
    target = target[key]
  }
  const last = parts[parts.length - 1]
  target[/^\d+$/.test(last) ? Number(last) : last] = value
}

/** Parses repeated `--set path=<json>` arguments into [path, value] pairs. */
export function assignments(list) {
  return (list ?? []).map(arg => {
    const at = arg.indexOf("=")
    if (at <= 0) throw new Error(`--set expects path=<json>, got ${arg}`)
    try {
      return [arg.slice(0, at), JSON.parse(arg.slice(at + 1))]
    } catch (e) {
      throw new Error(`--set ${arg}: value is not JSON: ${e.message}`)
    }
  })
}
