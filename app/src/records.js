// What the app keeps about itself, next to the documents and encrypted the same way: the device's
// enrollment (its token never leaves the device except to obtain sync tickets) and, per intake,
// the volunteer's draft or finished mark and the last time the server was seen to hold it.
//
// They live in the repository's own encrypted storage under a prefix no document ID can take
// (document IDs are base58, with no dash), so there is one database to unlock and to wipe.

const DEVICE = ["fieldclinic-app", "device"]
const INTAKES = ["fieldclinic-app", "intakes"]

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * @typedef {{ token: string, userId: string, email: string, role: string, deviceId: string, indexUrl: string, enrolledAt: number }} Enrollment
 * @typedef {{ createdAt: number, finished: boolean, serverHeads: string[] | null, onServerAt: number | null }} IntakeRecord
 */

export class Records {
  /** @param {import("@automerge/automerge-repo/slim").StorageAdapterInterface} storage */
  constructor(storage) {
    this.storage = storage
    /** @type {Record<string, IntakeRecord>} */
    this.intakes = {}
    this.#writing = Promise.resolve()
  }

  #writing

  async #load(key) {
    const bytes = await this.storage.load(key)
    return bytes ? JSON.parse(decoder.decode(bytes)) : undefined
  }

  // Writes are chained so a slow write can never land after a later one and undo it.
  #save(key, value) {
    const bytes = encoder.encode(JSON.stringify(value))
    this.#writing = this.#writing.catch(() => {}).then(() => this.storage.save(key, bytes))
    return this.#writing
  }

  /** @returns {Promise<Enrollment | undefined>} */
  loadEnrollment() {
    return this.#load(DEVICE)
  }

  /** @param {Enrollment} enrollment */
  saveEnrollment(enrollment) {
    return this.#save(DEVICE, enrollment)
  }

  async loadIntakes() {
    this.intakes = (await this.#load(INTAKES)) ?? {}
    return this.intakes
  }

  /** Changes one intake's record and saves them all. */
  updateIntake(url, change) {
    const current = this.intakes[url] ?? { createdAt: Date.now(), finished: false, serverHeads: null, onServerAt: null }
    this.intakes[url] = { ...current, ...change }
    return this.#save(INTAKES, this.intakes)
  }

  /** Waits for every write asked for so far. */
  flush() {
    return this.#writing
  }
}
