// A device that writes what only the server may write: it syncs the document, then applies each
// `--set path=<json>` while connected, and waits until the server either acknowledges those heads
// or refuses them (an `error` and a closed connection). Prints
// {refused, acknowledged, serverErrors, heads, doc}.
//
//   node tamper.mjs --server ws://... --url automerge:... --set determination.outcome='"ELIGIBLE"'

import {
  args,
  assignments,
  deviceRepo,
  required,
  run,
  sameHeads,
  serverErrors,
  serverStorageId,
  setPath,
  snapshot,
  step,
  until,
  untilServerHolds,
} from "./lib.mjs"

const options = args({
  server: { type: "string" },
  url: { type: "string" },
  set: { type: "string", multiple: true },
})

run(async () => {
  const sets = assignments(options.set)
  const repo = deviceRepo({ server: required(options, "server") })
  const storageIdLater = serverStorageId(repo)
  let disconnected = false
  repo.networkSubsystem.on("peer-disconnected", () => {
    disconnected = true
  })

  step("finding the document")
  const handle = await repo.find(required(options, "url"))
  const storageId = await storageIdLater
  await untilServerHolds(handle, storageId)

  step("writing server-owned fields")
  handle.change(doc => {
    for (const [path, value] of sets) setPath(doc, path, value)
  })
  const tampered = handle.heads()

  step("waiting for the server to acknowledge or refuse the change")
  await until(
    () => disconnected || sameHeads(handle.getSyncInfo(storageId)?.lastHeads, tampered),
  )
  const acknowledged = sameHeads(handle.getSyncInfo(storageId)?.lastHeads, tampered)
  return {
    refused: disconnected && !acknowledged,
    acknowledged,
    serverErrors,
    heads: tampered,
    doc: snapshot(handle),
  }
})
