// Models named by Hugging Face id, through the real CLI: one already in a user's HF cache is used
// as is, offline; one that is not fails (exit 2) naming the id and how to get it; one on the hub
// (a fake one, serving stories260k) downloads with its progress in the run's output.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { spawn } from "node:child_process"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { type FakeHub, startFakeHub } from "../../packages/hub/test/fake-hub.ts"
import { bin, quickstartVariant } from "./cli.ts"

/** An HF hub cache (models--org--name/refs/main -> snapshots/<commit>/) holding stories260k, as huggingface_hub lays it out. */
const hubCache = (): string => {
  const cache = mkdtempSync(join(tmpdir(), "peftlab-hf-cache-"))
  const repo = join(cache, "models--peftlab--stories260k")
  const commit = "0123456789abcdef0123456789abcdef01234567"
  const snapshot = join(repo, "snapshots", commit)
  mkdirSync(snapshot, { recursive: true })
  const source = stories260kDir
  for (const file of readdirSync(source)) cpSync(join(source, file), join(snapshot, file))
  mkdirSync(join(repo, "refs"))
  writeFileSync(join(repo, "refs", "main"), commit)
  return cache
}

/** peftlab run in a child process, not spawnSync: the fake hub answers from this process's event loop. */
const run = (file: string, out: string, env: Record<string, string>, output = "--no-tui") =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "run", file, "--out", out, output, "--backend", "wasm"], { env: { ...process.env, ...env } })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (text: string) => void (stdout += text))
    child.stderr.setEncoding("utf8").on("data", (text: string) => void (stderr += text))
    child.on("error", reject)
    child.on("close", (status) => resolve({ status, stdout, stderr }))
  })

describe("model.path as a Hugging Face id", () => {
  const { file, dir } = quickstartVariant((spec) => {
    spec.model.path = "peftlab/stories260k"
    spec.data.limit = { train: 4, val: 4, test: 4 }
    spec.arms = [{ name: "base", kind: "base" }]
    spec.stats.bootstrap.B = 50
  })

  it("uses a model already in the HF cache, offline, and records the id and the folder", async () => {
    const cache = hubCache()
    const out = join(dir, "cached")
    const done = await run(file, out, { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: "1" })
    expect(done.stderr).toBe("")
    expect(done.status).toBe(0)
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"))
    expect(manifest.model.id).toBe("peftlab/stories260k")
    expect(manifest.model.path).toContain(join(cache, "models--peftlab--stories260k", "snapshots"))
  })

  it("offline, a model not in the cache exits 2 naming the id and how to download it", async () => {
    const empty = mkdtempSync(join(tmpdir(), "peftlab-hf-empty-"))
    const failed = await run(file, join(dir, "missing"), { HF_HUB_CACHE: empty, HF_HUB_OFFLINE: "1" })
    expect(failed.status).toBe(2)
    expect(failed.stderr).toContain("peftlab/stories260k")
    expect(failed.stderr).toMatch(/download/)
  })

  describe("downloaded from the hub", () => {
    const source = stories260kDir
    const commit = "89abcdef0123456789abcdef0123456789abcdef"
    let hub: FakeHub
    beforeAll(async () => {
      const files = Object.fromEntries(readdirSync(source).map((name) => [name, readFileSync(join(source, name))]))
      hub = await startFakeHub([{ id: "peftlab/stories260k", commits: { [commit]: files }, refs: { main: commit } }])
    })
    afterAll(async () => await hub?.close())

    /** A fresh, empty HF_HOME on the fake hub; empty values unset what the caller's environment has. */
    const hubEnv = () => ({ HF_HOME: mkdtempSync(join(tmpdir(), "peftlab-hf-home-")), HF_ENDPOINT: hub.endpoint, HF_HUB_CACHE: "", HF_HUB_OFFLINE: "", HF_TOKEN: "" })
    /** The model files the run's snapshot holds, as the manifest names it. */
    const snapshotFiles = (out: string): Array<string> => readdirSync(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")).model.path).sort()

    it("--json prints each model file's download, its bytes growing to its size, before the model is used", async () => {
      // The weights' first response breaks off after 400000 bytes, so the download resumes midway.
      hub.faults.cut = { file: "model.safetensors", bytes: 400_000, times: 1, how: "close" }
      const out = join(dir, "downloaded-json")
      const done = await run(file, out, hubEnv(), "--json")
      expect(done.stderr).toBe("")
      expect(done.status).toBe(0)
      const events = done.stdout.trim().split("\n").map((line) => JSON.parse(line))
      const downloads = events.filter((event) => event.type === "download")
      const files = snapshotFiles(out)
      expect([...new Set(downloads.map((event) => event.file))].sort()).toEqual(files)
      for (const name of files) {
        const size = statSync(join(source, name)).size
        const bytes = downloads.filter((event) => event.file === name).map((event) => event.bytes)
        expect(bytes[0], name).toBe(0)
        expect(bytes.every((b, i) => i === 0 || b >= bytes[i - 1]), name).toBe(true)
        expect(downloads.findLast((event) => event.file === name), name).toEqual({ type: "download", file: name, bytes: size, total: size, done: true })
      }
      expect(downloads.filter((event) => event.file === "model.safetensors").map((event) => event.bytes)).toContain(400_000)
      // The model is loaded, and the arms run, only after every download.
      const lastDownload = events.findLastIndex((event) => event.type === "download")
      expect(events.findIndex((event) => event.type === "arm-phase")).toBeGreaterThan(lastDownload)
    })

    it("--no-tui prints a line as each file starts and as it is done, not one per report", async () => {
      const out = join(dir, "downloaded-plain")
      const done = await run(file, out, hubEnv())
      expect(done.stderr).toBe("")
      expect(done.status).toBe(0)
      const lines = done.stdout.split("\n").filter((line) => line.startsWith("download"))
      const files = snapshotFiles(out)
      expect([...new Set(lines.map((line) => line.split(" ")[1]))].sort()).toEqual(files)
      for (const name of files) {
        const own = lines.filter((line) => line.split(" ")[1] === name)
        expect(own[0], name).toContain(`downloading ${name} 0% 0/`)
        expect(own.at(-1), name).toContain(`downloaded ${name} (`)
        // Not one per report: at most the start, three quarters and the end.
        expect(own.length, name).toBeLessThanOrEqual(5)
      }
      // 1044992 bytes are 1020.5 KiB.
      expect(lines).toContain("downloading model.safetensors 0% 0/1021 KiB")
      expect(lines).toContain("downloaded model.safetensors (1021 KiB)")
    })
  })
})
