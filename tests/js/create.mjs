// An offline device creates a document: no network adapter at all, only its storage directory.
// Prints {url, heads, doc}.
//
//   node create.mjs --storage DIR --doc '<json>'

import { args, closeRepo, deviceRepo, required, run, snapshot, step } from "./lib.mjs"

const options = args({
  storage: { type: "string" },
  doc: { type: "string" },
})

run(async () => {
  const repo = deviceRepo({ storageDir: required(options, "storage") })
  step("creating the document")
  const handle = repo.create(JSON.parse(required(options, "doc")))
  await closeRepo(repo)
  return { url: handle.url, heads: handle.heads(), doc: snapshot(handle) }
})
