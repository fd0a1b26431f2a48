// `peftlab report DIR` on a folder a user hands it: a corrupted manifest.json or result.json is
// exit 2 naming the file and the field, never a crash.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { reportManifest as manifest, writeJson } from "../../packages/runner/test/saved-folder.ts"
import { peftlab } from "./cli.ts"

const folderWith = (files: Record<string, unknown>): string => {
  const dir = mkdtempSync(join(tmpdir(), "peftlab-report-"))
  for (const [name, value] of Object.entries(files)) writeJson(join(dir, name), value)
  return dir
}

describe("peftlab report on a corrupted folder", () => {
  it("names manifest.json and its field", () => {
    const dir = folderWith({ "manifest.json": { ...manifest, spec: { ...manifest.spec, arms: "base" } } })
    const report = peftlab(["report", dir])
    expect(report.stderr).toContain(`${join(dir, "manifest.json")}: field "spec.arms": Expected array, got "base"`)
    expect(report.stderr).not.toMatch(/\n\s+at /)
    expect(report.code).toBe(2)
  })

  it("names result.json and its field", () => {
    const dir = folderWith({ "manifest.json": manifest, "arms/base/result.json": { fingerprint: "f1", result: { arm: "base" }, predictions: [], confusion: [] } })
    const report = peftlab(["report", dir])
    expect(report.stderr).toContain(`${join(dir, "arms", "base", "result.json")}: field "result.kind": Missing key`)
    expect(report.code).toBe(2)
  })

  it("says a manifest.json that is not JSON is unreadable", () => {
    const dir = folderWith({ "manifest.json": "{ half a manif" })
    const report = peftlab(["report", dir])
    expect(report.stderr).toContain(`${join(dir, "manifest.json")}: not readable as JSON`)
    expect(report.code).toBe(2)
  })
})
