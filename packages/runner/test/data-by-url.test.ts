// A spec's data.path may be a URL: the run downloads it through the hub's cache (a .tar.gz is
// extracted into a folder), reports the download as run events, loads the local copy and
// records both in the manifest. A local .tar.gz is extracted into the same cache; the data's
// limits (data.max_text_chars, data.max_archive_bytes) refuse it with exit 2 when exceeded. The data comes from the fake hub's CDN (packages/hub/test),
// serving PubMedQA's ori_pqal.json and a GitHub-like tarball of a few MedQuAD files.
import { createHash } from "node:crypto"
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { backendLayer, Events, type RunEvent } from "@peftlab/core"
import { pubmedqaFile, stories260kDir } from "@peftlab/quickstart-assets"
import { type FakeHub, startFakeHub } from "../../hub/test/fake-hub.ts"
import { tarGz } from "../../hub/test/tar-writer.ts"
import { runExperiment, specRegistryLayer } from "../src/index.ts"
import { SpecDataMismatch } from "../src/spec-data-mismatch.ts"
import { decodeSmall, edit, qaSpecText, shared, smallSpec } from "./fixtures.ts"

type DownloadEvent = Extract<RunEvent, { type: "download" }>

const medquadFiles = ["5_NIDDK_QA/0000001.xml", "5_NIDDK_QA/0000002.xml"]

/** qaSpecText on stories260k with tiny limits, reading MedQuAD from `dataPath`. */
const medquadSpec = (dataPath: string) =>
  [
    ["path: data.json", `path: ${dataPath}\n  limit: { train: 2, val: 2, test: 2 }`],
    ["stratify: true", "stratify: false"],
    ["path: model", `path: ${stories260kDir}`],
    ['template: "Answer: {question}"', 'template: "Answer: {question}"\n  max_answer_tokens: 64'],
    ["max_length: 64", "max_length: 160"],
    ["[rougeL, bleu]", "[rougeL]"],
  ].reduce((text, [from, to]) => edit(text, from!, to!), qaSpecText)

/** smallSpec (classification, label scoring) on stories260k, reading PubMedQA from `dataPath`. */
const pubmedqaSpec = (dataPath: string) =>
  edit(
    edit(edit(smallSpec, "path: data.json", `path: ${dataPath}\n  limit: { train: 4, val: 4, test: 4 }`), "path: model", `path: ${stories260kDir}`),
    "max_length: 64",
    "max_length: 160",
  )

describe.skipIf(!shared)("data.path as a URL", () => {
  let hub: FakeHub
  let hfHome: string

  beforeAll(async () => {
    hub = await startFakeHub([])
    hfHome = mkdtempSync(join(tmpdir(), "peftlab-hf-home-"))
    vi.stubEnv("HF_HOME", hfHome)
    for (const name of ["HF_DATASETS_CACHE", "HF_HUB_OFFLINE"]) vi.stubEnv(name, undefined)
  })
  afterAll(async () => {
    vi.unstubAllEnvs()
    await hub?.close()
  })

  /** Runs the spec text into `outDir`; its events and manifest. */
  const run = async (text: string, outDir: string) => {
    const events: Array<RunEvent> = []
    const collect = Layer.succeed(Events, { emit: (event) => Effect.sync(() => void events.push(event)) })
    const loaded = await decodeSmall(text)
    await Effect.runPromise(runExperiment(loaded, { outDir }).pipe(Effect.provide(Layer.mergeAll(backendLayer(wasm), collect, specRegistryLayer(loaded)))))
    return { events, manifest: JSON.parse(readFileSync(join(outDir, "manifest.json"), "utf8")) }
  }

  const downloadFolder = (url: string) => join(hfHome, "datasets", "downloads", createHash("sha256").update(url).digest("hex"))

  /** The download of `file` reported from byte 0 to `size`, then the line naming the local path. */
  const expectDownloadReported = (events: ReadonlyArray<RunEvent>, file: string, size: number, url: string, local: string) => {
    const downloads = events.filter((event): event is DownloadEvent => event.type === "download")
    expect(downloads[0]).toMatchObject({ file, bytes: 0, total: size, done: false })
    expect(downloads.at(-1)).toEqual({ type: "download", file, bytes: size, total: size, done: true })
    const last = events.findLastIndex((event) => event.type === "download")
    expect(events[last + 1]).toEqual({ type: "log", level: "info", message: `data ${url}: ${local}` })
  }

  it("classifies PubMedQA's ori_pqal.json from a URL, recording the local copy and the URL; the same file by path resumes it", async () => {
    const original = readFileSync(pubmedqaFile)
    hub.data.set("ori_pqal.json", original)
    const url = `${hub.cdn}/data/ori_pqal.json`
    const outDir = mkdtempSync(join(tmpdir(), "peftlab-data-url-"))
    const { events, manifest } = await run(pubmedqaSpec(url), outDir)
    const local = join(downloadFolder(url), "ori_pqal.json")
    expect(readFileSync(local).equals(original)).toBe(true)
    expect(manifest.data).toMatchObject({ path: local, source: url, splits: { train: 4, val: 4, test: 4 } })
    expect(manifest.spec.data.path).toBe(url)
    expectDownloadReported(events, "ori_pqal.json", original.length, url, local)
    expect(events.at(-1)).toMatchObject({ type: "run-end", ok: true })
    // The same data read from its local path has the same content hash: the finished arm is reused.
    const again = await run(pubmedqaSpec(pubmedqaFile), outDir)
    expect(again.events).toContainEqual({ type: "arm-phase", arm: "base", phase: "done", detail: "resumed from the output folder" })
    expect(again.manifest.data.source).toBeUndefined()
    expect(again.manifest.data.hash).toBe(manifest.data.hash)
  })

  it("answers MedQuAD questions from a GitHub-like .tar.gz URL, extracted into a folder; a local copy of the tree resumes it", async () => {
    const medquad = join(process.env.PEFTLAB_DATA!, "medquad")
    const archive = tarGz([
      { type: "5", name: "MedQuAD-master/" },
      { type: "5", name: "MedQuAD-master/5_NIDDK_QA/" },
      ...medquadFiles.map((file) => ({ type: "0" as const, name: `MedQuAD-master/${file}`, content: readFileSync(join(medquad, file)) })),
    ])
    hub.data.set("master.tar.gz", archive)
    const url = `${hub.cdn}/data/master.tar.gz`
    const outDir = mkdtempSync(join(tmpdir(), "peftlab-data-url-"))
    const { events, manifest } = await run(medquadSpec(url), outDir)
    const local = join(downloadFolder(url), "extracted", "MedQuAD-master")
    expect(manifest.data).toMatchObject({ path: local, source: url, splits: { train: 2, val: 2, test: 2 } })
    expectDownloadReported(events, "master.tar.gz", archive.length, url, local)
    const predictions = readFileSync(join(outDir, "preds_base_test.csv"), "utf8").trim().split("\n").slice(1)
    expect(predictions).toHaveLength(2)
    for (const row of predictions) expect(row).toMatch(/^5_NIDDK_QA\/000000[12]#\d+,/)
    // The same two files laid out as MedQuAD's tree on disk give the same examples.
    const copy = mkdtempSync(join(tmpdir(), "peftlab-medquad-"))
    for (const file of medquadFiles) {
      mkdirSync(join(copy, "5_NIDDK_QA"), { recursive: true })
      writeFileSync(join(copy, file), readFileSync(join(medquad, file)))
    }
    const again = await run(medquadSpec(copy), outDir)
    expect(again.events).toContainEqual({ type: "arm-phase", arm: "base", phase: "done", detail: "resumed from the output folder" })
    expect(again.manifest.data.hash).toBe(manifest.data.hash)
  })

  it("answers MedQuAD questions from a local .tar.gz, extracted once into the cache, within the spec's limits", async () => {
    const medquad = join(process.env.PEFTLAB_DATA!, "medquad")
    const archive = join(mkdtempSync(join(tmpdir(), "peftlab-archive-")), "MedQuAD-master.tar.gz")
    writeFileSync(
      archive,
      tarGz(medquadFiles.map((file) => ({ type: "0" as const, name: `MedQuAD-master/${file}`, content: readFileSync(join(medquad, file)) }))),
    )
    const outDir = mkdtempSync(join(tmpdir(), "peftlab-data-archive-"))
    const { manifest } = await run(medquadSpec(archive), outDir)
    expect(manifest.data.source).toBe(archive)
    expect(manifest.data.path.startsWith(join(hfHome, "datasets", "downloads"))).toBe(true)
    expect(manifest.data.path.endsWith(join("extracted", "MedQuAD-master"))).toBe(true)
    expect(manifest.data.splits).toEqual({ train: 2, val: 2, test: 2 })

    // Each limit refuses the run with an input error naming the field, the limit and what passed it.
    const refused = async (path: string, limit: string) => {
      const spec = await decodeSmall(edit(medquadSpec(path), "limit: { train: 2", `${limit}\n  limit: { train: 2`))
      const collect = Layer.succeed(Events, { emit: () => Effect.void })
      const outDir = mkdtempSync(join(tmpdir(), "peftlab-data-archive-"))
      return Effect.runPromise(Effect.flip(runExperiment(spec, { outDir }).pipe(Effect.provide(Layer.mergeAll(backendLayer(wasm), collect, specRegistryLayer(spec))))))
    }
    const long = await refused(archive, "max_text_chars: 20")
    expect(long).toBeInstanceOf(SpecDataMismatch)
    expect(long.message).toMatch(/: example 5_NIDDK_QA\/000000[12]#\d+: its (question|answer) holds \d+ characters, past data\.max_text_chars \(20\); raise data\.max_text_chars/)
    // A limit below what an archive expands to (a copy: the first is extracted already).
    const copy = join(mkdtempSync(join(tmpdir(), "peftlab-archive-")), "MedQuAD-master.tgz")
    writeFileSync(copy, readFileSync(archive))
    const bomb = await refused(copy, "max_archive_bytes: 100")
    expect(bomb.message).toBe(`${copy}: the archive expands past data.max_archive_bytes (100 bytes) at "MedQuAD-master/${medquadFiles[0]}"; raise data.max_archive_bytes if you trust it`)
  })
})
