// Checks a checkpoint against the shapes config.json implies, then uploads it as tf.Tensors.
// Everything is checked before any tensor is created, so a bad file leaks nothing.
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import type { LlamaConfig } from "../config.ts"
import { ModelFileError } from "../model-file-error.ts"
import type { SafetensorsTensor } from "../safetensors/index.ts"
import { expectedParameters } from "./parameter-names.ts"

const sameShape = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i])

/** `source` names the checkpoint file in errors. Tensors the model does not use are skipped. */
export const loadParameters = (
  config: LlamaConfig,
  checkpoint: ReadonlyMap<string, SafetensorsTensor>,
  source: string,
): Effect.Effect<Map<string, tf.Tensor>, ModelFileError> =>
  Effect.gen(function* () {
    const expected = expectedParameters(config)
    for (const [name, shape] of expected) {
      const stored = checkpoint.get(name)
      if (stored === undefined) return yield* Effect.fail(new ModelFileError({ source, detail: `missing tensor "${name}"` }))
      if (!sameShape(stored.shape, shape)) {
        return yield* Effect.fail(
          new ModelFileError({
            source,
            detail: `tensor "${name}" has shape [${stored.shape.join(", ")}], but config.json implies [${shape.join(", ")}]`,
          }),
        )
      }
    }
    return new Map([...expected].map(([name, shape]) => [name, tf.tensor((checkpoint.get(name) as SafetensorsTensor).data, shape)]))
  })
