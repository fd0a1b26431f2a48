// Swaps a model's linear projections for quantized ones in place (model.linears is looked up on
// every forward pass), NF4 (QLoRA's 4-bit base) or int8 (LLM.int8(), bitsandbytes' 8-bit base),
// and reports the weight memory before and after.
import type { BaseModel } from "../base-model.ts"
import type { Linear } from "../layers/linear.ts"
import { int8Bytes } from "./int8.ts"
import { int8Linear, isInt8Linear, type Int8Linear } from "./int8-linear.ts"
import { nf4Bytes } from "./nf4.ts"
import { isNf4Linear, nf4Linear, type Nf4Linear } from "./nf4-linear.ts"

/** How a frozen base is quantized: bitsandbytes' 4-bit NormalFloat or its 8-bit LLM.int8(). */
export type QuantizationKind = "nf4" | "int8"

export interface QuantizationReport {
  readonly kind: QuantizationKind
  /** HF names of the modules now quantized, in model.linears order. */
  readonly modules: ReadonlyArray<string>
  /** float32 bytes of those modules' weights. */
  readonly floatBytes: number
  /** Bytes of the same weights quantized (NF4: codes + absmax; int8: codes + row scales). */
  readonly quantizedBytes: number
  /** bitsandbytes' model.train()/eval() for these modules: int8 ones switch arithmetic (int8-linear.ts); NF4's has one mode. */
  setTraining(on: boolean): void
  /** Puts the original modules back and frees the quantized ones. */
  restore(): void
}

/** A quantized module: NF4 or int8. */
export type QuantizedLinear = Nf4Linear | Int8Linear

/** The kind of a quantized module; undefined for any other. */
export const quantizationOf = (module: Linear): QuantizationKind | undefined => (isNf4Linear(module) ? "nf4" : isInt8Linear(module) ? "int8" : undefined)

/** Whether `module` keeps its weight quantized (NF4 or int8). */
export const isQuantizedLinear = (module: Linear): module is QuantizedLinear => quantizationOf(module) !== undefined

/** The host bytes of a quantized module's weight. */
export const quantizedBytes = (module: QuantizedLinear): number => (isInt8Linear(module) ? int8Bytes(module.int8) : nf4Bytes(module.quantized))

/** Switches every int8 module among `modules` to bitsandbytes' training (on) or eval (off) arithmetic; others have no mode. */
export const setQuantizedTraining = (modules: Iterable<Linear>, on: boolean): void => {
  for (const module of modules) if (isInt8Linear(module)) module.training = on
}

// As QLoRA and transformers' bitsandbytes integration: every projection in the transformer
// layers, but not the LM head (which, like the embeddings, stays in full precision).
const decoderProjections = (name: string): boolean => name !== "lm_head"

/** Every module of `model` that `filter` picks (all but the LM head by default) as `kind`; blockSize is NF4's. */
export const quantizeModelLinearsAs = async (
  model: BaseModel,
  kind: QuantizationKind,
  filter: (name: string, module: Linear) => boolean = decoderProjections,
  blockSize = 64,
): Promise<QuantizationReport> => {
  const originals = [...model.linears].filter(([name, module]) => filter(name, module))
  // One module at a time, so only one weight is on the host at once.
  const replaced: Array<QuantizedLinear> = []
  for (const [name, module] of originals) {
    const quantized = kind === "nf4" ? await nf4Linear(module, blockSize) : await int8Linear(module)
    model.linears.set(name, quantized)
    replaced.push(quantized)
  }
  return {
    kind,
    modules: originals.map(([name]) => name),
    floatBytes: originals.reduce((sum, [, module]) => sum + module.shape[0] * module.shape[1] * Float32Array.BYTES_PER_ELEMENT, 0),
    quantizedBytes: replaced.reduce((sum, module) => sum + quantizedBytes(module), 0),
    setTraining: (on) => setQuantizedTraining(replaced, on),
    restore: () => {
      for (const [name, module] of originals) model.linears.set(name, module)
      for (const module of replaced) module.dispose()
    },
  }
}

/** QLoRA's base: quantizeModelLinearsAs(model, "nf4", filter, blockSize). */
export const quantizeModelLinears = (model: BaseModel, filter?: (name: string, module: Linear) => boolean, blockSize?: number): Promise<QuantizationReport> =>
  quantizeModelLinearsAs(model, "nf4", filter, blockSize)
