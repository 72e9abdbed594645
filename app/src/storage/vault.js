// The device's data key and the PIN that unlocks it.
//
// Intakes hold criminal-record and immigration details, on phones and tablets that volunteers
// share and that get lost. Everything the app stores is encrypted with one random data key; the
// data key itself is stored only wrapped by a key derived from the volunteer's PIN, so a device
// found in a drawer gives up nothing without the PIN, and changing the PIN re-wraps one small
// record instead of re-encrypting every document.
//
// Where things live: one IndexedDB database per app (the name the app passes as `dbName`), with
// two object stores: "vault" holds the wrapped data key (one record, key "data-key"), "chunks"
// holds the encrypted automerge-repo storage (see encrypted-idb.js). One database means one thing
// to unlock and one thing to wipe: deleting it can never leave documents behind without their key
// or a key behind without its documents.
//
// The record, as stored (structured clone, no JSON):
//   { version: 1, salt: Uint8Array(16), iterations: 600000, iv: Uint8Array(12), wrapped: Uint8Array(80) }
// `wrapped` is AES-GCM-256 over the 64 raw key bytes (32 for AES-GCM, 32 for HMAC-SHA-256) under
// PBKDF2-SHA-256(PIN, salt, iterations), with the record's version as additional data.
//
// Only WebCrypto: no dependency to audit, and the keys it imports non-extractable cannot be read
// back out by any script running in the page, ours included.

/** PBKDF2-SHA-256 iterations for new and re-wrapped vaults: OWASP's 2023 figure for SHA-256. */
export const PBKDF2_ITERATIONS = 600_000

// A stored count above this is a damaged or hostile record, not a slower setting: deriving with
// it would hang the device for minutes before telling the volunteer anything.
const MAX_ITERATIONS = 10_000_000

/** The shortest PIN or passphrase `createVault` and `changePin` accept, in characters. */
export const MIN_PIN_LENGTH = 6

/** The object stores of the database; encrypted-idb.js keeps its records in `chunks`. */
export const STORES = Object.freeze({ vault: "vault", chunks: "chunks" })

const VAULT_RECORD_KEY = "data-key"
const RECORD_VERSION = 1
const SALT_BYTES = 16
const IV_BYTES = 12
const KEY_BYTES = 32
const GCM_TAG_BYTES = 16
const WRAPPED_BYTES = 2 * KEY_BYTES + GCM_TAG_BYTES

// How long a deletion or an upgrade may wait for another tab to let go of the database before
// the caller is told. Our own tabs close on `versionchange` at once; a tab that does not is
// frozen or runs other code, and waiting longer would only leave the volunteer staring.
const BLOCKED_GRACE_MS = 5_000

const encoder = new TextEncoder()
const decoder = new TextDecoder("utf-8", { fatal: true })

// Distinct additional data per use, so a ciphertext made for one purpose (a wrapped key, a sealed
// app record, a storage chunk) is rejected when offered as another.
const WRAP_AAD = encoder.encode(`fieldclinic/vault/v${RECORD_VERSION}`)
const SEAL_AAD_PREFIX = "fieldclinic/sealed-json/v1\n"

/** The PIN did not unlock the vault (AES-GCM refused the wrapped key). */
export class WrongPinError extends Error {
  constructor(message = "wrong PIN or passphrase") {
    super(message)
    this.name = "WrongPinError"
  }
}

/** There is no vault in this database yet: the device has not been set up, or was wiped. */
export class NoVaultError extends Error {
  constructor(dbName) {
    super(`no vault in IndexedDB database "${dbName}": create one first`)
    this.name = "NoVaultError"
  }
}

/** The vault was locked: its keys are gone until it is unlocked again with the PIN. */
export class VaultLockedError extends Error {
  constructor() {
    super("the vault is locked: unlock it with the PIN first")
    this.name = "VaultLockedError"
  }
}

/**
 * A connection could not start a transaction because it was closed (by `wipe`, by another tab's
 * upgrade or deletion, or by the browser). Nothing was done; the caller may reopen and retry.
 */
export class ConnectionClosedError extends Error {
  constructor(dbName, cause) {
    super(`the IndexedDB connection to "${dbName}" is closed`, { cause })
    this.name = "ConnectionClosedError"
  }
}

/**
 * The unlocked data key, as two non-extractable CryptoKeys. No raw key bytes are kept anywhere:
 * after `lock()` the keys are unreachable from here and only the PIN brings them back.
 */
export class Vault {
  /** @type {CryptoKey | null} */
  #aesKey
  /** @type {CryptoKey | null} */
  #hmacKey

  /**
   * @param {CryptoKey} aesKey AES-GCM-256, non-extractable, for encrypt and decrypt
   * @param {CryptoKey} hmacKey HMAC-SHA-256, non-extractable, for sign
   */
  constructor(aesKey, hmacKey) {
    // Refusing extractable keys keeps the promise that a Vault never lets its key bytes out,
    // whoever constructs it.
    for (const [key, algorithm] of [
      [aesKey, "AES-GCM"],
      [hmacKey, "HMAC"],
    ]) {
      if (!(key instanceof CryptoKey) || key.algorithm.name !== algorithm) {
        throw new TypeError(`a Vault needs an ${algorithm} CryptoKey`)
      }
      if (key.extractable) throw new TypeError(`a Vault's ${algorithm} key must be non-extractable`)
    }
    this.#aesKey = aesKey
    this.#hmacKey = hmacKey
  }

  /** The AES-GCM-256 key for values. Throws VaultLockedError once locked. */
  get aesKey() {
    if (!this.#aesKey) throw new VaultLockedError()
    return this.#aesKey
  }

  /** The HMAC-SHA-256 key for storage key components. Throws VaultLockedError once locked. */
  get hmacKey() {
    if (!this.#hmacKey) throw new VaultLockedError()
    return this.#hmacKey
  }

  /** Whether `lock()` has been called. */
  get locked() {
    return this.#aesKey === null
  }

  /**
   * Drops the keys. Adapters built on this vault fail from now on instead of reading on: locking
   * is how the app stops all access when a volunteer walks away.
   */
  lock() {
    this.#aesKey = null
    this.#hmacKey = null
  }
}

/**
 * Whether `dbName` holds a vault. Does not create the database when it does not exist.
 * @param {string} dbName
 * @returns {Promise<boolean>}
 */
export async function vaultExists(dbName) {
  if (!(await databaseMayExist(dbName))) return false
  return (await readVaultRecord(dbName)) !== undefined
}

/**
 * Sets the device up: a fresh random data key, wrapped under `pin`, stored in `dbName`. Refuses
 * to replace an existing vault, since that would make everything already stored unreadable.
 * @param {string} dbName
 * @param {string} pin at least MIN_PIN_LENGTH characters
 * @returns {Promise<Vault>} the new vault, unlocked
 */
export async function createVault(dbName, pin) {
  const secret = checkNewPin(pin)
  const raw = crypto.getRandomValues(new Uint8Array(2 * KEY_BYTES))
  try {
    const vault = await importKeys(raw)
    const record = await wrapKey(raw, secret)
    try {
      await withDatabase(dbName, db =>
        transact(db, STORES.vault, "readwrite", store => {
          // add, not put: two tabs setting up at once must not both win.
          store.add(record, VAULT_RECORD_KEY)
        }),
      )
    } catch (err) {
      vault.lock()
      if (err?.cause?.name === "ConstraintError") {
        throw new Error(`a vault already exists in "${dbName}": unlock it, or wipe the device first`, {
          cause: err,
        })
      }
      throw err
    }
    return vault
  } finally {
    raw.fill(0)
  }
}

/**
 * Unlocks the vault of `dbName` with `pin`.
 * @param {string} dbName
 * @param {string} pin
 * @returns {Promise<Vault>}
 * @throws {WrongPinError} when the PIN is wrong
 * @throws {NoVaultError} when there is no vault
 */
export async function unlockVault(dbName, pin) {
  const record = await requireVaultRecord(dbName)
  const raw = await unwrapKey(record, checkPin(pin))
  try {
    return await importKeys(raw)
  } finally {
    raw.fill(0)
  }
}

/**
 * Re-wraps the same data key under `newPin` (fresh salt and IV), so nothing else is re-encrypted.
 * @param {string} dbName
 * @param {string} oldPin
 * @param {string} newPin at least MIN_PIN_LENGTH characters
 * @returns {Promise<void>}
 * @throws {WrongPinError} when `oldPin` is wrong
 * @throws {NoVaultError} when there is no vault
 */
export async function changePin(dbName, oldPin, newPin) {
  const secret = checkNewPin(newPin)
  const old = await requireVaultRecord(dbName)
  const raw = await unwrapKey(old, checkPin(oldPin))
  let record
  try {
    record = await wrapKey(raw, secret)
  } finally {
    raw.fill(0)
  }
  // The derivations above take a second, and a transaction cannot wait for them. So the write
  // checks the record is still the one that was unwrapped: another tab changing the PIN
  // meanwhile must not be silently overwritten with a wrap of a key read before its change.
  const replaced = await withDatabase(dbName, db =>
    transact(db, STORES.vault, "readwrite", store => {
      let ok = false
      const request = store.get(VAULT_RECORD_KEY)
      request.onsuccess = () => {
        if (!sameRecord(request.result, old)) return
        store.put(record, VAULT_RECORD_KEY)
        ok = true
      }
      return () => ok
    }),
  )
  if (!replaced) throw new Error(`the vault in "${dbName}" changed while the PIN was being changed; try again`)
}

/**
 * Deletes the whole database: vault and documents. Closes this page's own connections first.
 * When another tab keeps the database open and does not let go within a few seconds, rejects
 * saying so; the browser still deletes the database as soon as that tab closes it.
 * @param {string} dbName
 * @param {{ blockedTimeoutMs?: number }} [options]
 * @returns {Promise<void>}
 */
export async function wipe(dbName, { blockedTimeoutMs = BLOCKED_GRACE_MS } = {}) {
  const factory = idbFactory()
  for (const db of [...(connections.get(dbName) ?? [])]) closeDatabase(db)
  await new Promise((resolve, reject) => {
    let settled = false
    let timer
    const settle = (fn, value) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      fn(value)
    }
    let request
    try {
      request = factory.deleteDatabase(dbName)
    } catch (err) {
      settle(reject, new Error(`could not delete IndexedDB database "${dbName}": ${describe(err)}`, { cause: err }))
      return
    }
    request.onsuccess = () => settle(resolve)
    request.onerror = () =>
      settle(
        reject,
        new Error(`could not delete IndexedDB database "${dbName}": ${describe(request.error)}`, {
          cause: request.error,
        }),
      )
    request.onblocked = () => {
      timer ??= setTimeout(
        () =>
          settle(
            reject,
            new Error(
              `deleting IndexedDB database "${dbName}" is blocked by a connection another tab or ` +
                "window keeps open; it will be deleted when that closes (close the other tabs of the app)",
            ),
          ),
        blockedTimeoutMs,
      )
    }
  })
}

/**
 * Encrypts a small JSON-serialisable value with the vault's key (AES-GCM, fresh IV), for the
 * app's own records. `context` is bound as additional data: a record sealed for one purpose
 * does not open as another. The result is plain strings, fit for IndexedDB or localStorage.
 * @param {Vault} vault
 * @param {unknown} value anything JSON.stringify turns into a string
 * @param {string} [context]
 * @returns {Promise<{ v: 1, iv: string, ct: string }>}
 */
export async function sealJson(vault, value, context = "") {
  const json = JSON.stringify(value)
  if (typeof json !== "string") throw new TypeError("sealJson needs a JSON-serialisable value")
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: sealAad(context) },
    vault.aesKey,
    encoder.encode(json),
  )
  return { v: 1, iv: toBase64Url(iv), ct: toBase64Url(new Uint8Array(ct)) }
}

/**
 * Opens what `sealJson` sealed, with the same vault and context.
 * @param {Vault} vault
 * @param {{ v: 1, iv: string, ct: string }} sealed
 * @param {string} [context]
 * @returns {Promise<any>}
 * @throws {Error} when it was sealed by another vault or context, or altered
 */
export async function openJson(vault, sealed, context = "") {
  if (!sealed || sealed.v !== 1 || typeof sealed.iv !== "string" || typeof sealed.ct !== "string") {
    throw new TypeError("not a sealed record (expected { v: 1, iv, ct })")
  }
  const iv = fromBase64Url(sealed.iv)
  if (iv.length !== IV_BYTES) throw new TypeError("sealed record has a malformed IV")
  let plain
  try {
    plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv, additionalData: sealAad(context) },
      vault.aesKey,
      fromBase64Url(sealed.ct),
    )
  } catch (err) {
    if (err?.name !== "OperationError") throw err
    throw new Error("sealed record did not open: another vault or context, or it was altered", { cause: err })
  }
  return JSON.parse(decoder.decode(plain))
}

// ---------------------------------------------------------------------------------------------
// The database, shared with encrypted-idb.js so both agree on one schema and `wipe` can close
// every connection this page holds.

/** @type {Map<string, Set<IDBDatabase>>} */
const connections = new Map()

/**
 * Opens `dbName` with both object stores present, tracked so `wipe` can close it. The connection
 * closes itself on `versionchange` (another tab upgrading or deleting), so this page never blocks
 * that; callers that keep it should listen for `versionchange` and `close` and forget it too.
 * Used by encrypted-idb.js; the app itself should not need it.
 * @param {string} dbName
 * @returns {Promise<IDBDatabase>}
 */
export async function openDatabase(dbName) {
  const factory = idbFactory()
  // Opening at whatever version the database has, not at a fixed one: another tab (or a later
  // release) may have upgraded it, and a fixed version would then fail with VersionError. The
  // stores are what matters; when one is missing, upgrade by one version to add it. A tab
  // racing us to the same upgrade makes ours a VersionError; the next round sees its result.
  for (let round = 0; ; round++) {
    const db = await openRequest(factory, dbName)
    if (hasStores(db)) return track(dbName, db)
    const next = db.version + 1
    db.close()
    try {
      return track(dbName, await openRequest(factory, dbName, next))
    } catch (err) {
      if (err?.cause?.name !== "VersionError" || round >= 2) throw err
    }
  }
}

/**
 * Closes a connection from `openDatabase` and stops tracking it. Safe to call more than once.
 * @param {IDBDatabase} db
 */
export function closeDatabase(db) {
  connections.get(db.name)?.delete(db)
  db.close()
}

/**
 * Runs one transaction on one store and settles exactly once: resolves on `complete` with what
 * `body`'s returned function gives, rejects on the first `error` or on `abort` (including aborts
 * no request reports, such as a quota failure at commit) with an Error naming the cause. `body`
 * issues its requests synchronously; awaiting inside it would let the transaction commit.
 * Rejects with ConnectionClosedError, having done nothing, when `db` is closed.
 * @template T
 * @param {IDBDatabase} db
 * @param {string} storeName
 * @param {IDBTransactionMode} mode
 * @param {(store: IDBObjectStore) => (void | (() => T))} body
 * @returns {Promise<T | undefined>}
 */
export function transact(db, storeName, mode, body) {
  return new Promise((resolve, reject) => {
    let tx
    try {
      // Strict durability for writes: an intake saved on a tablet whose battery dies a second
      // later must still be there. The browsers' default is relaxed (Chromium's since 121):
      // `complete` fires while the data may still sit in the OS's buffers.
      tx = db.transaction(storeName, mode, mode === "readwrite" ? { durability: "strict" } : undefined)
    } catch (err) {
      reject(
        err?.name === "InvalidStateError"
          ? new ConnectionClosedError(db.name, err)
          : new Error(`IndexedDB "${db.name}": could not start a ${mode} transaction: ${describe(err)}`, {
              cause: err,
            }),
      )
      return
    }
    let settled = false
    let result
    const failed = (what, cause) => {
      if (settled) return
      settled = true
      reject(new Error(`IndexedDB "${db.name}" ${storeName}: ${what}: ${describe(cause)}`, { cause }))
    }
    tx.oncomplete = () => {
      if (settled) return
      settled = true
      try {
        resolve(result?.())
      } catch (err) {
        reject(err)
      }
    }
    tx.onerror = event => failed(`${mode} request failed`, event.target?.error ?? tx.error)
    tx.onabort = () => failed(`${mode} transaction aborted`, tx.error)
    try {
      result = body(tx.objectStore(storeName))
    } catch (err) {
      failed(`${mode} request could not be made`, err)
      try {
        tx.abort()
      } catch {
        // Already finished or aborting: the rejection above is what the caller hears.
      }
    }
  })
}

function idbFactory() {
  // globalThis.indexedDB throws SecurityError in some sandboxed iframes and is missing in old
  // private modes; either way the volunteer needs to hear that storage is the problem.
  let factory
  try {
    factory = globalThis.indexedDB
  } catch (err) {
    throw new Error(`IndexedDB is not available here (${describe(err)}): the app cannot store intakes`, {
      cause: err,
    })
  }
  if (!factory) {
    throw new Error(
      "IndexedDB is not available in this browser (a private window?): the app cannot store intakes",
    )
  }
  return factory
}

function openRequest(factory, dbName, version) {
  return new Promise((resolve, reject) => {
    let settled = false
    let timer
    const fail = (message, cause) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      reject(new Error(`could not open IndexedDB database "${dbName}": ${message}`, { cause }))
    }
    let request
    try {
      request = version === undefined ? factory.open(dbName) : factory.open(dbName, version)
    } catch (err) {
      fail(describe(err), err)
      return
    }
    request.onupgradeneeded = () => {
      const db = request.result
      for (const name of Object.values(STORES)) {
        if (!db.objectStoreNames.contains(name)) db.createObjectStore(name)
      }
    }
    request.onsuccess = () => {
      const db = request.result
      // Opened after we gave up on it: nobody holds it, and an open connection blocks others.
      if (settled) {
        db.close()
        return
      }
      settled = true
      clearTimeout(timer)
      resolve(db)
    }
    request.onerror = event => {
      // Handled here; without this Firefox also reports it as an uncaught error.
      event.preventDefault()
      fail(describe(request.error), request.error)
    }
    request.onblocked = () => {
      timer ??= setTimeout(
        () => fail("another tab or window keeps an older version open (close the other tabs of the app)"),
        BLOCKED_GRACE_MS,
      )
    }
  })
}

function hasStores(db) {
  return Object.values(STORES).every(name => db.objectStoreNames.contains(name))
}

function track(dbName, db) {
  let set = connections.get(dbName)
  if (!set) connections.set(dbName, (set = new Set()))
  set.add(db)
  // Another tab upgrading or deleting waits until every connection closes; holding on would
  // block a wipe requested on the shared device from any other tab.
  db.addEventListener("versionchange", () => closeDatabase(db))
  // The browser closed it (storage cleared, disk error): it is useless, stop handing it to wipe.
  db.addEventListener("close", () => set.delete(db))
  return db
}

async function withDatabase(dbName, use) {
  const db = await openDatabase(dbName)
  try {
    return await use(db)
  } finally {
    closeDatabase(db)
  }
}

async function databaseMayExist(dbName) {
  // indexedDB.open creates what it does not find; asking "is there a vault" on a wiped device
  // must not leave an empty database behind. Browsers without databases() just get the open.
  const factory = idbFactory()
  if (typeof factory.databases !== "function") return true
  try {
    const list = await factory.databases()
    return list.some(info => info.name === dbName)
  } catch {
    return true
  }
}

async function readVaultRecord(dbName) {
  return withDatabase(dbName, db =>
    transact(db, STORES.vault, "readonly", store => {
      const request = store.get(VAULT_RECORD_KEY)
      return () => request.result
    }),
  )
}

async function requireVaultRecord(dbName) {
  if (!(await databaseMayExist(dbName))) throw new NoVaultError(dbName)
  const record = await readVaultRecord(dbName)
  if (record === undefined) throw new NoVaultError(dbName)
  checkRecord(dbName, record)
  return record
}

function checkRecord(dbName, record) {
  const bytes = (value, length) => value instanceof Uint8Array && value.length === length
  const ok =
    record &&
    record.version === RECORD_VERSION &&
    bytes(record.salt, SALT_BYTES) &&
    bytes(record.iv, IV_BYTES) &&
    bytes(record.wrapped, WRAPPED_BYTES) &&
    Number.isSafeInteger(record.iterations) &&
    record.iterations >= PBKDF2_ITERATIONS &&
    record.iterations <= MAX_ITERATIONS
  if (!ok) {
    throw new Error(
      `the vault record in "${dbName}" is damaged or from an unknown version ` +
        `(version ${record?.version}, ${record?.iterations} iterations); it cannot be unlocked`,
    )
  }
}

function sameRecord(a, b) {
  const same = (x, y) =>
    x instanceof Uint8Array && y instanceof Uint8Array && x.length === y.length && x.every((v, i) => v === y[i])
  return (
    a?.version === b.version &&
    a.iterations === b.iterations &&
    same(a.salt, b.salt) &&
    same(a.iv, b.iv) &&
    same(a.wrapped, b.wrapped)
  )
}

function checkPin(pin) {
  if (typeof pin !== "string") throw new TypeError("the PIN must be a string")
  // NFC: the same passphrase typed on two keyboards can arrive composed or decomposed (é as one
  // code point or two), and must unlock the same vault.
  return pin.normalize("NFC")
}

function checkNewPin(pin) {
  const secret = checkPin(pin)
  // Counted in code points, as a volunteer would count characters, not UTF-16 units.
  if ([...secret].length < MIN_PIN_LENGTH) {
    throw new Error(`the PIN must be at least ${MIN_PIN_LENGTH} characters long`)
  }
  return secret
}

async function deriveWrappingKey(secret, salt, iterations) {
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "PBKDF2", false, ["deriveKey"])
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  )
}

async function wrapKey(raw, secret) {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES))
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
  const wrappingKey = await deriveWrappingKey(secret, salt, PBKDF2_ITERATIONS)
  const wrapped = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: WRAP_AAD }, wrappingKey, raw)
  return { version: RECORD_VERSION, salt, iterations: PBKDF2_ITERATIONS, iv, wrapped: new Uint8Array(wrapped) }
}

async function unwrapKey(record, secret) {
  const wrappingKey = await deriveWrappingKey(secret, record.salt, record.iterations)
  try {
    const raw = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: record.iv, additionalData: WRAP_AAD },
      wrappingKey,
      record.wrapped,
    )
    return new Uint8Array(raw)
  } catch (err) {
    // GCM cannot tell a wrong key from a tampered record; with the record's shape already
    // checked, a wrong PIN is by far the likelier reading.
    if (err?.name === "OperationError") throw new WrongPinError()
    throw err
  }
}

async function importKeys(raw) {
  // importKey copies the bytes, so the caller can zero `raw` right after.
  const [aesKey, hmacKey] = await Promise.all([
    crypto.subtle.importKey("raw", raw.subarray(0, KEY_BYTES), { name: "AES-GCM" }, false, ["encrypt", "decrypt"]),
    crypto.subtle.importKey("raw", raw.subarray(KEY_BYTES), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]),
  ])
  return new Vault(aesKey, hmacKey)
}

function sealAad(context) {
  if (typeof context !== "string") throw new TypeError("the context must be a string")
  return encoder.encode(SEAL_AAD_PREFIX + context)
}

/**
 * Unpadded base64url of bytes (RFC 4648 §5). Shared with encrypted-idb.js.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function toBase64Url(bytes) {
  let binary = ""
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

function fromBase64Url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError("not base64url")
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"))
  return Uint8Array.from(binary, c => c.charCodeAt(0))
}

function describe(err) {
  if (!err) return "no reason given"
  return err.name && err.message ? `${err.name}: ${err.message}` : String(err.message ?? err.name ?? err)
}
