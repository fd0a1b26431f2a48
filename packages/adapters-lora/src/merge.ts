// `peftlab merge`: a LoRA adapter (rsLoRA, rank/alpha patterns, DoRA) folded into its base as
// PEFT's merge_and_unload does, written as a Hugging Face model folder with the base's tensor
// names, dtype and shard layout (its index copied as it is) and its config, tokenizer and
// generation files. Each targeted weight goes through LoraLinear.merge (W + scale B A, DoRA's
// m / ‖W + scale B A‖ row rescale) one module at a time, streamed tensor by tensor into a folder
// beside --out that is renamed into place only once complete, so nothing is left half-written.
// An adapter trained over an NF4 base merges onto that base dequantized, as PEFT's 4-bit merge does.
import { existsSync, readdirSync, statSync } from "node:fs"
import { cp, mkdir, rename, rm } from "node:fs/promises"
import { basename, dirname, join, resolve } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect, Result } from "effect"
import { peftTensor, readPeftAdapter, refuseField, refuseUnusedTensors, renderValue, type PeftAdapterFiles } from "@peftlab/adapters-base"
import { InputError, Rng } from "@peftlab/core"
import {
  checkpointWeightFiles,
  frozenLinear,
  nf4Linear,
  openCheckpoint,
  readModelConfig,
  storedMatrix,
  writeSafetensorsStreaming,
  ModelFileError,
  type BaseModel,
  type Checkpoint,
  type Linear,
  type SafetensorsDtype,
} from "@peftlab/models"
import { loraTensorNames, moduleRankAndScale, targetedModules, type LoraConfig } from "./config.ts"
import { loraLinear } from "./layer/lora-linear.ts"
import { outlineLinears, type OutlinedLinear } from "./merge-outline.ts"
import { readLoraConfig } from "./peft-config.ts"

/** A merge that cannot be made from these folders. */
export class MergeError extends InputError("MergeError") {}

export interface MergeOptions {
  readonly modelDir: string
  /** --model as the user wrote it (a hub id or a path), for the base_model_name_or_path check. */
  readonly modelName?: string
  readonly adapterDir: string
  readonly outDir: string
  /** The adapter was trained over an NF4 base (QLoRA): merge onto the dequantized NF4 weights. */
  readonly nf4Base?: boolean
}

export interface MergeReport {
  readonly outDir: string
  /** The modules whose weights took the adapter's update. */
  readonly merged: ReadonlyArray<string>
  /** The weight files written, in the base's layout. */
  readonly weightFiles: ReadonlyArray<string>
  /** The base's other files copied (config, tokenizer, generation settings). */
  readonly copied: ReadonlyArray<string>
  /** Files of the base left out: weights in other formats, which would not hold the merge. */
  readonly leftOut: ReadonlyArray<string>
  /** What the output must say about how the merge was made (the NF4 base dequantized). */
  readonly notes: ReadonlyArray<string>
}

/** PEFT's block size, and what QLoRA quantizes: every linear but lm_head (see quantizeModelLinears). */
const nf4BlockSize = 64
const quantizedByQlora = (module: OutlinedLinear): boolean => module.name !== "lm_head"

/** PEFT's warning when it merges into a 4-bit linear (peft/tuners/lora/bnb.py, Linear4bit.merge). */
export const peftNf4MergeWarning = "Merge lora module to 4-bit linear may get different generations due to rounding errors."

const promptLike: Readonly<Record<string, string>> = { PROMPT_TUNING: "prompt tuning", PREFIX_TUNING: "prefix tuning", P_TUNING: "P-tuning" }

/** Refuses any adapter but LoRA by its peft_type. */
const requireLora = (files: PeftAdapterFiles) => {
  const type = files.config["peft_type"]
  if (type === "LORA") return Effect.void
  const kind = typeof type === "string" ? promptLike[type] : undefined
  const detail =
    kind !== undefined
      ? `peft_type: ${renderValue(type)} is ${kind}, a prompt-like adapter: its virtual tokens are inputs the model reads, not an update to its weights, so there is nothing to merge (PEFT's merge_and_unload refuses them too); use the adapter as it is`
      : `peft_type: ${renderValue(type)} cannot be merged by peftlab: merge folds LoRA adapters (LoRA, rsLoRA, DoRA)${type === "IA3" ? "; IA3's merge is not implemented" : ""}`
  return Effect.fail(refuseField(files, "peft_type", detail))
}

// readLoraConfig reads of its model only the architecture and whether its linears are NF4 (a base
// on disk never is); it takes a BaseModel, so an outline with no modules stands in for one.
const configModel = (architecture: string): BaseModel => ({ architecture, linears: new Map<string, Linear>() }) as unknown as BaseModel

/** Whether base_model_name_or_path names this model: the same id or path, folder name, or hub cache entry. */
const namesModel = (recorded: string, modelName: string | undefined, modelDir: string): boolean => {
  if (recorded === modelName || resolve(recorded) === resolve(modelDir)) return true
  const parts = recorded.replace(/\/+$/, "").split("/")
  if (parts.at(-1) === basename(resolve(modelDir))) return true
  return parts.length === 2 && resolve(modelDir).includes(`models--${parts[0]}--${parts[1]}`)
}

const checkBaseName = (files: PeftAdapterFiles, options: MergeOptions) => {
  const recorded = files.config["base_model_name_or_path"]
  if (typeof recorded !== "string" || namesModel(recorded, options.modelName, options.modelDir)) return Effect.void
  const detail = `base_model_name_or_path: ${renderValue(recorded)} does not name --model ${options.modelName ?? options.modelDir} (resolved to ${resolve(options.modelDir)}): the adapter was trained on another model; give that model's folder, or one named like it`
  return Effect.fail(refuseField(files, "base_model_name_or_path", detail))
}

/** --out must be new or an empty folder: a merge never replaces files. */
const checkOut = (outDir: string) => {
  if (!existsSync(outDir)) return Effect.void
  const detail = statSync(outDir).isDirectory()
    ? readdirSync(outDir).length === 0
      ? undefined
      : `is not empty (${readdirSync(outDir).slice(0, 3).join(", ")}...): merge writes a new model folder and never replaces files; give a new or empty folder`
    : "is a file: expected a new or empty folder for the merged model"
  return detail === undefined ? Effect.void : Effect.fail(new MergeError({ source: outDir, detail }))
}

/** One targeted module's factors, checked against the module's shape and its rank. */
interface ModuleUpdate {
  readonly module: OutlinedLinear
  readonly r: number
  readonly scale: number
  readonly a: Float32Array
  readonly b: Float32Array
  readonly magnitude?: Float32Array
}

const moduleUpdates = (files: PeftAdapterFiles, config: LoraConfig, linears: ReadonlyArray<OutlinedLinear>) =>
  Effect.gen(function* () {
    const targeted = new Set(targetedModules(linears.map((m) => m.name), config))
    if (targeted.size === 0) {
      const kinds = [...new Set(linears.map((m) => m.name.split(".").at(-1)))].join(", ")
      return yield* Effect.fail(refuseField(files, "target_modules", `target_modules: ${renderValue(files.config["target_modules"])} matches none of this model's linear modules (${kinds})`))
    }
    const updates: Array<ModuleUpdate> = []
    const used = new Set<string>()
    for (const module of linears.filter((m) => targeted.has(m.name))) {
      if (module.tied) {
        return yield* Effect.fail(refuseField(files, "target_modules", `target_modules: ${renderValue(files.config["target_modules"])} picks ${module.name}, which this model ties to its token embedding: merging would change the embedding too`))
      }
      const { r, scale } = moduleRankAndScale(config, module.name)
      const [out, inFeatures] = module.shape
      const names = loraTensorNames(module.name)
      const a = yield* peftTensor(files, names.a, [r, inFeatures])
      const b = yield* peftTensor(files, names.b, [out, r])
      const magnitude = config.useDora ? yield* peftTensor(files, names.magnitude, [out]) : undefined
      for (const name of [names.a, names.b, ...(magnitude ? [names.magnitude] : [])]) used.add(name)
      updates.push({ module, r, scale, a: a.data, b: b.data, ...(magnitude && { magnitude: magnitude.data }) })
    }
    yield* refuseUnusedTensors(files, used, "a merged LoRA adapter reads lora_A.weight and lora_B.weight of each module its config targets (and lora_magnitude_vector with use_dora)")
    return updates
  })

/** The weight files of the base, each with its tensors in stored order and its one dtype. */
const weightLayout = (checkpoint: Checkpoint) =>
  Effect.gen(function* () {
    const files = new Map<string, Array<{ readonly name: string; readonly shape: ReadonlyArray<number>; readonly begin: number; readonly dtype: string }>>()
    for (const [name, entry] of checkpoint.entries) files.set(entry.file, [...(files.get(entry.file) ?? []), { name, shape: entry.shape, begin: entry.begin, dtype: entry.dtype }])
    const layout: Array<{ readonly file: string; readonly dtype: SafetensorsDtype; readonly tensors: ReadonlyArray<{ readonly name: string; readonly shape: ReadonlyArray<number> }> }> = []
    for (const [file, tensors] of files) {
      const dtypes = [...new Set(tensors.map((t) => t.dtype))]
      if (dtypes.length !== 1 || !["F32", "F16", "BF16"].includes(dtypes[0] as string)) {
        return yield* Effect.fail(new ModelFileError({ source: file, detail: `holds ${dtypes.join(" and ")} tensors: merge writes each weights file in its one dtype, F32, F16 or BF16` }))
      }
      layout.push({ file, dtype: dtypes[0] as SafetensorsDtype, tensors: tensors.sort((x, y) => x.begin - y.begin).map(({ name, shape }) => ({ name, shape })) })
    }
    return layout
  })

/** An Effect as the promise a streaming fill returns: a ModelFileError rejects as itself, for the writer to report. */
const promised = <A>(effect: Effect.Effect<A, ModelFileError>): Promise<A> =>
  Effect.runPromise(Effect.result(effect)).then((result) => (Result.isSuccess(result) ? result.success : Promise.reject(result.failure)))

/** The module over the stored weight (NF4-quantized when the base was), as training saw it. */
const baseModule = async (module: OutlinedLinear, checkpoint: Checkpoint, nf4: boolean): Promise<Linear> => {
  const stored = await promised(checkpoint.readStored(module.tensor))
  const frozen = frozenLinear(module.name, storedMatrix(stored.dtype, stored.shape as [number, number], stored.bytes), undefined, module.storedTransposed)
  return nf4 && quantizedByQlora(module) ? nf4Linear(frozen, nf4BlockSize) : frozen
}

/** The [out, in] weight in the stored layout's values ([in, out] for Conv1D). */
const storedValues = async (weight: tf.Tensor2D, storedTransposed: boolean): Promise<Float32Array> => {
  const stored = storedTransposed ? tf.transpose(weight) : weight
  const values = (await stored.data()) as Float32Array
  tf.dispose([weight, stored])
  return values
}

/** W + scale B A (DoRA: times m / ‖W + scale B A‖ per row) through LoraLinear.merge. */
const mergedWeight = async (update: ModuleUpdate, base: Linear): Promise<Float32Array> => {
  const lora = loraLinear(base, { r: update.r, scale: update.scale, dropout: 0, rng: Rng.seeded(0), ...(update.magnitude && { useDora: true }) })
  try {
    tf.tidy(() => {
      lora.loraA.assign(tf.tensor2d(update.a, lora.loraA.shape))
      lora.loraB.assign(tf.tensor2d(update.b, lora.loraB.shape))
      if (update.magnitude && lora.magnitude) lora.magnitude.assign(tf.tensor1d(update.magnitude))
    })
    lora.merge()
    return await storedValues(lora.readWeight(), update.module.storedTransposed)
  } finally {
    lora.dispose()
    base.dispose()
  }
}

/** Weights in other formats than the safetensors written (a pickle beside them): left out, as they would not hold the merge. */
const otherWeights = /\.(safetensors|bin|pt|pth|ckpt|h5|msgpack|gguf|onnx|ot|tflite)$/

/** Copies the base folder's files but the weights (`written` are the merged ones); subfolders are left out. */
const copyOtherFiles = async (modelDir: string, into: string, written: ReadonlySet<string>) => {
  const copied: Array<string> = []
  const leftOut: Array<string> = []
  for (const entry of readdirSync(modelDir, { withFileTypes: true })) {
    if (written.has(entry.name)) continue
    if (!entry.isFile() || otherWeights.test(entry.name)) leftOut.push(entry.isFile() ? entry.name : `${entry.name}/`)
    else {
      await cp(join(modelDir, entry.name), join(into, entry.name))
      copied.push(entry.name)
    }
  }
  return { copied, leftOut }
}

export const mergeLoraAdapter = (options: MergeOptions) =>
  Effect.gen(function* () {
    const { modelDir, adapterDir, outDir } = options
    const nf4 = options.nf4Base ?? false
    yield* checkOut(outDir)
    const files = yield* readPeftAdapter(adapterDir)
    yield* requireLora(files)
    const { architecture, config: modelConfig } = yield* readModelConfig(modelDir)
    const config = yield* readLoraConfig(configModel(architecture.modelTypes[0] as string), files)
    yield* checkBaseName(files, options)
    return yield* Effect.scoped(
      Effect.gen(function* () {
        const checkpoint = yield* openCheckpoint(modelDir)
        const linears = yield* outlineLinears(modelDir, architecture, modelConfig, checkpoint.entries)
        const updates = new Map((yield* moduleUpdates(files, config, linears)).map((update) => [update.module.tensor, update]))
        const dequantized = new Map(nf4 ? linears.filter(quantizedByQlora).map((module) => [module.tensor, module]) : [])
        const layout = yield* weightLayout(checkpoint)
        const staging = `${resolve(outDir)}.merging-${process.pid}`
        const fill = async (name: string): Promise<Float32Array> => {
          const update = updates.get(name)
          if (update !== undefined) return mergedWeight(update, await baseModule(update.module, checkpoint, nf4))
          const module = dequantized.get(name)
          if (module !== undefined) return storedValues((await baseModule(module, checkpoint, true)).readWeight(), module.storedTransposed)
          return (await promised(checkpoint.read(name))).data
        }
        const written = Effect.gen(function* () {
          yield* Effect.promise(() => mkdir(staging, { recursive: true }))
          for (const { file, dtype, tensors } of layout) yield* writeSafetensorsStreaming(join(staging, basename(file)), tensors, dtype, fill, { format: "pt" })
          const index = (yield* checkpointWeightFiles(modelDir)).filter((file) => file.endsWith(".index.json"))
          for (const file of index) yield* Effect.promise(() => cp(file, join(staging, basename(file))))
          const weightFiles = [...index, ...layout.map(({ file }) => file)].map((file) => basename(file))
          const others = yield* Effect.promise(() => copyOtherFiles(modelDir, staging, new Set(weightFiles)))
          yield* Effect.promise(() => mkdir(dirname(resolve(outDir)), { recursive: true }))
          yield* Effect.promise(() => rename(staging, resolve(outDir)))
          return { weightFiles, ...others }
        }).pipe(Effect.onError(() => Effect.promise(() => rm(staging, { recursive: true, force: true }))))
        const { weightFiles, copied, leftOut } = yield* written
        const notes = nf4
          ? [
              `merged onto the dequantized NF4 base: the adapter was trained over a 4-bit NF4 base, so each of its ${dequantized.size} quantized linear weights is written as dequantize(quantize_nf4(W)) (+ the LoRA update where targeted), as PEFT's merge of a 4-bit linear dequantizes before merging ("${peftNf4MergeWarning}"); written in the base's dtype, not re-quantized`,
            ]
          : []
        const report: MergeReport = { outDir, merged: [...updates.values()].map((u) => u.module.name), weightFiles, copied, leftOut, notes }
        return report
      }),
    )
  })
