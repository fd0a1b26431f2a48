// Adapters on disk in Hugging Face PEFT's layout, so PEFT can load what peftlab trains and
// the other way round: adapter_config.json beside adapter_model.safetensors.
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect, Schema } from "effect"
import { InputError, readJsonFile, writeFileAtomic } from "@peftlab/core"
import { readSafetensors, writeSafetensors, type ModelFileError, type SafetensorsTensor } from "@peftlab/models"
import type { Adapter } from "./adapter.ts"

export class AdapterFileError extends InputError("AdapterFileError") {}

export const adapterConfigFile = "adapter_config.json"
export const adapterWeightsFile = "adapter_model.safetensors"

/** adapter_config.json's outer shape: an object of PEFT config fields, each checked by its loader (configField). */
export const PeftConfigFile = Schema.Record(Schema.String, Schema.Unknown)

export interface PeftAdapterFiles {
  readonly dir: string
  readonly config: Readonly<Record<string, unknown>>
  readonly tensors: ReadonlyMap<string, SafetensorsTensor>
}

export const savePeftAdapter = (dir: string, adapter: Adapter): Effect.Effect<void, ModelFileError> =>
  Effect.gen(function* () {
    // Read asynchronously: some backends (webgpu under Node) cannot read synchronously.
    const tensors = new Map(
      yield* Effect.promise(() =>
        Promise.all([...adapter.peftTensors()].map(async ([name, t]) => [name, { shape: t.shape, data: (await t.data()) as Float32Array }] as const)),
      ),
    )
    yield* writeSafetensors(join(dir, adapterWeightsFile), tensors, { format: "pt" })
    yield* Effect.promise(() => writeFileAtomic(join(dir, adapterConfigFile), JSON.stringify(adapter.peftConfig(), null, 2) + "\n"))
  })

export const readPeftAdapter = (dir: string): Effect.Effect<PeftAdapterFiles, AdapterFileError | ModelFileError> =>
  Effect.gen(function* () {
    const file = join(dir, adapterConfigFile)
    const config = yield* readJsonFile(file, PeftConfigFile, AdapterFileError)
    const tensors = yield* readSafetensors(join(dir, adapterWeightsFile))
    return { dir, config, tensors }
  })

/** A required config field, checked against what the loading adapter expects. */
export const configField = <A>(files: PeftAdapterFiles, field: string, expected: string, accept: (value: unknown) => value is A) =>
  accept(files.config[field])
    ? Effect.succeed(files.config[field] as A)
    : Effect.fail(
        new AdapterFileError({
          source: join(files.dir, adapterConfigFile),
          detail: `field "${field}": expected ${expected}, got ${JSON.stringify(files.config[field]) ?? "nothing"}`,
        }),
      )

/** A required tensor of an exact shape. */
export const peftTensor = (files: PeftAdapterFiles, name: string, shape: ReadonlyArray<number>) => {
  const tensor = files.tensors.get(name)
  const source = join(files.dir, adapterWeightsFile)
  if (!tensor) return Effect.fail(new AdapterFileError({ source, detail: `tensor "${name}" is missing` }))
  if (tensor.shape.join(",") !== shape.join(",")) {
    return Effect.fail(new AdapterFileError({ source, detail: `tensor "${name}": expected shape [${shape.join(", ")}], got [${tensor.shape.join(", ")}]` }))
  }
  return Effect.succeed(tensor)
}

/**
 * Puts saved values back into an adapter made for the same config (e.g. one trained earlier in
 * a run and written with savePeftAdapter): every tensor it exports must be a variable, and the
 * files must hold each one under its PEFT name with its shape.
 */
export const restorePeftTensors = (adapter: Adapter, files: PeftAdapterFiles): Effect.Effect<void, AdapterFileError> =>
  Effect.gen(function* () {
    const source = join(files.dir, adapterWeightsFile)
    for (const [name, target] of adapter.peftTensors()) {
      if (!(target instanceof tf.Variable)) {
        return yield* Effect.fail(new AdapterFileError({ source, detail: `tensor "${name}" is computed by this adapter, not stored in it; fold it first` }))
      }
      const saved = yield* peftTensor(files, name, target.shape)
      tf.tidy(() => target.assign(tf.tensor(saved.data, target.shape)))
    }
  })
