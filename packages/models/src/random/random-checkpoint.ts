// Random checkpoints in exact Hugging Face layout (config.json + model.safetensors, or bf16/f16
// shards with their index) for any supported architecture: tests and benchmarks build models
// of real shapes where the trained weights cannot be had. Deterministic by seed.
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Rng } from "@peftlab/core"
import { Effect, Result } from "effect"
import type { Architecture } from "../architecture.ts"
import { architectureFor } from "../architectures.ts"
import { ModelFileError } from "../model-file-error.ts"
import type { SafetensorsDtype } from "../safetensors/dtype.ts"
import { writeSafetensors, type Float32Tensor } from "../safetensors/index.ts"
import { checkpointMetadata, writeCheckpointWeights, type ShardingOptions } from "../safetensors/write-sharded.ts"
import type { FillTensor, TensorShape } from "../safetensors/write-streaming.ts"

/** Norm gains near 1, small biases, weights scaled by their input width so activations stay O(1). */
const defaultInit = (name: string, shape: ReadonlyArray<number>): "gain" | "bias" | number => {
  if (shape.length === 1) return /norm|ln_|layernorm/i.test(name) ? "gain" : "bias"
  return 1 / Math.sqrt(shape[shape.length - 1] as number)
}

/**
 * The tensors the architecture needs for `config`, and `draw`, which fills each from one seeded
 * normal distribution: it must be called once per tensor, in this order, as the values of
 * each follow on from the last. randomParameters and the streaming writer both draw this way,
 * so a seed gives the same float32 values however the checkpoint is written.
 */
export const randomTensorDraws = <Config>(
  architecture: Architecture<Config>,
  config: Config,
  seed: number,
): { readonly tensors: ReadonlyArray<TensorShape>; readonly draw: FillTensor } => {
  const rng = Rng.seeded(seed)
  const init = architecture.randomInit ?? defaultInit
  const tensors = [...architecture.parameterShapes(config)].map(([name, shape]) => ({ name, shape: [...shape] }))
  let next = 0
  const draw: FillTensor = (name, shape) => {
    if (tensors[next]?.name !== name) throw new Error(`random tensors drawn out of order: "${name}" where "${tensors[next]?.name}" was next`)
    next++
    const kind = init(name, shape)
    const [shift, scale] = kind === "gain" ? [1, 0.1] : kind === "bias" ? [0, 0.1] : [0, kind]
    // A plain loop: real shapes have tens of millions of values.
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1))
    for (let i = 0; i < data.length; i++) data[i] = shift + scale * rng.normal()
    return data
  }
  return { tensors, draw }
}

/** Every tensor the architecture needs for `config`, filled from a seeded normal distribution. */
export const randomParameters = <Config>(architecture: Architecture<Config>, config: Config, seed: number): Map<string, Float32Tensor> => {
  const { tensors, draw } = randomTensorDraws(architecture, config, seed)
  return new Map(tensors.map(({ name, shape }) => [name, { shape, data: draw(name, shape) }]))
}

/** The architecture `configJson` names by model_type, and the config decoded by it. */
const decodeRandomConfig = (dir: string, configJson: Readonly<Record<string, unknown>>) =>
  Effect.gen(function* () {
    const source = join(dir, "config.json")
    const modelType = String(configJson["model_type"])
    const architecture = architectureFor(modelType)
    if (!architecture) return yield* Effect.fail(new ModelFileError({ source, detail: `field "model_type": no architecture "${modelType}"` }))
    const config = architecture.decodeConfig(configJson)
    if (Result.isFailure(config)) return yield* Effect.fail(new ModelFileError({ source, detail: config.failure }))
    return { architecture: architecture as Architecture<unknown>, config: config.success as unknown }
  })

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
    const { architecture, config } = yield* decodeRandomConfig(dir, configJson)
    const parameters = randomParameters(architecture, config, seed)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, "config.json"), JSON.stringify(configJson, null, 2))
    yield* writeSafetensors(join(dir, "model.safetensors"), parameters, checkpointMetadata)
    return parameters
  })

/** The name HF configs give each stored element type (their torch_dtype). */
export const torchDtypeNames: Record<SafetensorsDtype, string> = { F32: "float32", F16: "float16", BF16: "bfloat16" }

export interface RandomCheckpointOptions extends ShardingOptions {
  /** The stored element type; float32 by default. Values are drawn in float32 and rounded to it. */
  readonly dtype?: SafetensorsDtype
}

/**
 * writeRandomCheckpoint for models too large to hold: the same values for a seed, drawn and
 * written one tensor at a time, stored as `dtype` and sharded past `maxShardBytes` as the hub
 * ships them. config.json gets the matching torch_dtype. Returns the parameter count and the
 * files written (config.json first).
 */
export const writeRandomCheckpointFiles = (
  dir: string,
  configJson: Readonly<Record<string, unknown>>,
  seed: number,
  options: RandomCheckpointOptions = {},
): Effect.Effect<{ readonly parameters: number; readonly files: ReadonlyArray<string> }, ModelFileError> =>
  Effect.gen(function* () {
    const dtype = options.dtype ?? "F32"
    const { architecture, config } = yield* decodeRandomConfig(dir, configJson)
    const { tensors, draw } = randomTensorDraws(architecture, config, seed)
    const configPath = join(dir, "config.json")
    // Newer transformers write `dtype` instead; keep one the source carries in step too.
    const dtypeFields = { torch_dtype: torchDtypeNames[dtype], ...("dtype" in configJson ? { dtype: torchDtypeNames[dtype] } : {}) }
    mkdirSync(dir, { recursive: true })
    writeFileSync(configPath, JSON.stringify({ ...configJson, ...dtypeFields }, null, 2))
    const { files } = yield* writeCheckpointWeights(dir, tensors, dtype, draw, options)
    return { parameters: tensors.reduce((n, { shape }) => n + shape.reduce((a, b) => a * b, 1), 0), files: [configPath, ...files] }
  })
