// Checks a checkpoint against the shapes config.json implies, then uploads it as tf.Tensors.
// Everything is checked before any tensor is created, so a bad file leaks nothing.
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import type { Architecture } from "./architecture.ts"
import { ModelFileError } from "./model-file-error.ts"
import type { SafetensorsTensor } from "./safetensors/index.ts"

const sameShape = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i])

/** The checkpoint's tensors under the names the architecture expects (see Architecture.canonicalName). */
const byCanonicalName = (architecture: Architecture, checkpoint: ReadonlyMap<string, SafetensorsTensor>): Map<string, SafetensorsTensor> => {
  const canonical = architecture.canonicalName
  if (!canonical) return new Map(checkpoint)
  const renamed = new Map<string, SafetensorsTensor>()
  for (const [name, tensor] of checkpoint) {
    const to = canonical(name)
    if (to !== undefined && !renamed.has(to)) renamed.set(to, tensor)
  }
  return renamed
}

/** `source` names the checkpoint file in errors. Tensors the model does not use are skipped. */
export const loadParameters = <Config>(
  architecture: Architecture<Config>,
  config: Config,
  checkpoint: ReadonlyMap<string, SafetensorsTensor>,
  source: string,
): Effect.Effect<Map<string, tf.Tensor>, ModelFileError> =>
  Effect.gen(function* () {
    const expected = architecture.parameterShapes(config)
    const stored = byCanonicalName(architecture as Architecture, checkpoint)
    for (const [name, shape] of expected) {
      const tensor = stored.get(name)
      if (tensor === undefined && architecture.isOptional?.(name)) continue
      if (tensor === undefined) return yield* Effect.fail(new ModelFileError({ source, detail: `missing tensor "${name}"` }))
      if (!sameShape(tensor.shape, shape)) {
        return yield* Effect.fail(
          new ModelFileError({
            source,
            detail: `tensor "${name}" has shape [${tensor.shape.join(", ")}], but config.json implies [${shape.join(", ")}]`,
          }),
        )
      }
    }
    const present = [...expected].filter(([name]) => stored.has(name))
    return new Map(present.map(([name, shape]) => [name, tf.tensor((stored.get(name) as SafetensorsTensor).data, [...shape])]))
  })
