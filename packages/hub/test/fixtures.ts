// Hub-shaped repos for the tests, and a fresh HF_HOME per test.
import { createHash } from "node:crypto"
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { Events, type RunEvent } from "@peftlab/core"
import { Effect, Layer } from "effect"
import { afterAll, beforeAll, beforeEach } from "vitest"
import { type FakeHub, type RepoSpec, startFakeHub } from "./fake-hub.ts"

/** A 40-hex commit hash named after `label`. */
export const commitOf = (label: string): string => createHash("sha1").update(label).digest("hex")

/** `n` bytes that differ from any other call's, as a stand-in for weights. */
export const bytes = (n: number, seed: number): Buffer => {
  const out = Buffer.alloc(n)
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}

export const mainCommit = commitOf("tiny main")
export const v1Commit = commitOf("tiny v1")
export const weights = bytes(300_000, 1)

/** A model folder's files, plus ones peftlab has no use for. */
export const tinyFiles = (config: string): Record<string, string | Buffer> => ({
  "config.json": config,
  "model.safetensors": weights,
  "tokenizer.json": '{"model":{"type":"WordLevel"}}',
  "generation_config.json": '{"decoder_start_token_id":0}',
  "README.md": "# tiny\n",
  "pytorch_model.bin": bytes(1000, 2),
})

export const tiny: RepoSpec = {
  id: "org/tiny",
  commits: { [mainCommit]: tinyFiles('{"model_type":"t5","d_model":8}'), [v1Commit]: tinyFiles('{"model_type":"t5","d_model":4}') },
  refs: { main: mainCommit, "v1.0": v1Commit },
}

export const shardA = bytes(70_000, 3)
export const shardB = bytes(50_000, 4)
export const sharded: RepoSpec = {
  id: "org/sharded",
  commits: {
    [commitOf("sharded")]: {
      "config.json": '{"model_type":"llama"}',
      "model.safetensors.index.json": JSON.stringify({ metadata: {}, weight_map: { a: "model-00001-of-00002.safetensors", b: "model-00002-of-00002.safetensors", c: "model-00001-of-00002.safetensors" } }),
      "model-00001-of-00002.safetensors": shardA,
      "model-00002-of-00002.safetensors": shardB,
      "special_tokens_map.json": "",
    },
  },
  refs: { main: commitOf("sharded") },
}

export const gated: RepoSpec = { id: "org/gated", commits: { [commitOf("gated")]: tinyFiles('{"model_type":"llama"}') }, refs: { main: commitOf("gated") }, token: "hf_secret" }

export const binOnly: RepoSpec = {
  id: "legacy-model",
  commits: { [commitOf("legacy")]: { "config.json": "{}", "pytorch_model.bin": bytes(100, 5) } },
  refs: { main: commitOf("legacy") },
}

export const allRepos: ReadonlyArray<RepoSpec> = [tiny, sharded, gated, binOnly]

const made: Array<string> = []

/** A new empty folder, removed by `removeTempDirs`. */
export const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "peftlab-hub-"))
  made.push(dir)
  return dir
}

export const removeTempDirs = (): void => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/** Environment for one test: an empty HF_HOME and the fake hub as HF_ENDPOINT. */
export const freshEnv = (hub: FakeHub, extra: Record<string, string> = {}) => {
  const home = tempDir()
  return { HOME: home, HF_HOME: home, HF_ENDPOINT: hub.endpoint, ...extra }
}

/** Every entry under `dir`, as `path` for files and `path -> target` for links, sorted. */
export const tree = (dir: string): Array<string> => {
  const out: Array<string> = []
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name)
      if (entry.isDirectory()) walk(path)
      else out.push(entry.isSymbolicLink() ? `${relative(dir, path)} -> ${readlinkSync(path)}` : relative(dir, path))
    }
  }
  walk(dir)
  return out.sort()
}

export const read = (path: string): Buffer => readFileSync(path)
export const isFolder = (path: string): boolean => statSync(path).isDirectory()

/**
 * A fake hub serving `repos` for the whole test file, its request log and faults cleared before
 * each test, closed (and the temp folders removed) after the file; call the result for the hub.
 */
export const useFakeHub = (repos: ReadonlyArray<RepoSpec> = allRepos): (() => FakeHub) => {
  let hub: FakeHub | undefined
  beforeAll(async () => {
    hub = await startFakeHub(repos)
  })
  afterAll(async () => {
    await hub?.close()
    removeTempDirs()
  })
  beforeEach(() => {
    if (!hub) return
    hub.requests.length = 0
    hub.faults = {}
  })
  return () => {
    if (!hub) throw new Error("the fake hub starts in beforeAll")
    return hub
  }
}

export type DownloadEvent = Extract<RunEvent, { type: "download" }>

/** Runs `effect` with an Events that keeps the download events it is given (of `file` only, when named). */
export const withDownloadEvents = async <A, E>(effect: Effect.Effect<A, E>, file?: string): Promise<{ readonly value: A; readonly downloads: Array<DownloadEvent> }> => {
  const downloads: Array<DownloadEvent> = []
  const keep = (event: RunEvent) => event.type === "download" && (file === undefined || event.file === file) && void downloads.push(event)
  const events = Layer.succeed(Events, { emit: (event) => Effect.sync(() => keep(event)) })
  return { value: await Effect.runPromise(Effect.provide(effect, events)), downloads }
}
