// The page side of app_storage.mjs: the app's storage modules and the real automerge-repo, on
// `window.storageTest` for page.evaluate, plus raw IndexedDB helpers that look at the database
// the way an attacker with the device's disk would, without going through the modules.

import { Repo, initializeWasm } from "@automerge/automerge-repo/slim"
import { EncryptedIndexedDBStorageAdapter } from "../../app/src/storage/encrypted-idb.js"
import * as vault from "../../app/src/storage/vault.js"

/** Settles a raw IndexedDB request as a promise. */
function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

/** A raw connection to an existing database that lets go when anyone else needs it. */
async function openRaw(name) {
  const names = (await indexedDB.databases()).map(info => info.name)
  if (!names.includes(name)) throw new Error(`no database ${name} (have: ${names.join(", ")})`)
  const db = await request(indexedDB.open(name))
  db.onversionchange = () => db.close()
  return db
}

/** Every store of the database with every record: `{ store: [{ key, value }] }`. */
async function dump(name) {
  const db = await openRaw(name)
  try {
    const out = {}
    for (const store of db.objectStoreNames) {
      const tx = db.transaction(store)
      const [keys, values] = await Promise.all([
        request(tx.objectStore(store).getAllKeys()),
        request(tx.objectStore(store).getAll()),
      ])
      out[store] = keys.map((key, i) => ({ key, value: values[i] }))
    }
    return { version: db.version, stores: out }
  } finally {
    db.close()
  }
}

function bytesOf(value) {
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  return null
}

function indexOfBytes(haystack, needle) {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return i
  }
  return -1
}

function utf16le(text) {
  const out = new Uint8Array(text.length * 2)
  for (let i = 0; i < text.length; i++) {
    out[2 * i] = text.charCodeAt(i) & 0xff
    out[2 * i + 1] = text.charCodeAt(i) >> 8
  }
  return out
}

/**
 * Where any of `secrets` shows up in the database: in store names, keys or values, as a string
 * (also inside a longer one) or as UTF-8, UTF-16LE or base64 bytes inside binary data.
 */
async function findPlaintext(name, secrets) {
  const { stores } = await dump(name)
  const hits = []
  const forms = secrets.map(secret => ({
    secret,
    texts: [secret, btoa(String.fromCharCode(...new TextEncoder().encode(secret)))],
    byteForms: [new TextEncoder().encode(secret), utf16le(secret)],
  }))
  const visit = (value, where) => {
    if (typeof value === "string") {
      for (const f of forms) if (f.texts.some(t => value.includes(t))) hits.push(`${f.secret} in ${where}`)
      return
    }
    const bytes = bytesOf(value)
    if (bytes) {
      for (const f of forms) {
        if (f.byteForms.some(b => indexOfBytes(bytes, b) >= 0)) hits.push(`${f.secret} in ${where}`)
      }
      return
    }
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${where}[${i}]`))
    else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        visit(k, `${where} (property name)`)
        visit(v, `${where}.${k}`)
      }
    }
  }
  visit(name, "database name")
  for (const [store, records] of Object.entries(stores)) {
    visit(store, "store name")
    records.forEach(({ key, value }, i) => {
      visit(key, `${store} key #${i}`)
      visit(value, `${store} value #${i}`)
    })
  }
  return { hits, records: Object.values(stores).reduce((n, r) => n + r.length, 0) }
}

/** Resolves to how `promise` settled within `ms`: never hangs the test on a call that hangs. */
function settle(promise, ms = 5_000) {
  return new Promise(resolve => {
    const timer = setTimeout(() => resolve({ status: "hung", after: ms }), ms)
    promise.then(
      value => {
        clearTimeout(timer)
        resolve({ status: "resolved", value })
      },
      error => {
        clearTimeout(timer)
        resolve({ status: "rejected", name: error?.name, message: String(error?.message ?? error), error })
      },
    )
  })
}

// Connections the page opens, the adapter's among them, so a test can close one behind the
// adapter's back as the browser would. Wrapping the platform here keeps production code free
// of test hooks.
const connections = []
const open = IDBFactory.prototype.open
IDBFactory.prototype.open = function (...args) {
  const req = open.apply(this, args)
  req.addEventListener("success", () => connections.push(req.result))
  return req
}

/**
 * Makes the next call of `IDBObjectStore.prototype[method]` abort its transaction right after
 * issuing the request, as a crash of the storage backend would; returns a function undoing it.
 */
function abortNext(method) {
  const original = IDBObjectStore.prototype[method]
  let used = false
  IDBObjectStore.prototype[method] = function (...args) {
    const req = original.apply(this, args)
    if (!used) {
      used = true
      this.transaction.abort()
    }
    return req
  }
  return () => {
    IDBObjectStore.prototype[method] = original
    return used
  }
}

const hex = bytes => Array.from(bytes, b => b.toString(16).padStart(2, "0")).join("")

window.storageTest = {
  ...vault,
  EncryptedIndexedDBStorageAdapter,
  Repo,
  initializeWasm,
  raw: { request, openRaw, dump, findPlaintext },
  settle,
  connections,
  abortNext,
  hex,
  state: {},
  ready: true,
}
