// The repository's one connection to the fieldclinic server: a WebSocket opened with a fresh sync
// ticket every time, speaking the automerge-repo WebSocket protocol (join, then peer, then CBOR
// repo messages).
//
// The stock WebSocketClientAdapter is not used because it cannot do what a clinic's device needs:
// it reconnects to one fixed URL (a ticket expires after five minutes, so a device back from a day
// offline would retry a dead URL forever), every 5 s on the dot (a room of tablets coming back
// online together reconnects together), it never says why it is not connected, and it throws from
// send() while a socket is closing, which inside the repo's sync handler leaves a document stuck
// until the app reloads.

import { NetworkAdapter, cbor } from "@automerge/automerge-repo/slim"

/** What a ticket request learned: the device was revoked or its user deactivated. */
export class RevokedError extends Error {
  constructor() {
    super("This device was removed from the clinic.")
    this.name = "RevokedError"
  }
}

/** The server refused the device's token for another reason (unknown, or the server was reset). */
export class TokenRefusedError extends Error {
  constructor() {
    super("The server does not accept this device's token.")
    this.name = "TokenRefusedError"
  }
}

/**
 * Asks the server for a sync ticket with the device token.
 * @param {string} token the device token from enrollment
 * @param {typeof fetch} [fetchImpl]
 * @returns {Promise<string>} the ticket
 */
export async function fetchTicket(token, fetchImpl = fetch) {
  const response = await fetchImpl("/api/v1/sync-tickets", {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    cache: "no-store",
  })
  if (response.status === 401) {
    const body = await response.json().catch(() => ({}))
    throw body.revoked === true ? new RevokedError() : new TokenRefusedError()
  }
  if (!response.ok) throw new Error(`The server answered ${response.status} when asked for a connection.`)
  const body = await response.json()
  if (typeof body.ticket !== "string") throw new Error("The server's answer had no connection ticket.")
  return body.ticket
}

const PROTOCOL_VERSION = "1"

/**
 * @typedef {"starting" | "connecting" | "connected" | "waiting" | "offline" | "revoked" | "stopped"} ConnectionState
 * @typedef {{ state: ConnectionState, reason: string | null, retryAt: number | null, serverStorageId: string | null, connectedAt: number | null }} ConnectionStatus
 */

export class TicketSocketAdapter extends NetworkAdapter {
  /** @type {WebSocket | undefined} */
  #socket
  #remotePeerId
  #ready = false
  #resolveReady
  #readyPromise = new Promise(resolve => (this.#resolveReady = resolve))
  #failures = 0
  #retryTimer
  #stopped = false
  /** @type {ConnectionStatus} */
  #status = { state: "starting", reason: null, retryAt: null, serverStorageId: null, connectedAt: null }

  /**
   * @param {{ getTicket: () => Promise<string>, onRevoked?: () => void, minDelayMs?: number, maxDelayMs?: number, location?: Location }} options
   *   `getTicket` is called before every connection attempt.
   */
  constructor({ getTicket, onRevoked = () => {}, minDelayMs = 1000, maxDelayMs = 60_000, location = globalThis.location }) {
    super()
    this.getTicket = getTicket
    this.onRevoked = onRevoked
    this.minDelayMs = minDelayMs
    this.maxDelayMs = maxDelayMs
    const scheme = location.protocol === "https:" ? "wss:" : "ws:"
    this.socketBase = `${scheme}//${location.host}/sync`
    this.#online = () => this.retryNow()
    this.#offline = () => this.#socket?.close()
    globalThis.addEventListener?.("online", this.#online)
    globalThis.addEventListener?.("offline", this.#offline)
  }

  #online
  #offline

  /** The connection as the UI shows it. */
  status() {
    return { ...this.#status }
  }

  #setStatus(change) {
    this.#status = { ...this.#status, ...change }
    this.emit("status", this.status())
  }

  isReady() {
    return this.#ready
  }

  whenReady() {
    return this.#readyPromise
  }

  // The repo waits for readiness before it declares a document unavailable. Offline, that wait
  // must end, or opening an intake that exists only on this device would hang; the stock adapter
  // makes the same choice after 1 s.
  #markReady() {
    if (this.#ready) return
    this.#ready = true
    this.#resolveReady()
  }

  connect(peerId, peerMetadata) {
    this.peerId = peerId
    this.peerMetadata = peerMetadata ?? {}
    setTimeout(() => this.#markReady(), 1000)
    void this.#attempt()
  }

  /** Skips the wait before the next attempt (the browser came back online, the user asked). */
  retryNow() {
    if (this.#stopped || this.#socket) return
    clearTimeout(this.#retryTimer)
    this.#retryTimer = undefined
    void this.#attempt()
  }

  async #attempt() {
    if (this.#stopped || this.#socket) return
    // "Offline" is the one thing a browser knows for sure about the network; trying anyway would
    // only spend battery. The "online" event starts the next attempt.
    if (globalThis.navigator?.onLine === false) {
      this.#markReady()
      this.#setStatus({ state: "offline", reason: "This device is offline.", retryAt: null })
      return
    }
    this.#setStatus({ state: "connecting", retryAt: null })
    let ticket
    try {
      ticket = await this.getTicket()
    } catch (err) {
      if (err instanceof RevokedError) {
        this.#stop("revoked", err.message)
        this.onRevoked()
        return
      }
      this.#scheduleRetry(describeFailure(err))
      return
    }
    if (this.#stopped) return
    const socket = new WebSocket(`${this.socketBase}?ticket=${encodeURIComponent(ticket)}`)
    socket.binaryType = "arraybuffer"
    this.#socket = socket
    socket.addEventListener("open", () => {
      socket.send(
        cbor.encode({
          type: "join",
          senderId: this.peerId,
          peerMetadata: this.peerMetadata,
          supportedProtocolVersions: [PROTOCOL_VERSION],
        }),
      )
    })
    socket.addEventListener("message", event => this.#receive(socket, event.data))
    socket.addEventListener("close", event => this.#closed(socket, event))
    // A browser tells scripts nothing about why a socket failed; the close that follows carries
    // what there is.
    socket.addEventListener("error", () => {})
  }

  #receive(socket, data) {
    if (socket !== this.#socket) return
    let message
    try {
      message = cbor.decode(new Uint8Array(data))
    } catch {
      this.#lastServerError = "The server sent a message this app could not read."
      socket.close()
      return
    }
    if (message?.type === "peer") {
      this.#remotePeerId = message.senderId
      this.#failures = 0
      this.#setStatus({
        state: "connected",
        reason: null,
        retryAt: null,
        serverStorageId: message.peerMetadata?.storageId ?? null,
        connectedAt: Date.now(),
      })
      this.#markReady()
      this.emit("peer-candidate", { peerId: message.senderId, peerMetadata: message.peerMetadata ?? {} })
    } else if (message?.type === "error") {
      this.#lastServerError = typeof message.message === "string" ? message.message : null
    } else {
      this.emit("message", message)
    }
  }

  #lastServerError = null

  #closed(socket, event) {
    if (socket !== this.#socket) return
    this.#socket = undefined
    if (this.#remotePeerId) {
      const peerId = this.#remotePeerId
      this.#remotePeerId = undefined
      this.emit("peer-disconnected", { peerId })
    }
    if (this.#stopped) return
    const serverSaid = this.#lastServerError ?? event.reason
    this.#lastServerError = null
    const reason = !navigator.onLine
      ? "This device is offline."
      : serverSaid
        ? `The server closed the connection: ${serverSaid}`
        : "Could not reach the server."
    this.#scheduleRetry(reason)
  }

  // Full jitter: devices dropped by the same event spread their reconnects over the whole window
  // instead of returning together.
  #scheduleRetry(reason) {
    this.#markReady()
    this.#failures += 1
    const ceiling = Math.min(this.maxDelayMs, this.minDelayMs * 2 ** Math.min(this.#failures - 1, 16))
    const delay = this.minDelayMs / 2 + Math.random() * ceiling
    const offline = globalThis.navigator?.onLine === false
    this.#setStatus({ state: offline ? "offline" : "waiting", reason, retryAt: Date.now() + delay })
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      void this.#attempt()
    }, delay)
  }

  // A message for a connection that is gone is dropped, not thrown: the sync protocol resends
  // whatever the server lacks once the next connection's sync begins.
  send(message) {
    const socket = this.#socket
    if (!socket || socket.readyState !== WebSocket.OPEN || !this.#remotePeerId) return
    if ("data" in message && message.data?.byteLength === 0) return
    socket.send(cbor.encode(message))
  }

  disconnect() {
    this.#stop("stopped", null)
  }

  #stop(state, reason) {
    this.#stopped = true
    clearTimeout(this.#retryTimer)
    globalThis.removeEventListener?.("online", this.#online)
    globalThis.removeEventListener?.("offline", this.#offline)
    const socket = this.#socket
    this.#socket = undefined
    if (this.#remotePeerId) {
      const peerId = this.#remotePeerId
      this.#remotePeerId = undefined
      this.emit("peer-disconnected", { peerId })
    }
    socket?.close()
    this.#setStatus({ state, reason, retryAt: null })
    this.#markReady()
  }
}

function describeFailure(err) {
  if (err instanceof TokenRefusedError) return err.message
  if (globalThis.navigator?.onLine === false) return "This device is offline."
  if (err instanceof TypeError) return "Could not reach the server."
  return err?.message ?? "Could not reach the server."
}
