// Checks a checkpoint against the shapes config.json implies, then reads it tensor by tensor
// into tf.Tensors. Every shape and dtype is checked from the headers before any value is read
// or any tensor created, so a bad file leaks nothing, and loading holds one stored tensor at a
// time beside the model.
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import type { Architecture } from "./architecture.ts"
import { ModelFileError } from "./model-file-error.ts"
import { dtypes, isReadableDtype } from "./safetensors/dtype.ts"
import type { Checkpoint } from "./safetensors/index.ts"

const sameShape = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i])

/** Stored tensor names by the names the architecture expects (see Architecture.canonicalName). */
const storedNames = (architecture: Architecture, names: Iterable<string>): Map<string, string> => {
  const canonical = architecture.canonicalName
  const byCanonical = new Map<string, string>()
  for (const name of names) {
    const to = canonical ? canonical(name) : name
    if (to !== undefined && !byCanonical.has(to)) byCanonical.set(to, name)
  }
  return byCanonical
}

/** How much of the checkpoint's stored bytes (those of the tensors the model uses) are read. */
export interface LoadProgress {
  readonly bytes: number
  readonly total: number
}

/** Tensors the model does not use are skipped, whatever their dtype. */
export const loadParameters = <Config>(
  architecture: Architecture<Config>,
  config: Config,
  checkpoint: Checkpoint,
  onProgress?: (progress: LoadProgress) => void,
): Effect.Effect<Map<string, tf.Tensor>, ModelFileError> =>
  Effect.gen(function* () {
    const expected = architecture.parameterShapes(config)
    const stored = storedNames(architecture as Architecture, checkpoint.entries.keys())
    const present: Array<[name: string, storedName: string, shape: ReadonlyArray<number>]> = []
    for (const [name, shape] of expected) {
      const storedName = stored.get(name)
      if (storedName === undefined && architecture.isOptional?.(name)) continue
      if (storedName === undefined) return yield* Effect.fail(new ModelFileError({ source: checkpoint.source, detail: `missing tensor "${name}"` }))
      const entry = checkpoint.entries.get(storedName)!
      const fail = (detail: string) => Effect.fail(new ModelFileError({ source: entry.file, detail }))
      if (!sameShape(entry.shape, shape)) return yield* fail(`tensor "${name}" has shape [${entry.shape.join(", ")}], but config.json implies [${shape.join(", ")}]`)
      if (!isReadableDtype(entry.dtype)) return yield* fail(`tensor "${name}" is ${entry.dtype}; peftlab reads model weights stored as ${dtypes.join(", ")}`)
      present.push([name, storedName, shape])
    }
    const sizeOf = (storedName: string) => checkpoint.entries.get(storedName)!.end - checkpoint.entries.get(storedName)!.begin
    const total = present.reduce((sum, [, storedName]) => sum + sizeOf(storedName), 0)
    const parameters = new Map<string, tf.Tensor>()
    const read = Effect.gen(function* () {
      let bytes = 0
      onProgress?.({ bytes, total })
      for (const [name, storedName, shape] of present) {
        parameters.set(name, tf.tensor((yield* checkpoint.read(storedName)).data, [...shape]))
        bytes += sizeOf(storedName)
        onProgress?.({ bytes, total })
      }
      return parameters
    })
    // A read that fails midway (a truncated shard) leaves no tensor behind.
    return yield* read.pipe(Effect.tapError(() => Effect.sync(() => parameters.forEach((tensor) => tensor.dispose()))))
  })
