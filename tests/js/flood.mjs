// A hostile enrolled device for the memory measurements of scripts/memory-under-attack (not a
// test): joins like the JS client, then sends `request` messages for random document IDs as
// fast as the socket takes them, and counts the answers.
//
//   node flood.mjs --server ws://HOST:PORT/sync?ticket=... --requests 30000
//
// Prints {sent, unavailable, errors, closed, seconds}.

import WebSocket from "isomorphic-ws"
import { cbor, generateAutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo"
import * as A from "@automerge/automerge/slim"
import { args, required, run, step } from "./lib.mjs"

const options = args({
  server: { type: "string" },
  requests: { type: "string", default: "30000" },
})

run(async () => {
  const total = Number(options.requests)
  const ws = new WebSocket(required(options, "server"))
  ws.binaryType = "arraybuffer"
  const peerId = `flood-${Math.random().toString(36).slice(2)}`
  let serverId
  let unavailable = 0
  let errors = 0
  let closed = false
  const joined = new Promise((resolve, reject) => {
    ws.on("error", reject)
    ws.on("close", () => {
      closed = true
      resolve()
    })
    ws.on("message", data => {
      const m = cbor.decode(new Uint8Array(data))
      if (m.type === "peer") {
        serverId = m.senderId
        resolve()
      } else if (m.type === "doc-unavailable") {
        unavailable += 1
      } else if (m.type === "error") {
        errors += 1
      }
    })
  })
  step("joining")
  await new Promise((resolve, reject) => {
    ws.on("open", resolve)
    ws.on("error", reject)
  })
  ws.send(cbor.encode({ type: "join", senderId: peerId, peerMetadata: {}, supportedProtocolVersions: ["1"] }))
  await joined
  if (!serverId) throw new Error("the server did not answer join")
  const data = A.encodeSyncMessage(A.decodeSyncMessage(A.generateSyncMessage(A.init(), A.initSyncState())[1]))
  step("flooding")
  const start = Date.now()
  let sent = 0
  while (sent < total && !closed) {
    const { documentId } = parseAutomergeUrl(generateAutomergeUrl())
    ws.send(cbor.encode({ type: "request", senderId: peerId, targetId: serverId, documentId, data }))
    sent += 1
    // Let the socket drain now and then, as a real client's event loop would.
    if (sent % 500 === 0) await new Promise(r => setTimeout(r, 0))
  }
  step("waiting for answers")
  const deadline = Date.now() + 60_000
  while (!closed && unavailable + errors < sent && Date.now() < deadline) {
    await new Promise(r => setTimeout(r, 50))
  }
  const seconds = (Date.now() - start) / 1000
  ws.close()
  return { sent, unavailable, errors, closed, seconds }
})
