// tools/gpu-bundle's single-file build finds what @peftlab/backend-wasm loads from disk: the
// bundle of tools/gpu-bundle/wasm-smoke.ts, with the pieces placed beside it and run from outside
// the repository (so nothing resolves from node_modules), sets the wasm backend up from the
// carried tfjs-backend-wasm binaries and registers the packed-weight matmul from the carried
// packed-matmul.wasm, whose product equals the widened weight's; without that file the plugin
// warns and leaves the kernel out. No Node binary or Dawn is packed (main.ts does that).
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { bundleEntry, bundleFile } from "../../tools/gpu-bundle/bundle-entry.ts"
import { kernelWasmFiles, placeNativePieces } from "../../tools/gpu-bundle/native-pieces.ts"
import { repoRoot } from "./cli.ts"

const outDir = mkdtempSync(join(tmpdir(), "peftlab-gpu-bundle-"))

const runBundle = () => {
  const result = spawnSync(process.execPath, [join(outDir, bundleFile)], { cwd: tmpdir(), encoding: "utf8" })
  expect(result.status, result.stderr).toBe(0)
  return { report: JSON.parse(result.stdout.trim()) as { backend: string; packed: boolean; maxAbsDiff: number | null }, stderr: result.stderr }
}

describe("a gpu bundle using the wasm backend", () => {
  afterAll(() => rmSync(outDir, { recursive: true, force: true }))

  it("carries every kernel .wasm beside the bundle, where the plugin finds them", async () => {
    const moduleIds = await bundleEntry(join(repoRoot, "tools", "gpu-bundle", "wasm-smoke.ts"), outDir)
    expect(placeNativePieces(moduleIds, outDir)).toEqual([])
    expect(kernelWasmFiles.filter((file) => !existsSync(join(outDir, file)))).toEqual([])
    const complete = runBundle()
    expect(complete.report).toEqual({ backend: "wasm", packed: true, maxAbsDiff: 0 })
    expect(complete.stderr).not.toContain("is missing")

    rmSync(join(outDir, "packed-matmul.wasm"))
    const without = runBundle()
    expect(without.report).toEqual({ backend: "wasm", packed: false, maxAbsDiff: null })
    expect(without.stderr).toContain("packed-matmul.wasm is missing")
  })
})
