// Where `peftlab predict` takes its task from: the spec given with --spec, else the manifest.json
// of the peftlab results folder the adapter sits in (adapters/<arm>/ of a run), found by looking
// up the tree from the adapter's folder. Templates, labels, data kind, generation settings and
// max_length all come from it, so a prediction is made exactly as the run evaluated.
import { existsSync } from "node:fs"
import { basename, dirname, join } from "node:path"
import { Effect, Schema } from "effect"
import { InputError, readJsonFile } from "@peftlab/core"
import { isBuiltinArm, loadSpec, type LoadedSpec } from "@peftlab/spec"
import type { PeftlabRegistry, QuantizedBaseKind } from "@peftlab/plugin-api"
import { registryFor, requirePluginOptIn } from "../registry/index.ts"
import { armBaseQuantization, builtinMethodArmChecks } from "../registry/methods.ts"
import { SavedSpec, savedSpec } from "../saved-run.ts"

/** No task to predict with, or a manifest that does not hold one. */
export class PredictTaskError extends InputError("PredictTaskError") {}

export interface PredictionTask {
  readonly loaded: LoadedSpec
  /** Where the task came from, for the log. */
  readonly from: string
  /** The run's arm saved this adapter over a quantized base (QLoRA's NF4, or int8): predictions quantize the base the same way. */
  readonly quantize: QuantizedBaseKind | undefined
}

/** The nearest manifest.json in `dir` or a folder above it. */
const manifestAbove = (dir: string): string | undefined => {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, "manifest.json"))) return join(at, "manifest.json")
    if (dirname(at) === at) return undefined
  }
}

/** What predict reads of a run's manifest.json: the spec the run ran (decoded and expanded when it was written) and its backend. */
const RunManifest = Schema.Struct({
  spec_file: Schema.optionalKey(Schema.String),
  backend: Schema.optionalKey(Schema.String),
  spec: SavedSpec,
})

/** The task of the run whose manifest is `file`; `adapterDir`'s name is its arm's. */
const manifestTask = (file: string, adapterDir: string) =>
  Effect.gen(function* () {
    const manifest = yield* readJsonFile(file, RunManifest, PredictTaskError, { advice: "; expected a peftlab run manifest with the run's spec, or give --spec SPEC instead" })
    // Predictions run on the backend the run used.
    const spec = { ...savedSpec(manifest), ...(manifest.backend !== undefined && { backend: manifest.backend }) }
    return { loaded: { spec, file: manifest.spec_file ?? file, variables: new Map(), locations: new Map() }, from: file }
  })

/** The quantized base (NF4 for QLoRA, int8) the run's arm that saved the adapter in `adapterDir` ran over, if any. */
const savedQuantization = (loaded: LoadedSpec, adapterDir: string, registry: PeftlabRegistry): QuantizedBaseKind | undefined => {
  const arm = loaded.spec.arms.find((a) => a.name === basename(adapterDir))
  // An arm of a kind no registered method has (its plugin not listed) cannot have asked for one.
  if (arm === undefined || !(isBuiltinArm(arm) || registry.has("methods", arm.kind))) return undefined
  return armBaseQuantization(registry.entries("methods"), arm)
}

/**
 * The task from `specFile` when given, else from the adapter's run manifest; with its registry (the
 * spec's plugins loaded, which a spec listing plugins is refused unless `allowPlugins`).
 */
export const predictionTask = (adapterDir: string, specFile: string | undefined, allowPlugins: boolean) =>
  Effect.gen(function* () {
    const manifest = manifestAbove(adapterDir)
    if (specFile === undefined && manifest === undefined) {
      const detail = `${adapterDir} is not inside a peftlab results folder (no manifest.json in it or any folder above it), so the task is unknown: give --spec SPEC for the template, labels or generation settings, data kind and max_length`
      return yield* Effect.fail(new PredictTaskError({ source: "--adapter", detail }))
    }
    const source = specFile !== undefined ? { loaded: yield* loadSpec(specFile, process.env, [], builtinMethodArmChecks), from: specFile } : yield* manifestTask(manifest as string, adapterDir)
    yield* requirePluginOptIn(source.loaded, allowPlugins)
    const registry = yield* registryFor(source.loaded)
    const task: PredictionTask = { ...source, quantize: specFile === undefined ? savedQuantization(source.loaded, adapterDir, registry) : undefined }
    return { task, registry }
  })
