// The yardstick: the reference automerge-repo sync server, built as automerge-repo-sync-server
// builds it, from the same pinned packages as the test devices (`@automerge/automerge-repo`
// 2.5.6, its WebSocketServerAdapter and NodeFSStorageAdapter). No accounts, no access checks, no
// write-back. Used by the side-by-side benchmark (bench/side-by-side), never by a test.
//
//   node reference-server.mjs --storage DIR [--port 0]
//
// Prints {port, pid} once it listens, then serves ws://127.0.0.1:PORT until SIGTERM or SIGINT.

import { parseArgs } from "node:util"
import { WebSocketServer } from "ws"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"

const { values } = parseArgs({
  options: { storage: { type: "string" }, port: { type: "string", default: "0" } },
  strict: true,
})
if (!values.storage) throw new Error("--storage is required")

const wss = new WebSocketServer({ host: "127.0.0.1", port: Number(values.port) })
const repo = new Repo({
  network: [new WebSocketServerAdapter(wss)],
  storage: new NodeFSStorageAdapter(values.storage),
  // As the sync server: it answers what devices ask for and announces nothing of its own.
  sharePolicy: async () => false,
})

wss.on("listening", () => {
  process.stdout.write(JSON.stringify({ port: wss.address().port, pid: process.pid }) + "\n")
})

async function stop() {
  wss.close()
  await repo.shutdown()
  process.exit(0)
}
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
