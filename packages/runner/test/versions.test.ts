// The manifest's `packages`: the runner and every package it depends on, each at the version
// its own package.json gives (not a hard-coded or partial list).
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { packageVersions, runPackages } from "../src/versions.ts"

const repoRoot = join(import.meta.dirname, "..", "..", "..")
const versionIn = (file: string): string => (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version

describe("packageVersions", () => {
  it("lists the runner and each of its dependencies at its package.json's version", () => {
    const runner = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")) as {
      dependencies: Record<string, string>
      peerDependencies: Record<string, string>
    }
    expect(runPackages()).toStrictEqual(["@peftlab/runner", ...Object.keys(runner.dependencies), ...Object.keys(runner.peerDependencies)])
    const versions = packageVersions()
    expect(Object.keys(versions)).toStrictEqual([...runPackages()])
    for (const name of ["core", "adapters-lora", "adapters-prefix", "hub", "trackers"]) {
      expect(versions[`@peftlab/${name}`]).toBe(versionIn(join(repoRoot, "packages", name, "package.json")))
    }
    expect(versions["@peftlab/backend-wasm"]).toBe(versionIn(join(repoRoot, "plugins", "backend-wasm", "package.json")))
    expect(versions["@tensorflow/tfjs"]).toBe(versionIn(join(repoRoot, "node_modules", "@tensorflow", "tfjs", "package.json")))
    expect(versions["effect"]).toBe(versionIn(join(repoRoot, "node_modules", "effect", "package.json")))
  })

  it("says unknown for a package that cannot be resolved", () => {
    expect(packageVersions(["@peftlab/no-such-package"])).toStrictEqual({ "@peftlab/no-such-package": "unknown" })
  })
})
