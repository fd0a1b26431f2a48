// Models named by Hugging Face id, through the real CLI: one already in a user's HF cache is used
// as is, offline; one that is not fails (exit 2) naming the id and how to get it.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { spawnSync } from "node:child_process"
import { describe, expect, it } from "vitest"
import { bin, quickstartVariant } from "./cli.ts"

const shared = process.env.PEFTLAB_DATA && process.env.PEFTLAB_MODELS
if (!shared) console.warn("skipping the Hugging Face id runs: PEFTLAB_DATA or PEFTLAB_MODELS unset")

/** An HF hub cache (models--org--name/refs/main -> snapshots/<commit>/) holding stories260k, as huggingface_hub lays it out. */
const hubCache = (): string => {
  const cache = mkdtempSync(join(tmpdir(), "peftlab-hf-cache-"))
  const repo = join(cache, "models--peftlab--stories260k")
  const commit = "0123456789abcdef0123456789abcdef01234567"
  const snapshot = join(repo, "snapshots", commit)
  mkdirSync(snapshot, { recursive: true })
  const source = join(process.env.PEFTLAB_MODELS ?? "", "stories260k")
  for (const file of readdirSync(source)) cpSync(join(source, file), join(snapshot, file))
  mkdirSync(join(repo, "refs"))
  writeFileSync(join(repo, "refs", "main"), commit)
  return cache
}

const run = (file: string, out: string, env: Record<string, string>) =>
  spawnSync(process.execPath, [bin, "run", file, "--out", out, "--no-tui", "--backend", "wasm"], { encoding: "utf8", env: { ...process.env, ...env } })

describe.skipIf(!shared)("model.path as a Hugging Face id", () => {
  const { file, dir } = quickstartVariant((spec) => {
    spec.model.path = "peftlab/stories260k"
    spec.data.limit = { train: 4, val: 4, test: 4 }
    spec.arms = [{ name: "base", kind: "base" }]
    spec.stats.bootstrap.B = 50
  })

  it("uses a model already in the HF cache, offline, and records the id and the folder", () => {
    const cache = hubCache()
    const out = join(dir, "cached")
    const done = run(file, out, { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: "1" })
    expect(done.stderr).toBe("")
    expect(done.status).toBe(0)
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"))
    expect(manifest.model.id).toBe("peftlab/stories260k")
    expect(manifest.model.path).toContain(join(cache, "models--peftlab--stories260k", "snapshots"))
  })

  it("offline, a model not in the cache exits 2 naming the id and how to download it", () => {
    const empty = mkdtempSync(join(tmpdir(), "peftlab-hf-empty-"))
    const failed = run(file, join(dir, "missing"), { HF_HUB_CACHE: empty, HF_HUB_OFFLINE: "1" })
    expect(failed.status).toBe(2)
    expect(failed.stderr).toContain("peftlab/stories260k")
    expect(failed.stderr).toMatch(/download/)
  })
})
