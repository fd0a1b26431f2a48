// A run whose model is a Hugging Face id not in the cache reports the download as run events:
// the model files come from a fake hub (packages/hub/test) serving stories260k.
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { backendLayer, Events, type RunEvent } from "@peftlab/core"
import { pubmedqaFile, stories260kDir } from "@peftlab/quickstart-assets"
import { type FakeHub, startFakeHub } from "../../hub/test/fake-hub.ts"
import { runExperiment, specRegistryLayer } from "../src/index.ts"
import { decodeSmall, edit, smallSpec } from "./fixtures.ts"

type DownloadEvent = Extract<RunEvent, { type: "download" }>

const modelId = "peftlab/stories260k"
const commit = "0123456789abcdef0123456789abcdef01234567"

describe("download events of a run", () => {
  const source = stories260kDir
  const outDir = mkdtempSync(join(tmpdir(), "peftlab-download-run-"))
  let hub: FakeHub

  beforeAll(async () => {
    const files = Object.fromEntries(readdirSync(source).map((file) => [file, readFileSync(join(source, file))]))
    hub = await startFakeHub([{ id: modelId, commits: { [commit]: files }, refs: { main: commit } }])
    vi.stubEnv("HF_HOME", mkdtempSync(join(tmpdir(), "peftlab-hf-home-")))
    vi.stubEnv("HF_ENDPOINT", hub.endpoint)
    for (const name of ["HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HUB_OFFLINE", "HF_TOKEN"]) vi.stubEnv(name, undefined)
  })
  afterAll(async () => {
    vi.unstubAllEnvs()
    await hub?.close()
  })

  const run = async (): Promise<Array<RunEvent>> => {
    const events: Array<RunEvent> = []
    const collect = Layer.succeed(Events, { emit: (event) => Effect.sync(() => void events.push(event)) })
    let text = edit(smallSpec, "path: data.json", `path: ${pubmedqaFile}\n  limit: { train: 4, val: 4, test: 4 }`)
    text = edit(edit(text, "path: model", `path: ${modelId}`), "max_length: 64", "max_length: 160")
    const spec = await decodeSmall(text)
    await Effect.runPromise(runExperiment(spec, { outDir }).pipe(Effect.provide(Layer.mergeAll(backendLayer(wasm), collect, specRegistryLayer(spec)))))
    return events
  }

  it("reports each model file from its first byte to its last, in order, before the run goes on", async () => {
    // The weights' first response breaks off after 400000 bytes; the download resumes from there.
    hub.faults.cut = { file: "model.safetensors", bytes: 400_000, times: 1, how: "close" }
    const events = await run()
    const downloads = events.filter((event): event is DownloadEvent => event.type === "download")
    const snapshot = JSON.parse(readFileSync(join(outDir, "manifest.json"), "utf8")).model.path as string
    // Every file the snapshot holds was downloaded, and reported.
    expect([...new Set(downloads.map((event) => event.file))].sort()).toEqual(readdirSync(snapshot).sort())
    for (const file of readdirSync(snapshot)) {
      const reports = downloads.filter((event) => event.file === file)
      const size = statSync(join(source, file)).size
      expect(reports[0], file).toMatchObject({ bytes: 0, total: size, done: false })
      expect(reports.at(-1), file).toEqual({ type: "download", file, bytes: size, total: size, done: true })
      expect(reports.slice(0, -1).every((event) => !event.done), file).toBe(true)
      expect(reports.every((event, i) => i === 0 || event.bytes >= reports[i - 1]!.bytes), file).toBe(true)
    }
    // The resumed request reports where it starts.
    expect(downloads).toContainEqual({ type: "download", file: "model.safetensors", bytes: 400_000, total: statSync(join(source, "model.safetensors")).size, done: false })
    // All between run-start and the line naming the resolved folder: emitted as they happened.
    const first = events.findIndex((event) => event.type === "download")
    const last = events.findLastIndex((event) => event.type === "download")
    expect(events.slice(0, first).map((event) => event.type)).toEqual(["run-start"])
    expect(events[last + 1]).toEqual({ type: "log", level: "info", message: `model ${modelId}: ${snapshot}` })
  })

  it("reports no download once the model is in the cache", async () => {
    const events = await run()
    expect(events.some((event) => event.type === "download")).toBe(false)
    expect(events.at(-1)).toMatchObject({ type: "run-end", ok: true })
  })
})
