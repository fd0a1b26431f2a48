// One adapter per arm of the spec's own kinds: the frozen base, full fine-tuning, or an existing
// PEFT adapter loaded from its files (registry/adapters.ts maps each kind to one of these); and
// the quantized base (NF4 for QLoRA, or int8) an arm's method asks for (registry/methods.ts builds method arms).
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { frozenBase, unfreezeBase, type Adapter } from "@peftlab/adapters-base"
import type { Rng } from "@peftlab/core"
import { continuationTokenLogProbs, type LanguageModel } from "@peftlab/evaluators"
import { isQuantizedLinear, quantizationOf, quantizedBytes, quantizeModelLinearsAs, setQuantizedTraining, type BaseModel, type QuantizationKind, type QuantizationReport } from "@peftlab/models"
import type { AdapterArmSpec, FineTuneArmSpec } from "@peftlab/spec"
import type { MethodPlugin } from "@peftlab/plugin-api"
import type { Tokenizer } from "@peftlab/tokenizers"
import { requireAdapterFolder } from "./adapter-arms/adapter-folder.ts"
import { loadPeftFolder } from "./adapter-arms/load-peft.ts"

export interface ArmAdapter {
  readonly adapter: Adapter
  /** What was done to the base for this arm (e.g. its NF4 or int8 memory), for the log. */
  readonly note?: string
  /** Frees the adapter and undoes any change to the base. */
  readonly release: () => void
  /** Turns the trained adapter into its inference form (e.g. folds prefix tuning's MLP). */
  readonly afterTraining?: () => void
  /** Evaluated as it is, never trained: an existing adapter. */
  readonly fixed?: true
}

export const plain = (adapter: Adapter): ArmAdapter => ({ adapter, release: () => adapter.dispose() })

const probeText = "Does this treatment reduce the risk of stroke in adults? Answer yes or no."

/** Token log-probabilities of the base model on a fixed probe sentence (its second half after its first), to measure what quantization changes. */
const probeLogProbs = async (model: LanguageModel, tokenizer: Tokenizer): Promise<Float32Array> => {
  const ids = tokenizer.encode(probeText, { addSpecialTokens: true })
  const half = Math.floor(ids.length / 2)
  const { logProbs, mask } = continuationTokenLogProbs(model, frozenBase(), [{ prompt: ids.slice(0, half), continuation: ids.slice(half) }], tokenizer.padId)
  const values = (await logProbs.data()) as Float32Array
  tf.dispose([logProbs, mask])
  return values
}

const kindNames: Readonly<Record<QuantizationKind, string>> = { nf4: "NF4", int8: "int8 (LLM.int8())" }

/** The base's decoder projections quantized to `kind`, and what that changed on the probe sentence (an encoder has no LM head to probe). */
const quantizeProbed = async (model: BaseModel, tokenizer: Tokenizer, kind: QuantizationKind) => {
  if (model.kind === "encoder") return { quantized: await quantizeModelLinearsAs(model, kind), change: "log-prob probe skipped (an encoder has no LM head)" }
  const float = await probeLogProbs(model, tokenizer)
  const quantized = await quantizeModelLinearsAs(model, kind)
  const after = await probeLogProbs(model, tokenizer)
  const error = Math.max(...float.map((v, i) => Math.abs(v - (after[i] as number))))
  return { quantized, change: `max |log-prob change| on a probe sentence ${error.toFixed(4)}` }
}

/** A base whose linears were quantized while loading (every arm QLoRA): nothing to undo, no float model to probe. */
const loadedQuantized = (model: BaseModel, kind: QuantizationKind) => {
  const modules = [...model.linears.values()].filter(isQuantizedLinear)
  const found = modules.find((m) => quantizationOf(m) !== kind)
  if (found) throw new Error(`${found.name} was quantized to ${quantizationOf(found)} while loading, yet an arm asks for a ${kind} base`)
  const floatBytes = modules.reduce((sum, m) => sum + m.shape[0] * m.shape[1] * Float32Array.BYTES_PER_ELEMENT, 0)
  const quantized: QuantizationReport = { kind, modules: modules.map((m) => m.name), floatBytes, quantizedBytes: modules.reduce((sum, m) => sum + quantizedBytes(m), 0), setTraining: (on) => setQuantizedTraining(modules, on), restore: () => {} }
  return { quantized, change: "quantized while loading (no float model held to probe)" }
}

/**
 * `adapter`, its setTraining (which the tasks switch around each training step) switching the
 * quantized base too, as PEFT's model.train() reaches bitsandbytes' layers: int8 ones compute by mode.
 */
const switchingBaseToo = (adapter: Adapter, base: QuantizationReport): Adapter => {
  const own = adapter.setTraining?.bind(adapter)
  adapter.setTraining = (on) => {
    own?.(on)
    base.setTraining(on)
  }
  return adapter
}

// QLoRA and its 8-bit counterpart: the frozen base's linear projections become NF4 or int8 for
// this arm only (unless the base was loaded quantized); the adapter (LoRA's, where its method asks
// for a quantized base) wraps them.
export const onQuantizedBase = async (
  arm: { readonly name: string },
  kind: QuantizationKind,
  model: BaseModel,
  tokenizer: Tokenizer,
  make: () => Adapter | Promise<Adapter>,
): Promise<ArmAdapter> => {
  const { quantized, change } = [...model.linears.values()].some(isQuantizedLinear) ? loadedQuantized(model, kind) : await quantizeProbed(model, tokenizer, kind)
  const adapter = switchingBaseToo(await make(), quantized)
  const ratio = (quantized.floatBytes / quantized.quantizedBytes).toFixed(2)
  return {
    adapter,
    note:
      `${arm.name}: ${quantized.modules.length} linear modules in ${kindNames[kind]}, ${quantized.floatBytes} -> ${quantized.quantizedBytes} bytes ` +
      `(${ratio}x smaller); ${change}`,
    release: () => {
      adapter.dispose()
      quantized.restore()
    },
  }
}

/** What building an arm's adapter may use besides the arm's own spec. */
export interface AdapterContext {
  readonly model: BaseModel
  readonly tokenizer: Tokenizer
  readonly rng: Rng
  /** The base model's folder, recorded in PEFT's adapter_config.json. */
  readonly modelPath: string
  /** The registered methods, whose peft_types an adapter arm loads (the built-in ones when omitted). */
  readonly methods?: ReadonlyArray<MethodPlugin<any>>
}

export const createFrozenBase = async (): Promise<ArmAdapter> => plain(frozenBase())

/** Every base weight trains, on a copy of the base (the caller's model stays as loaded). `hard_prompt` is the task's business. */
export const createFineTuneArm = async (_arm: FineTuneArmSpec, { model }: AdapterContext): Promise<ArmAdapter> => plain(unfreezeBase(frozenBase(), model))

/**
 * An existing PEFT adapter, by its peft_type, evaluated without training (over an NF4 or int8 base
 * with quantize: nf4 or int8). The run has already found and loaded it once (checkAdapterArmsLoad), so a failure
 * here is not the user's input.
 */
export const createAdapterArm = async (arm: AdapterArmSpec, { model, tokenizer, methods }: AdapterContext): Promise<ArmAdapter> => {
  const load = () => Effect.runPromise(requireAdapterFolder(arm.path, `arm ${arm.name}: path`).pipe(Effect.flatMap((dir) => loadPeftFolder(model, dir, methods))))
  const made = arm.quantize !== "none" ? await onQuantizedBase(arm, arm.quantize, model, tokenizer, load) : plain(await load())
  return { ...made, fixed: true }
}
