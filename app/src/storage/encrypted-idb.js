// automerge-repo's storage, in IndexedDB, unreadable without the vault.
//
// What reaches IndexedDB, in the "chunks" store of the vault's database (see vault.js):
//   key:   [HMAC-SHA-256(component) as base64url, ...], one MAC per component of the repo's key
//   value: { v: 1, iv: Uint8Array(12), ct: Uint8Array }
// `ct` is AES-GCM-256 under the vault's key, with a fresh IV per write, over
//   uint32 (big-endian) length of K | K = UTF-8 JSON of the original key | the data
// and with the stored (MAC'd) key as additional data, so a record copied or moved to another key
// fails to decrypt instead of being read as that key's data.
//
// MACs, not encryption, for keys: they must be deterministic for a lookup to find them, and
// per-component so that a prefix of the repo's key is a prefix of the stored key and prefix
// ranges keep working. Document IDs therefore never reach the disk; what an attacker with the
// disk still learns is how many records there are, their sizes, and which records share a
// component (which chunks belong to the same document).

import { ConnectionClosedError, STORES, Vault, closeDatabase, openDatabase, toBase64Url, transact } from "./vault.js"

const RECORD_VERSION = 1
const IV_BYTES = 12
const AAD_PREFIX = "fieldclinic/chunk/v1\n"

const encoder = new TextEncoder()
const decoder = new TextDecoder("utf-8", { fatal: true })

/**
 * An automerge-repo `StorageAdapterInterface` over IndexedDB that encrypts every key component
 * (HMAC) and every value (AES-GCM) with a vault's keys.
 *
 * Unlike the stock IndexedDB adapter, every call settles: a failed or aborted transaction
 * rejects with the reason instead of leaving the repo waiting forever, and a connection the
 * browser or another tab closed is reopened by the next call instead of failing every call after.
 *
 * @implements {import("@automerge/automerge-repo/slim").StorageAdapterInterface}
 */
export class EncryptedIndexedDBStorageAdapter {
  /** @type {string} */
  #dbName
  /** @type {Vault | null} */
  #vault
  /** @type {IDBDatabase | null} */
  #db = null
  /** @type {Promise<IDBDatabase> | null} */
  #opening = null
  #closed = false

  /**
   * Opens nothing yet: the first call opens the database, so constructing the adapter while
   * IndexedDB is unavailable fails on that call, where the repo reports it.
   * @param {string} dbName the database the vault was created in
   * @param {Vault} vault an unlocked vault; locking it makes every later call fail
   */
  constructor(dbName, vault) {
    if (typeof dbName !== "string" || dbName === "") throw new TypeError("dbName must be a non-empty string")
    if (!(vault instanceof Vault)) throw new TypeError("an EncryptedIndexedDBStorageAdapter needs a Vault")
    if (vault.locked) throw new TypeError("the vault is locked: unlock it before opening storage")
    this.#dbName = dbName
    this.#vault = vault
  }

  /**
   * @param {string[]} key
   * @returns {Promise<Uint8Array | undefined>}
   */
  async load(key) {
    const stored = await this.#storedKey(key)
    const record = await this.#transact("readonly", store => {
      const request = store.get(stored)
      return () => request.result
    })
    if (record === undefined) return undefined
    const chunk = await this.#decrypt(stored, record)
    // The MAC makes a mismatch practically impossible; checking costs nothing and means a
    // bug or a collision could never hand one document's bytes to another.
    if (!sameKey(chunk.key, key)) throw new Error("stored record names a different key than the one it is stored under")
    return chunk.data
  }

  /**
   * @param {string[]} key
   * @param {Uint8Array} data
   * @returns {Promise<void>}
   */
  async save(key, data) {
    if (!(data instanceof Uint8Array)) throw new TypeError("save needs its data as a Uint8Array")
    const stored = await this.#storedKey(key)
    const record = await this.#encrypt(stored, key, data)
    await this.#transact("readwrite", store => {
      store.put(record, stored)
    })
  }

  /**
   * @param {string[]} key
   * @returns {Promise<void>}
   */
  async remove(key) {
    const stored = await this.#storedKey(key)
    await this.#transact("readwrite", store => {
      store.delete(stored)
    })
  }

  /**
   * Every record whose key starts with `keyPrefix` (component-wise: ["doc1"] does not match
   * ["doc10"]); `[]` means all of them. One transaction, so a concurrent save is either wholly
   * in the result or not at all.
   * @param {string[]} keyPrefix
   * @returns {Promise<{ key: string[], data: Uint8Array }[]>}
   */
  async loadRange(keyPrefix) {
    const range = prefixRange(await this.#storedKey(keyPrefix))
    const { keys, values } = await this.#transact("readonly", store => {
      // Same range, same snapshot: both come back in key order, so they pair up index by index.
      const keysRequest = store.getAllKeys(range)
      const valuesRequest = store.getAll(range)
      return () => ({ keys: keysRequest.result, values: valuesRequest.result })
    })
    return Promise.all(values.map((record, i) => this.#decrypt(keys[i], record)))
  }

  /**
   * Removes every record whose key starts with `keyPrefix`, in one transaction.
   * @param {string[]} keyPrefix
   * @returns {Promise<void>}
   */
  async removeRange(keyPrefix) {
    const range = prefixRange(await this.#storedKey(keyPrefix))
    await this.#transact("readwrite", store => {
      store.delete(range)
    })
  }

  /**
   * Closes the connection and drops the vault reference; every later call rejects. The vault
   * itself stays unlocked for whoever else holds it: `vault.lock()` is the app's to call.
   */
  close() {
    this.#closed = true
    if (this.#db) closeDatabase(this.#db)
    this.#db = null
    this.#vault = null
  }

  #keys() {
    if (this.#closed || !this.#vault) throw new Error(`the storage adapter for "${this.#dbName}" is closed`)
    return { aesKey: this.#vault.aesKey, hmacKey: this.#vault.hmacKey }
  }

  async #storedKey(key) {
    if (!Array.isArray(key) || !key.every(part => typeof part === "string")) {
      throw new TypeError("a storage key is an array of strings")
    }
    const { hmacKey } = this.#keys()
    const mac = async part => new Uint8Array(await crypto.subtle.sign("HMAC", hmacKey, encoder.encode(part)))
    return Promise.all(key.map(async part => toBase64Url(await mac(part))))
  }

  async #encrypt(stored, key, data) {
    const { aesKey } = this.#keys()
    const keyBytes = encoder.encode(JSON.stringify(key))
    const plain = new Uint8Array(4 + keyBytes.length + data.length)
    new DataView(plain.buffer).setUint32(0, keyBytes.length)
    plain.set(keyBytes, 4)
    plain.set(data, 4 + keyBytes.length)
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
    try {
      const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad(stored) }, aesKey, plain)
      return { v: RECORD_VERSION, iv, ct: new Uint8Array(ct) }
    } finally {
      // Our copy only; the caller's data is the caller's.
      plain.fill(0)
    }
  }

  async #decrypt(stored, record) {
    const { aesKey } = this.#keys()
    if (
      !record ||
      record.v !== RECORD_VERSION ||
      !(record.iv instanceof Uint8Array) ||
      record.iv.length !== IV_BYTES ||
      !(record.ct instanceof Uint8Array)
    ) {
      throw new Error(`a record in "${this.#dbName}" is not an encrypted chunk of a known version`)
    }
    let plain
    try {
      plain = new Uint8Array(
        await crypto.subtle.decrypt({ name: "AES-GCM", iv: record.iv, additionalData: aad(stored) }, aesKey, record.ct),
      )
    } catch (err) {
      if (err?.name !== "OperationError") throw err
      throw new Error(
        `a record in "${this.#dbName}" did not decrypt: altered, moved from another key, or written with another vault`,
        { cause: err },
      )
    }
    const keyLength = new DataView(plain.buffer).getUint32(0)
    const key = JSON.parse(decoder.decode(plain.subarray(4, 4 + keyLength)))
    if (!Array.isArray(key) || !key.every(part => typeof part === "string")) {
      throw new Error(`a record in "${this.#dbName}" holds a malformed key`)
    }
    // A copy, so the data's buffer is exactly the data: callers may hand `.buffer` on.
    return { key, data: plain.slice(4 + keyLength) }
  }

  async #transact(mode, body) {
    // A closed connection refuses to start a transaction, so nothing has happened yet and one
    // retry on a fresh connection is safe for every call, reads and writes alike.
    for (let attempt = 0; ; attempt++) {
      const db = await this.#connection()
      try {
        return await transact(db, STORES.chunks, mode, body)
      } catch (err) {
        if (!(err instanceof ConnectionClosedError) || attempt > 0) throw err
        this.#forget(db)
      }
    }
  }

  #connection() {
    if (this.#closed) return Promise.reject(new Error(`the storage adapter for "${this.#dbName}" is closed`))
    if (this.#db) return Promise.resolve(this.#db)
    // Calls made while opening share the one open, instead of each opening a connection.
    this.#opening ??= openDatabase(this.#dbName)
      .then(db => {
        if (this.#closed) {
          closeDatabase(db)
          throw new Error(`the storage adapter for "${this.#dbName}" is closed`)
        }
        this.#db = db
        // vault.js closes the connection on versionchange; forgetting it here makes the next
        // call open a new one rather than fail on a dead one.
        db.addEventListener("versionchange", () => this.#forget(db))
        db.addEventListener("close", () => this.#forget(db))
        return db
      })
      .finally(() => {
        this.#opening = null
      })
    return this.#opening
  }

  #forget(db) {
    if (this.#db === db) this.#db = null
    closeDatabase(db)
  }
}

// Keys are arrays of MAC strings. In IndexedDB's key order arrays compare element by element,
// a proper prefix sorts first, and every array sorts after every string. So for a prefix P the
// keys starting with P are exactly those >= P and < [...P, []]: P itself, then P followed by any
// string. [] to [[]] is then every array key, which is every key this adapter writes.
function prefixRange(prefix) {
  return IDBKeyRange.bound(prefix, [...prefix, []], false, true)
}

function aad(stored) {
  return encoder.encode(AAD_PREFIX + JSON.stringify(stored))
}

function sameKey(a, b) {
  return a.length === b.length && a.every((part, i) => part === b[i])
}
