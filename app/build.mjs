// Builds the intake app into app/dist, which the fieldclinic binary embeds and serves at /app/.
//
//   node app/build.mjs            build
//   node app/build.mjs --check    build into a temporary folder and fail if it differs from dist
//
// The output is deterministic (same sources and lockfile, same bytes), so CI rebuilds from source
// and compares with what is committed: the app a clinic runs is the app in the repository.
// Hashed names under assets/ let the server mark them immutable; the service worker's version is
// the hash of everything it precaches, so any change to the app is an update devices are offered.

import { createHash } from "node:crypto"
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import * as esbuild from "esbuild"
import { vocabularies } from "./src/vocabulary.js"

const here = dirname(fileURLToPath(import.meta.url))
const src = join(here, "src")
const check = process.argv.includes("--check")
const out = check ? mkdtempSync(join(tmpdir(), "fieldclinic-app-")) : join(here, "dist")
const BASE = "/app/"

const hash = bytes => createHash("sha256").update(bytes).digest("hex").slice(0, 12)

function checkLabels() {
  // Every word the schema allows must have words for people; an enum value on a page is a bug.
  const schema = JSON.parse(readFileSync(join(src, "intake-schema.json"), "utf8"))
  return import(join(src, "labels.js")).then(({ CHOICES }) => {
    const missing = []
    for (const [field, words] of Object.entries(vocabularies(schema))) {
      for (const word of words) if (!CHOICES[field]?.[word]) missing.push(`${field}: ${word}`)
    }
    if (missing.length) throw new Error(`labels.js has no plain-language label for:\n  ${missing.join("\n  ")}`)
  })
}

async function build() {
  rmSync(out, { recursive: true, force: true })
  mkdirSync(join(out, "assets"), { recursive: true })
  await checkLabels()

  const wasm = readFileSync(join(here, "node_modules/@automerge/automerge/dist/automerge.wasm"))
  const wasmName = `assets/automerge-${hash(wasm)}.wasm`
  writeFileSync(join(out, wasmName), wasm)

  const result = await esbuild.build({
    entryPoints: { app: join(src, "main.js"), style: join(src, "app.css") },
    // Output names hash paths relative to the working directory: pinned, the build is the same
    // whether it runs from app/ or from the repository root.
    absWorkingDir: here,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    entryNames: "assets/[name]-[hash]",
    outdir: out,
    metafile: true,
    define: { __WASM_URL__: JSON.stringify(BASE + wasmName) },
    logLevel: "warning",
  })
  // The full entry points inline automerge's wasm as base64 (2 MB more per load) and evaluate it
  // in a way the app's CSP forbids; only the /slim ones may be in the bundle.
  const inputs = Object.keys(result.metafile.inputs)
  const fat = inputs.filter(p => /fullfat|_base64/.test(p))
  if (fat.length) throw new Error(`the bundle pulls in a full automerge entry point:\n  ${fat.join("\n  ")}`)
  // Metafile paths are relative to absWorkingDir.
  const outputs = Object.keys(result.metafile.outputs).map(p => relative(out, resolve(here, p)))
  const js = outputs.find(p => /^assets\/app-.*\.js$/.test(p))
  const css = outputs.find(p => /^assets\/style-.*\.css$/.test(p))
  // esbuild emits an empty JS stub for a CSS entry point.
  for (const p of outputs) if (/^assets\/style-.*\.js$/.test(p)) rmSync(join(out, p))

  const html = readFileSync(join(src, "index.html"), "utf8")
    .replaceAll("{{JS}}", BASE + js)
    .replaceAll("{{CSS}}", BASE + css)
  writeFileSync(join(out, "index.html"), html)
  cpSync(join(src, "manifest.webmanifest"), join(out, "manifest.webmanifest"))
  cpSync(join(src, "icons"), join(out, "icons"), { recursive: true })

  const precache = files(out).map(p => (p === "index.html" ? BASE : BASE + p))
  const version = hash(files(out).map(p => `${p}\n${hash(readFileSync(join(out, p)))}`).join("\n"))
  await esbuild.build({
    entryPoints: [join(src, "sw.js")],
    absWorkingDir: here,
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    outfile: join(out, "sw.js"),
    define: { __PRECACHE__: JSON.stringify(precache), __VERSION__: JSON.stringify(version) },
    logLevel: "warning",
  })
  return version
}

function files(dir, base = dir) {
  return readdirSync(dir)
    .flatMap(name => {
      const path = join(dir, name)
      return statSync(path).isDirectory() ? files(path, base) : [relative(base, path)]
    })
    .sort()
}

const version = await build()
if (check) {
  const committed = join(here, "dist")
  const want = files(out)
  const have = (() => {
    try {
      return files(committed)
    } catch {
      return []
    }
  })()
  const differ = [...new Set([...want, ...have])].filter(p => {
    try {
      return !readFileSync(join(out, p)).equals(readFileSync(join(committed, p)))
    } catch {
      return true
    }
  })
  rmSync(out, { recursive: true, force: true })
  if (differ.length) {
    console.error(`app/dist is not what app/src builds (run node app/build.mjs and commit):\n  ${differ.join("\n  ")}`)
    process.exit(1)
  }
  console.log(`app/dist matches its sources (version ${version})`)
} else {
  console.log(`built app/dist (version ${version})`)
}
