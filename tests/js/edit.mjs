// An offline device edits a document it holds in storage: each `--set path=<json>` in one change.
// Prints {heads, doc}.
//
//   node edit.mjs --storage DIR --url automerge:... --set person.email='"a@b.c"' [--set ...]

import {
  args,
  assignments,
  closeRepo,
  deviceRepo,
  required,
  run,
  setPath,
  snapshot,
  step,
} from "./lib.mjs"

const options = args({
  storage: { type: "string" },
  url: { type: "string" },
  set: { type: "string", multiple: true },
})

run(async () => {
  const sets = assignments(options.set)
  const repo = deviceRepo({ storageDir: required(options, "storage") })
  step("loading the document from storage")
  // Offline, a document missing from storage would stay "unavailable": that is a test bug.
  const handle = await repo.find(required(options, "url"))
  step("editing")
  handle.change(doc => {
    for (const [path, value] of sets) setPath(doc, path, value)
  })
  await closeRepo(repo)
  return { heads: handle.heads(), doc: snapshot(handle) }
})
