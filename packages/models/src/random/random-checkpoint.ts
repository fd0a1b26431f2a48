// Random checkpoints in exact Hugging Face layout (config.json + model.safetensors) for any
// supported architecture: tests and benchmarks build models of real shapes where the trained
// weights cannot be had. Deterministic by seed.
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Rng } from "@peftlab/core"
import { Effect, Result } from "effect"
import type { Architecture } from "../architecture.ts"
import { architectureFor } from "../architectures.ts"
import { ModelFileError } from "../model-file-error.ts"
import { writeSafetensors, type Float32Tensor } from "../safetensors/index.ts"

/** Norm gains near 1, small biases, weights scaled by their input width so activations stay O(1). */
const defaultInit = (name: string, shape: ReadonlyArray<number>): "gain" | "bias" | number => {
  if (shape.length === 1) return /norm|ln_|layernorm/i.test(name) ? "gain" : "bias"
  return 1 / Math.sqrt(shape[shape.length - 1] as number)
}

/** Every tensor the architecture needs for `config`, filled from a seeded normal distribution. */
export const randomParameters = <Config>(architecture: Architecture<Config>, config: Config, seed: number): Map<string, Float32Tensor> => {
  const rng = Rng.seeded(seed)
  const init = architecture.randomInit ?? defaultInit
  const parameters = new Map<string, Float32Tensor>()
  for (const [name, shape] of architecture.parameterShapes(config)) {
    const kind = init(name, shape)
    const [shift, scale] = kind === "gain" ? [1, 0.1] : kind === "bias" ? [0, 0.1] : [0, kind]
    // A plain loop: real shapes have tens of millions of values.
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1))
    for (let i = 0; i < data.length; i++) data[i] = shift + scale * rng.normal()
    parameters.set(name, { shape: [...shape], data })
  }
  return parameters
}

/**
 * Writes `configJson` as `<dir>/config.json` and random weights for it as `<dir>/model.safetensors`;
 * returns the weights. The config names its architecture by model_type.
 */
export const writeRandomCheckpoint = (
  dir: string,
  configJson: Readonly<Record<string, unknown>>,
  seed: number,
): Effect.Effect<Map<string, Float32Tensor>, ModelFileError> =>
  Effect.gen(function* () {
    const source = join(dir, "config.json")
    const modelType = String(configJson["model_type"])
    const architecture = architectureFor(modelType)
    if (!architecture) return yield* Effect.fail(new ModelFileError({ source, detail: `field "model_type": no architecture "${modelType}"` }))
    const config = architecture.decodeConfig(configJson)
    if (Result.isFailure(config)) return yield* Effect.fail(new ModelFileError({ source, detail: config.failure }))
    const parameters = randomParameters(architecture, config.success, seed)
    mkdirSync(dir, { recursive: true })
    writeFileSync(source, JSON.stringify(configJson, null, 2))
    yield* writeSafetensors(join(dir, "model.safetensors"), parameters)
    return parameters
  })
