// A device connects, finds a document (from its storage if it has one, else from the server) and
// stays until the server has acknowledged exactly its heads. Prints
// {state: "ready", url, heads, doc, bigints, serverStorageId}
// or {state: "unavailable", serverStorageId}.
//
//   node sync.mjs --server ws://... --url automerge:... [--storage DIR] [--await-determination]
//
// --await-determination also waits for a `determination` whose input_hash differs from the one
// the device held in storage before connecting (if any): the server's answer to the device's
// latest facts.

import { parseAutomergeUrl } from "@automerge/automerge-repo"
import {
  args,
  bigintPaths,
  closeRepo,
  deviceRepo,
  required,
  run,
  serverStorageId,
  snapshot,
  step,
  untilServerHolds,
} from "./lib.mjs"

const options = args({
  server: { type: "string" },
  url: { type: "string" },
  storage: { type: "string" },
  "await-determination": { type: "boolean", default: false },
})

run(async () => {
  const url = required(options, "url")
  const repo = deviceRepo({ server: required(options, "server"), storageDir: options.storage })
  const storageId = serverStorageId(repo)

  // The determination this device held before connecting, read straight from its storage: the
  // one --await-determination must see replaced.
  const stored = options.storage
    ? await repo.storageSubsystem.loadDoc(parseAutomergeUrl(url).documentId)
    : null
  const previous = stored?.determination?.input_hash

  step("finding the document")
  let handle
  try {
    handle = await repo.find(url)
  } catch (err) {
    // A device that never reached the server also ends up "unavailable" (it has no peers); only
    // an answer given while connected to the server counts.
    if (/unavailable/.test(String(err?.message))) {
      return { state: "unavailable", serverStorageId: await storageId }
    }
    throw err
  }

  const heads = await untilServerHolds(handle, await storageId, doc => {
    if (!options["await-determination"]) return true
    const hash = doc?.determination?.input_hash
    return hash !== undefined && hash !== previous
  })
  const result = {
    state: "ready",
    url,
    heads,
    doc: snapshot(handle),
    bigints: bigintPaths(handle.doc()),
    serverStorageId: await storageId,
  }
  await closeRepo(repo)
  return result
})
