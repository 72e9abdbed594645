// The app's encrypted storage (app/src/storage/vault.js and encrypted-idb.js) in headless
// Chromium: the vault's PIN handling, the adapter's key and range semantics, that nothing
// readable reaches IndexedDB, that failures reject instead of hanging, and a real automerge-repo
// document surviving a reload. The test entry (app_storage_entry.js) is bundled in memory with
// the app's esbuild and served from loopback with automerge's wasm.
// Prints one JSON line: {steps, iterations, unlockMs, documentUrl}.
//
//   node app_storage.mjs [--timeout-ms 120000]

import { readFileSync } from "node:fs"
import { createServer } from "node:http"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { args, assertNoPageProblems, launch, newPage, run, step } from "./lib.mjs"

args({})

const APP = fileURLToPath(new URL("../../app/", import.meta.url))
const ENTRY = fileURLToPath(new URL("./app_storage_entry.js", import.meta.url))
// tests/browser does not depend on esbuild or automerge: the app's own copies are the ones the
// app is built with, so those are the ones to test against.
const requireFromApp = createRequire(`${APP}package.json`)
const esbuild = requireFromApp("esbuild")
const WASM = readFileSync(`${APP}node_modules/@automerge/automerge/dist/automerge.wasm`)

const DB = "fieldclinic-storage-test"
const PIN = "4815-1623"
const NEW_PIN = "näive passphrase"
// Shaped like an automerge document ID (base58, 28 characters), so a leak would look like one.
const DOC_ID = "4NMNnkMhL8jXrdJ9jamS58PAVdXu"
const NAME = "Maria Example"

const done = []

function check(condition, message, details) {
  if (!condition) {
    throw new Error(details === undefined ? message : `${message}: ${JSON.stringify(details, null, 2)}`)
  }
}

/** Names the step for lib.mjs's failure messages and records it for the result line. */
async function named(name, body) {
  step(name)
  const result = await body()
  done.push(name)
  return result
}

async function bundle() {
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    // The entry lives outside app/, so bare imports would not find app/node_modules on their own.
    nodePaths: [`${APP}node_modules`],
    logLevel: "silent",
  })
  return result.outputFiles[0].contents
}

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>fieldclinic storage test</title>
<script type="module" src="/entry.js"></script></head>
<body><main><h1>fieldclinic storage test</h1></main></body>
</html>
`

function serve(script) {
  const routes = {
    "/": ["text/html; charset=utf-8", PAGE],
    "/entry.js": ["text/javascript; charset=utf-8", script],
    "/automerge.wasm": ["application/wasm", WASM],
  }
  const server = createServer((req, res) => {
    const route = routes[new URL(req.url, "http://x").pathname]
    if (!route) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { "content-type": route[0], "cache-control": "no-store" }).end(route[1])
  })
  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve(server))
  })
}

async function ready(page) {
  await page.waitForFunction(() => window.storageTest?.ready === true, null, { timeout: 15_000 })
}

run(async () => {
  const script = await named("bundling the test entry with esbuild", bundle)
  const server = await named("starting the page server", () => serve(script))
  const base = `http://127.0.0.1:${server.address().port}`

  const browser = await launch()
  const page = await newPage(browser)
  await named("opening the test page", async () => {
    await page.goto(`${base}/`)
    await ready(page)
  })

  await named("no vault before setup, and a short PIN is refused", async () => {
    const r = await page.evaluate(
      async ({ DB }) => {
        const t = window.storageTest
        const exists = await t.vaultExists(DB)
        const unlock = await t.settle(t.unlockVault(DB, "123456"))
        const short = await t.settle(t.createVault(DB, "12345"))
        const databases = (await indexedDB.databases()).map(d => d.name)
        return {
          exists,
          unlock: { status: unlock.status, name: unlock.name, message: unlock.message },
          short: { status: short.status, message: short.message },
          created: databases.includes(DB),
        }
      },
      { DB },
    )
    check(r.exists === false, "vaultExists is true before any vault was created", r)
    check(
      r.unlock.status === "rejected" && r.unlock.name === "NoVaultError",
      "unlocking no vault did not throw NoVaultError",
      r,
    )
    check(r.short.status === "rejected" && /at least 6/.test(r.short.message), "a 5-character PIN was not refused", r)
    check(!r.created, "asking about the vault created the database", r)
  })

  const created = await named("creating the vault", async () => {
    const r = await page.evaluate(
      async ({ DB, PIN }) => {
        const t = window.storageTest
        const started = performance.now()
        const vault = await t.createVault(DB, PIN)
        const createMs = performance.now() - started
        t.state.vault = vault
        t.state.adapter = new t.EncryptedIndexedDBStorageAdapter(DB, vault)
        const again = await t.settle(t.createVault(DB, "another-pin"))
        const exported = await t.settle(crypto.subtle.exportKey("raw", vault.aesKey))
        const exportedMac = await t.settle(crypto.subtle.exportKey("raw", vault.hmacKey))
        const { stores } = await t.raw.dump(DB)
        const [record] = stores.vault
        const isBytes = (v, n) => v instanceof Uint8Array && v.length === n
        return {
          createMs,
          exists: await t.vaultExists(DB),
          again: { status: again.status, message: again.message },
          exported: exported.status,
          exportedMac: exportedMac.status,
          extractable: [vault.aesKey.extractable, vault.hmacKey.extractable],
          algorithms: [vault.aesKey.algorithm.name, vault.hmacKey.algorithm.name],
          ownProperties: Object.getOwnPropertyNames(vault),
          vaultRecords: stores.vault.length,
          record: {
            version: record.value.version,
            iterations: record.value.iterations,
            salt: isBytes(record.value.salt, 16),
            iv: isBytes(record.value.iv, 12),
            wrapped: isBytes(record.value.wrapped, 80),
          },
          iterationsConstant: t.PBKDF2_ITERATIONS,
        }
      },
      { DB, PIN },
    )
    check(r.exists === true, "vaultExists is false after createVault", r)
    check(
      r.again.status === "rejected" && /already exists/.test(r.again.message),
      "a second createVault did not refuse",
      r,
    )
    check(r.exported === "rejected" && r.exportedMac === "rejected", "the vault's keys can be exported", r)
    check(r.extractable.every(e => e === false), "the vault's keys are extractable", r)
    check(r.algorithms.join() === "AES-GCM,HMAC", "the vault's keys are not AES-GCM and HMAC", r)
    check(r.ownProperties.length === 0, "the vault has enumerable own properties (key material?)", r)
    check(r.vaultRecords === 1, "the vault store does not hold exactly one record", r)
    check(
      r.record.version === 1 && r.record.salt && r.record.iv && r.record.wrapped,
      "the vault record is malformed",
      r,
    )
    check(r.record.iterations >= 600_000 && r.iterationsConstant >= 600_000, "PBKDF2 iterations below 600000", r)
    return r
  })

  await named("save, load and remove round trip of binary data", async () => {
    const r = await page.evaluate(async () => {
      const t = window.storageTest
      const a = t.state.adapter
      const every = Uint8Array.from({ length: 256 }, (_, i) => i)
      const big = new Uint8Array(300_000)
      for (let i = 0; i < big.length; i += 65_536) crypto.getRandomValues(big.subarray(i, i + 65_536))
      const key = ["round", "snapshot", "h1"]
      await a.save(key, every)
      const first = await a.load(key)
      await a.save(key, big)
      const overwritten = await a.load(key)
      await a.save(["round", "empty"], new Uint8Array(0))
      const empty = await a.load(["round", "empty"])
      const missing = await a.load(["round", "never-saved"])
      await a.remove(key)
      const removed = await a.load(key)
      const removeMissing = await t.settle(a.remove(["round", "never-saved"]))
      const emptyStill = await a.load(["round", "empty"])
      await a.remove(["round", "empty"])
      return {
        first: first instanceof Uint8Array && t.hex(first) === t.hex(every),
        firstOwnBuffer: first.byteLength === first.buffer.byteLength,
        overwritten: overwritten instanceof Uint8Array && t.hex(overwritten) === t.hex(big),
        empty: empty instanceof Uint8Array && empty.length === 0,
        missing: missing === undefined,
        removed: removed === undefined,
        removeMissing: removeMissing.status,
        emptyStill: emptyStill instanceof Uint8Array,
        left: (await a.loadRange([])).length,
      }
    })
    check(r.first, "loaded bytes differ from the saved bytes 0..255", r)
    check(r.firstOwnBuffer, "loaded data shares its buffer with other bytes", r)
    check(r.overwritten, "an overwrite did not replace the value (300 kB random)", r)
    check(r.empty, "an empty value did not load back as an empty Uint8Array", r)
    check(r.missing, "loading a key never saved did not give undefined", r)
    check(r.removed, "a removed key still loads", r)
    check(r.removeMissing === "resolved", "removing a missing key did not resolve", r)
    check(r.emptyStill, "remove removed another key too", r)
    check(r.left === 0, "records left after the round trip", r)
  })

  await named("loadRange and removeRange match whole components of the prefix", async () => {
    const r = await page.evaluate(async DB => {
      const t = window.storageTest
      const a = t.state.adapter
      const keys = [
        ["doc1"],
        ["doc1", "x"],
        ["doc1", "x", "deep"],
        ["doc1", "y", "z"],
        ["doc10", "x"],
        ["doc1x"],
        ["doc", "1"],
        ["doc2", "x"],
        ["do"],
        ["", "doc1"],
      ]
      const enc = new TextEncoder()
      for (const key of keys) await a.save(key, enc.encode(JSON.stringify(key)))
      const dec = new TextDecoder()
      const range = async prefix => {
        const chunks = await a.loadRange(prefix)
        const wrong = chunks.filter(c => dec.decode(c.data) !== JSON.stringify(c.key))
        if (wrong.length) throw new Error(`loadRange(${JSON.stringify(prefix)}) paired keys with other data`)
        return chunks.map(c => JSON.stringify(c.key)).sort()
      }
      const out = {
        doc1: await range(["doc1"]),
        doc1x: await range(["doc1", "x"]),
        doc1y: await range(["doc1", "y"]),
        doc1yz: await range(["doc1", "y", "z"]),
        emptyComponent: await range([""]),
        none: await range(["nothing"]),
        all: await range([]),
      }
      await a.removeRange(["doc1"])
      out.afterRemoveDoc1 = await range([])
      await a.removeRange(["doc1x"])
      out.afterRemoveDoc1x = await range([])
      await a.removeRange([])
      out.afterRemoveAll = await range([])
      const { stores } = await t.raw.dump(DB)
      out.rawChunks = stores.chunks.length
      out.rawVault = stores.vault.length
      out.keys = keys.map(k => JSON.stringify(k)).sort()
      return out
    }, DB)
    const keys = list => list.map(k => JSON.stringify(k)).sort()
    const same = (got, want, what) => check(JSON.stringify(got) === JSON.stringify(keys(want)), what, { got, want })
    same(r.doc1, [["doc1"], ["doc1", "x"], ["doc1", "x", "deep"], ["doc1", "y", "z"]], 'loadRange(["doc1"])')
    same(r.doc1x, [["doc1", "x"], ["doc1", "x", "deep"]], 'loadRange(["doc1","x"])')
    same(r.doc1y, [["doc1", "y", "z"]], 'loadRange(["doc1","y"])')
    same(r.doc1yz, [["doc1", "y", "z"]], 'loadRange(["doc1","y","z"]) (a whole key)')
    same(r.emptyComponent, [["", "doc1"]], 'loadRange([""])')
    same(r.none, [], 'loadRange(["nothing"])')
    check(JSON.stringify(r.all) === JSON.stringify(r.keys), "loadRange([]) is not every key", r)
    same(
      r.afterRemoveDoc1,
      [["doc10", "x"], ["doc1x"], ["doc", "1"], ["doc2", "x"], ["do"], ["", "doc1"]],
      'what removeRange(["doc1"]) left',
    )
    same(
      r.afterRemoveDoc1x,
      [["doc10", "x"], ["doc", "1"], ["doc2", "x"], ["do"], ["", "doc1"]],
      'what removeRange(["doc1x"]) left',
    )
    same(r.afterRemoveAll, [], "what removeRange([]) left")
    check(r.rawChunks === 0, "removeRange([]) left raw records in the chunks store", r)
    check(r.rawVault === 1, "removeRange([]) touched the vault record", r)
  })

  await named("nothing readable reaches IndexedDB", async () => {
    const r = await page.evaluate(
      async ({ DB, DOC_ID, NAME }) => {
        const t = window.storageTest
        const a = t.state.adapter
        const enc = new TextEncoder()
        await a.save([DOC_ID, "snapshot", "3f2a"], enc.encode(`{"name":"${NAME}","born":"1990-02-03"}`))
        await a.save([DOC_ID, "incremental", "77c1"], enc.encode(NAME))
        await a.save([NAME], enc.encode(DOC_ID))
        const secrets = [DOC_ID, NAME, "snapshot", "incremental", "1990-02-03"]
        const leak = await t.raw.findPlaintext(DB, secrets)
        const { stores } = await t.raw.dump(DB)
        const macShaped = stores.chunks.every(
          ({ key }) => Array.isArray(key) && key.every(part => /^[A-Za-z0-9_-]{43}$/.test(part)),
        )
        // The same scan over a database holding the plaintext must find it, or a clean result
        // above would mean nothing.
        const control = "fieldclinic-plaintext-control"
        const req = indexedDB.open(control, 1)
        req.onupgradeneeded = () => req.result.createObjectStore("s")
        const db = await t.raw.request(req)
        const tx = db.transaction("s", "readwrite")
        tx.objectStore("s").put({ data: enc.encode(`x${NAME}y`) }, [DOC_ID, "snapshot"])
        await new Promise((resolve, reject) => {
          tx.oncomplete = resolve
          tx.onabort = () => reject(tx.error)
        })
        db.close()
        const positive = await t.raw.findPlaintext(control, secrets)
        await t.raw.request(indexedDB.deleteDatabase(control))
        const back = new TextDecoder().decode(await a.load([DOC_ID, "snapshot", "3f2a"]))
        await a.removeRange([])
        return { leak, macShaped, positive, back, records: stores.chunks.length }
      },
      { DB, DOC_ID, NAME },
    )
    check(r.positive.hits.length >= 3, "the plaintext scan does not find plaintext planted in a control database", r)
    check(r.records === 3, "expected exactly the 3 saved records in the chunks store", r)
    check(r.leak.hits.length === 0, "plaintext found in IndexedDB", r.leak.hits)
    check(r.macShaped, "stored keys are not arrays of 43-character base64url MACs", r)
    check(r.back.includes(NAME), "the record did not load back", r)
  })

  await named("every save encrypts afresh, and records are bound to their keys", async () => {
    const r = await page.evaluate(
      async ({ DB }) => {
        const t = window.storageTest
        const a = t.state.adapter
        const only = async () => {
          const { stores } = await t.raw.dump(DB)
          if (stores.chunks.length !== 1) throw new Error(`expected one chunk, found ${stores.chunks.length}`)
          return stores.chunks[0]
        }
        const value = new TextEncoder().encode("same value, twice")
        await a.save(["a"], value)
        const first = await only()
        await a.save(["a"], value)
        const second = await only()
        await a.remove(["a"])
        await a.save(["b"], value)
        const other = await only()

        // Put a's (valid) record under b's key, as someone editing the disk would.
        const db = await t.raw.openRaw(DB)
        const put = (value, key) =>
          new Promise((resolve, reject) => {
            const tx = db.transaction("chunks", "readwrite")
            tx.objectStore("chunks").put(value, key)
            tx.oncomplete = resolve
            tx.onabort = () => reject(tx.error)
          })
        await put(second.value, other.key)
        const swapped = await t.settle(a.load(["b"]))
        const ranged = await t.settle(a.loadRange([]))
        const flipped = { ...other.value, ct: other.value.ct.slice() }
        flipped.ct[5] ^= 1
        await put(flipped, other.key)
        const tampered = await t.settle(a.load(["b"]))
        await put(other.value, other.key)
        const restored = await a.load(["b"])
        db.close()
        await a.removeRange([])
        return {
          sameKey: t.hex(first.key.join()) === t.hex(second.key.join()),
          ivs: [t.hex(first.value.iv), t.hex(second.value.iv), t.hex(other.value.iv)],
          cts: [t.hex(first.value.ct), t.hex(second.value.ct), t.hex(other.value.ct)],
          swapped: { status: swapped.status, message: swapped.message },
          ranged: { status: ranged.status, message: ranged.message },
          tampered: { status: tampered.status, message: tampered.message },
          restored: new TextDecoder().decode(restored),
        }
      },
      { DB },
    )
    check(new Set(r.ivs).size === 3, "two writes used the same IV", r.ivs)
    check(new Set(r.cts).size === 3, "two saves of the same value produced the same ciphertext", r.cts)
    check(
      r.swapped.status === "rejected" && /did not decrypt/.test(r.swapped.message),
      "a record moved to another key loaded",
      r,
    )
    check(r.ranged.status === "rejected", "loadRange accepted a record moved to another key", r)
    check(
      r.tampered.status === "rejected" && /did not decrypt/.test(r.tampered.message),
      "an altered ciphertext loaded",
      r,
    )
    check(r.restored === "same value, twice", "the untouched record did not load back", r)
  })

  await named("saving a record to read after the reload", () =>
    page.evaluate(() => window.storageTest.state.adapter.save(["reload", "check"], Uint8Array.of(1, 2, 3, 250))),
  )

  const unlocked = await named("unlocking after a page reload: wrong PIN, right PIN", async () => {
    await page.reload()
    await ready(page)
    const r = await page.evaluate(
      async ({ DB, PIN }) => {
        const t = window.storageTest
        const hadState = Object.keys(t.state).length > 0
        const wrong = await t.settle(t.unlockVault(DB, "4815-1624"), 20_000)
        const started = performance.now()
        const vault = await t.unlockVault(DB, PIN)
        const unlockMs = performance.now() - started
        t.state.vault = vault
        t.state.adapter = new t.EncryptedIndexedDBStorageAdapter(DB, vault)
        const back = await t.state.adapter.load(["reload", "check"])
        return {
          hadState,
          wrong: { status: wrong.status, name: wrong.name },
          wrongInstance: await t.unlockVault(DB, "not the pin").then(
            () => false,
            err => err instanceof t.WrongPinError,
          ),
          back: back && Array.from(back),
          unlockMs,
        }
      },
      { DB, PIN },
    )
    check(!r.hadState, "the page kept its state across the reload (not a new page load)", r)
    check(
      r.wrong.status === "rejected" && r.wrong.name === "WrongPinError",
      "a wrong PIN did not throw WrongPinError",
      r,
    )
    check(r.wrongInstance, "a wrong PIN's error is not an instance of WrongPinError", r)
    check(JSON.stringify(r.back) === "[1,2,3,250]", "the record saved before the reload did not load back", r)
    return r
  })

  await named("changing the PIN re-wraps the same data key", async () => {
    const r = await page.evaluate(
      async ({ DB, PIN, NEW_PIN }) => {
        const t = window.storageTest
        const record = async () => (await t.raw.dump(DB)).stores.vault[0].value
        const before = await record()
        const wrongOld = await t.settle(t.changePin(DB, "4815-0000", NEW_PIN), 20_000)
        const shortNew = await t.settle(t.changePin(DB, PIN, "abc"), 20_000)
        const unchanged = await record()
        await t.changePin(DB, PIN, NEW_PIN)
        const after = await record()
        const oldPin = await t.settle(t.unlockVault(DB, PIN), 20_000)
        // The same passphrase, decomposed (a + combining diaeresis), as another keyboard types it.
        const vault = await t.unlockVault(DB, NEW_PIN.normalize("NFD"))
        const adapter = new t.EncryptedIndexedDBStorageAdapter(DB, vault)
        const back = await adapter.load(["reload", "check"])
        adapter.close()
        return {
          wrongOld: wrongOld.name,
          shortNew: { status: shortNew.status, message: shortNew.message },
          unchanged: t.hex(unchanged.wrapped) === t.hex(before.wrapped),
          saltChanged: t.hex(after.salt) !== t.hex(before.salt),
          wrappedChanged: t.hex(after.wrapped) !== t.hex(before.wrapped),
          iterations: after.iterations,
          oldPin: oldPin.name,
          back: back && Array.from(back),
          decomposedDiffers: NEW_PIN.normalize("NFD") !== NEW_PIN,
        }
      },
      { DB, PIN, NEW_PIN },
    )
    check(r.wrongOld === "WrongPinError", "changePin with a wrong old PIN did not throw WrongPinError", r)
    check(
      r.shortNew.status === "rejected" && /at least 6/.test(r.shortNew.message),
      "changePin accepted a short PIN",
      r,
    )
    check(r.unchanged, "a refused changePin altered the vault record", r)
    check(r.saltChanged && r.wrappedChanged, "changePin did not re-wrap with a fresh salt", r)
    check(r.iterations >= 600_000, "changePin stored fewer than 600000 iterations", r)
    check(r.oldPin === "WrongPinError", "the old PIN still unlocks after changePin", r)
    check(r.decomposedDiffers, "the new PIN has no decomposable character, so normalisation was not tested", r)
    check(JSON.stringify(r.back) === "[1,2,3,250]", "data did not load with the new PIN (a new data key?)", r)
  })

  await named("a connection closed behind the adapter's back is reopened", async () => {
    const r = await page.evaluate(
      async ({ DB }) => {
        const t = window.storageTest
        const a = t.state.adapter
        const open = () => t.connections.filter(db => db.name === DB)
        const result = {}
        const brief = async promise => {
          const s = await t.settle(promise)
          return { status: s.status, message: s.message, value: s.value && Array.from(s.value) }
        }
        await a.save(["robust", "1"], Uint8Array.of(1))

        // As if the browser closed it; close() fires no event, so the adapter cannot know.
        for (const db of open()) db.close()
        const seen = t.connections.length
        result.afterClose = await brief(a.load(["robust", "1"]))
        result.reopened = t.connections.length > seen
        result.saveAfterClose = await brief(a.save(["robust", "2"], Uint8Array.of(2)))

        // As the browser does on a storage failure: closed, with a close event.
        for (const db of open()) {
          db.close()
          db.dispatchEvent(new Event("close"))
        }
        result.afterCloseEvent = await brief(a.load(["robust", "2"]))

        // Another tab upgrading the database: the adapter must let go, or the upgrade waits
        // forever, and then work at the new version. (Chromium fires "blocked" even at a
        // connection that closes in its versionchange handler, so only the outcome counts.)
        const { version } = await t.raw.dump(DB)
        let blocked = false
        const upgrade = indexedDB.open(DB, version + 1)
        upgrade.onblocked = () => {
          blocked = true
        }
        const upgraded = await t.settle(t.raw.request(upgrade), 5_000)
        result.upgrade = { status: upgraded.status, blocked }
        // Anything else would queue behind the stuck upgrade and hang the test with it.
        if (upgraded.status !== "resolved") return result
        upgraded.value.close()
        result.afterUpgrade = await brief(a.load(["robust", "1"]))
        result.saveAfterUpgrade = await brief(a.save(["robust", "3"], Uint8Array.of(3)))
        result.version = (await t.raw.dump(DB)).version
        result.before = version
        result.range = (await a.loadRange(["robust"])).map(c => c.data[0]).sort()
        await a.removeRange(["robust"])
        return result
      },
      { DB },
    )
    check(r.afterClose.status === "resolved" && r.afterClose.value?.[0] === 1, "load after close() failed", r)
    check(r.reopened, "the adapter did not open a new connection after close()", r)
    check(r.saveAfterClose.status === "resolved", "save after close() failed", r)
    check(
      r.afterCloseEvent.status === "resolved" && r.afterCloseEvent.value?.[0] === 2,
      "load after a close event failed",
      r,
    )
    check(r.upgrade.status === "resolved", "the adapter's connection kept another tab's upgrade waiting", r)
    check(r.version === r.before + 1, "the upgrade did not happen", r)
    check(
      r.afterUpgrade.status === "resolved" && r.afterUpgrade.value?.[0] === 1,
      "load after another tab's upgrade failed",
      r,
    )
    check(r.saveAfterUpgrade.status === "resolved", "save after another tab's upgrade failed", r)
    check(JSON.stringify(r.range) === "[1,2,3]", "records lost across reconnections", r)
  })

  await named("aborted transactions reject instead of hanging", async () => {
    const r = await page.evaluate(async () => {
      const t = window.storageTest
      const a = t.state.adapter
      await a.save(["abort", "k"], Uint8Array.of(7))
      const cases = [
        ["put", () => a.save(["abort", "k"], Uint8Array.of(8))],
        ["get", () => a.load(["abort", "k"])],
        ["getAll", () => a.loadRange(["abort"])],
        ["delete", () => a.remove(["abort", "k"])],
        ["delete", () => a.removeRange(["abort"])],
      ]
      const out = []
      for (const [method, call] of cases) {
        const undo = t.abortNext(method)
        let settled
        try {
          settled = await t.settle(call(), 5_000)
        } finally {
          settled = { ...settled, used: undo() }
        }
        out.push({ method, status: settled.status, message: settled.message, used: settled.used })
      }
      const after = await a.load(["abort", "k"])
      await a.removeRange(["abort"])
      return { cases: out, after: after && Array.from(after) }
    })
    for (const c of r.cases) {
      check(c.used, `the ${c.method} was never made, so the abort was not tested`, c)
      check(c.status !== "hung", `a call whose ${c.method} transaction aborted hung`, c)
      check(
        c.status === "rejected" && /abort/i.test(c.message),
        `a call whose ${c.method} transaction aborted did not reject`,
        c,
      )
    }
    check(JSON.stringify(r.after) === "[7]", "an aborted save or remove changed the stored value", r)
  })

  await named("a save over the storage quota rejects", async () => {
    // A page of its own: Chromium applies a quota override to storage opened after it, not to
    // a database the origin already has open.
    const quotaPage = await newPage(browser)
    const cdp = await quotaPage.context().newCDPSession(quotaPage)
    await cdp.send("Storage.overrideQuotaForOrigin", { origin: base, quotaSize: 2_000_000 })
    let r
    try {
      await quotaPage.goto(`${base}/`)
      await ready(quotaPage)
      r = await quotaPage.evaluate(async () => {
        const t = window.storageTest
        const name = "fieldclinic-storage-test-quota"
        const a = new t.EncryptedIndexedDBStorageAdapter(name, await t.createVault(name, "123456"))
        const small = await t.settle(a.save(["small"], new Uint8Array(10_000)), 15_000)
        const big = new Uint8Array(4_000_000)
        for (let i = 0; i < big.length; i += 65_536) crypto.getRandomValues(big.subarray(i, i + 65_536))
        const over = await t.settle(a.save(["big"], big), 15_000)
        const loaded = await t.settle(a.load(["big"]), 15_000)
        a.close()
        return {
          small: small.status,
          over: { status: over.status, message: over.message },
          loaded: { status: loaded.status, value: loaded.value === undefined ? "undefined" : "bytes" },
        }
      })
    } finally {
      await cdp.send("Storage.overrideQuotaForOrigin", { origin: base })
    }
    check(r.small === "resolved", "a small save under the quota failed", r)
    check(r.over.status !== "hung", "a save over the quota hung", r)
    check(
      r.over.status === "rejected" && /quota/i.test(r.over.message),
      "a save over the quota did not reject with a quota error",
      r,
    )
    check(r.loaded.status === "resolved" && r.loaded.value === "undefined", "the save over the quota left a record", r)
    assertNoPageProblems(quotaPage)
    await quotaPage.close()
  })

  await named("a locked vault and a closed adapter refuse to work", async () => {
    const r = await page.evaluate(
      async ({ DB, NEW_PIN }) => {
        const t = window.storageTest
        const vault = await t.unlockVault(DB, NEW_PIN)
        const a = new t.EncryptedIndexedDBStorageAdapter(DB, vault)
        const before = await a.load(["reload", "check"])
        vault.lock()
        const load = await t.settle(a.load(["reload", "check"]))
        const save = await t.settle(a.save(["x"], Uint8Array.of(1)))
        let construct = "accepted"
        try {
          new t.EncryptedIndexedDBStorageAdapter(DB, vault)
        } catch (err) {
          construct = err.name
        }
        const sealed = await t.settle(t.sealJson(vault, { a: 1 }))
        const other = t.state.adapter
        other.close()
        const closed = await t.settle(other.load(["reload", "check"]))
        return {
          before: before && Array.from(before),
          locked: vault.locked,
          load: load.name,
          save: save.name,
          construct,
          sealed: sealed.name,
          closed: { status: closed.status, message: closed.message },
        }
      },
      { DB, NEW_PIN },
    )
    check(JSON.stringify(r.before) === "[1,2,3,250]", "the freshly unlocked vault did not read", r)
    check(
      r.locked && r.load === "VaultLockedError" && r.save === "VaultLockedError",
      "a locked vault still reads or writes",
      r,
    )
    check(r.construct === "TypeError", "an adapter was built on a locked vault", r)
    check(r.sealed === "VaultLockedError", "a locked vault still seals", r)
    check(r.closed.status === "rejected" && /closed/.test(r.closed.message), "a closed adapter still loads", r)
  })

  await named("sealJson and openJson", async () => {
    const r = await page.evaluate(
      async ({ DB, NEW_PIN, NAME }) => {
        const t = window.storageTest
        const vault = await t.unlockVault(DB, NEW_PIN)
        const value = { name: NAME, tags: ["x", 1, null], nested: { ok: true } }
        const a = await t.sealJson(vault, value, "enrollment")
        const b = await t.sealJson(vault, value, "enrollment")
        const opened = await t.openJson(vault, a, "enrollment")
        const wrongContext = await t.settle(t.openJson(vault, a, "intake"))
        const flipped = { ...a, ct: (a.ct[0] === "A" ? "B" : "A") + a.ct.slice(1) }
        const tampered = await t.settle(t.openJson(vault, flipped, "enrollment"))
        const undef = await t.settle(t.sealJson(vault, undefined))
        vault.lock()
        return {
          json: JSON.stringify(a),
          different: a.ct !== b.ct && a.iv !== b.iv,
          same: JSON.stringify(opened) === JSON.stringify(value),
          wrongContext: wrongContext.status,
          tampered: tampered.status,
          undef: undef.name,
        }
      },
      { DB, NEW_PIN, NAME },
    )
    check(!r.json.includes(NAME), "a sealed record shows its plaintext", r)
    check(r.different, "two seals of the same value are identical", r)
    check(r.same, "openJson did not give back the sealed value", r)
    check(
      r.wrongContext === "rejected" && r.tampered === "rejected",
      "a sealed record opened in another context or altered",
      r,
    )
    check(r.undef === "TypeError", "sealJson accepted undefined", r)
  })

  const doc = await named("a real automerge-repo document is saved encrypted", async () => {
    const r = await page.evaluate(
      async ({ DB, NEW_PIN, NAME }) => {
        const t = window.storageTest
        await t.initializeWasm(fetch("/automerge.wasm"))
        const vault = await t.unlockVault(DB, NEW_PIN)
        const storage = new t.EncryptedIndexedDBStorageAdapter(DB, vault)
        const repo = new t.Repo({ storage, network: [] })
        const handle = repo.create({ intake: { name: NAME } })
        handle.change(d => {
          d.intake.born = "1990-02-03"
          d.intake.matters = ["expungement", "asylum"]
        })
        await repo.flush()
        const chunks = await storage.loadRange([handle.documentId])
        const leak = await t.raw.findPlaintext(DB, [handle.documentId, NAME, "1990-02-03", "expungement"])
        await repo.shutdown()
        storage.close()
        vault.lock()
        return { url: handle.url, documentId: handle.documentId, chunks: chunks.length, leak }
      },
      { DB, NEW_PIN, NAME },
    )
    check(r.chunks > 0, "the repo saved nothing under the document's ID", r)
    check(r.leak.hits.length === 0, "plaintext of the automerge document found in IndexedDB", r.leak.hits)
    return r
  })

  await named("the document loads back after a reload", async () => {
    await page.reload()
    await ready(page)
    const r = await page.evaluate(
      async ({ DB, NEW_PIN, url }) => {
        const t = window.storageTest
        await t.initializeWasm(fetch("/automerge.wasm"))
        const vault = await t.unlockVault(DB, NEW_PIN)
        const storage = new t.EncryptedIndexedDBStorageAdapter(DB, vault)
        const repo = new t.Repo({ storage, network: [] })
        const found = await t.settle(repo.find(url), 10_000)
        const doc = found.status === "resolved" ? found.value.doc() : undefined
        await repo.shutdown()
        t.state.adapter = storage
        return { found: { status: found.status, message: found.message }, doc: doc && JSON.parse(JSON.stringify(doc)) }
      },
      { DB, NEW_PIN, url: doc.url },
    )
    check(r.found.status === "resolved", "repo.find did not find the document in encrypted storage", r)
    check(
      r.doc?.intake?.name === NAME &&
        r.doc.intake.born === "1990-02-03" &&
        r.doc.intake.matters?.join() === "expungement,asylum",
      "the document read back is not the one saved",
      r,
    )
  })

  await named("wipe deletes the database", async () => {
    const r = await page.evaluate(
      async ({ DB, NEW_PIN }) => {
        const t = window.storageTest
        // The adapter holds a live connection: wipe has to close it, not wait for it.
        await t.state.adapter.load(["reload", "check"])
        const wiped = await t.settle(t.wipe(DB), 10_000)
        const exists = await t.vaultExists(DB)
        const listed = (await indexedDB.databases()).some(d => d.name === DB)
        const unlock = await t.settle(t.unlockVault(DB, NEW_PIN))

        // A connection that never lets go (a frozen tab): wipe must say so, not hang.
        const other = "fieldclinic-storage-test-blocked"
        ;(await t.createVault(other, "123456")).lock()
        const stubborn = await t.raw.request(indexedDB.open(other))
        const blocked = await t.settle(t.wipe(other, { blockedTimeoutMs: 300 }), 5_000)
        stubborn.close()
        let gone = false
        for (let i = 0; i < 50 && !gone; i++) {
          gone = !(await indexedDB.databases()).some(d => d.name === other)
          if (!gone) await new Promise(resolve => setTimeout(resolve, 100))
        }
        return {
          wiped: { status: wiped.status, message: wiped.message },
          exists,
          listed,
          unlock: unlock.name,
          blocked: { status: blocked.status, message: blocked.message },
          gone,
          existsOther: await t.vaultExists(other),
        }
      },
      { DB, NEW_PIN },
    )
    check(r.wiped.status === "resolved", "wipe did not resolve", r)
    check(!r.exists && !r.listed, "the database survived wipe", r)
    check(r.unlock === "NoVaultError", "unlocking after wipe did not throw NoVaultError", r)
    check(
      r.blocked.status === "rejected" && /blocked/.test(r.blocked.message),
      "a blocked wipe did not reject saying so",
      r,
    )
    check(r.gone && !r.existsOther, "the blocked database was not deleted once the connection closed", r)
  })

  await named("checking the page for errors", async () => assertNoPageProblems(page))

  await browser.close()
  server.close()
  return {
    steps: done,
    iterations: created.record.iterations,
    unlockMs: Math.round(unlocked.unlockMs),
    documentUrl: doc.url,
  }
})
