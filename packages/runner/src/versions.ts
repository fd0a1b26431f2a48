// Versions of the packages a run used, for the manifest: the runner and every package it depends
// on (each @peftlab package, tfjs, effect), each read from the package.json that sits above the
// package's resolved entry point, so the manifest says what actually ran.
import { existsSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Result, Schema } from "effect"
import { decodeJsonFile } from "@peftlab/core"

const PackageJson = Schema.Struct({
  name: Schema.String,
  version: Schema.String,
  dependencies: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  peerDependencies: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
})

const packageJsonAbove = (file: string): string | undefined => {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, "package.json")
    if (existsSync(candidate)) return candidate
  }
  return undefined
}

const packageJsonOf = (entry: string) => {
  const file = packageJsonAbove(entry)
  return file === undefined ? undefined : Result.getOrUndefined(decodeJsonFile(file, PackageJson))
}

/**
 * The runner and the packages its package.json depends on, by name: its dependencies, then its
 * peer dependencies (tfjs, effect and the backend plugins, which the installing project provides).
 */
export const runPackages = (): ReadonlyArray<string> => {
  const runner = packageJsonOf(fileURLToPath(import.meta.url))
  return runner === undefined ? [] : [runner.name, ...Object.keys(runner.dependencies ?? {}), ...Object.keys(runner.peerDependencies ?? {})]
}

/** Each package's version as its package.json says; "unknown" when it cannot be resolved or read. */
export const packageVersions = (names: ReadonlyArray<string> = runPackages()): Record<string, string> =>
  Object.fromEntries(
    names.map((name) => {
      const resolved = Result.try(() => fileURLToPath(import.meta.resolve(name)))
      const version = Result.isSuccess(resolved) ? packageJsonOf(resolved.success)?.version : undefined
      return [name, version ?? "unknown"]
    }),
  )
