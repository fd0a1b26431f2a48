// Swaps a model's linear projections for NF4 ones in place (model.linears is looked up on every
// forward pass) and reports the weight memory before and after.
import type { BaseModel } from "../base-model.ts"
import type { Linear } from "../layers/linear.ts"
import { nf4Bytes } from "./nf4.ts"
import { nf4Linear, type Nf4Linear } from "./nf4-linear.ts"

export interface Nf4Report {
  /** HF names of the modules now NF4, in model.linears order. */
  readonly modules: ReadonlyArray<string>
  /** float32 bytes of those modules' weights. */
  readonly floatBytes: number
  /** NF4 bytes (codes + absmax) of the same weights. */
  readonly nf4Bytes: number
  /** Puts the original modules back and frees the NF4 ones. */
  restore(): void
}

// As QLoRA: every projection in the transformer layers, but not the LM head (which, like the
// embeddings, stays in full precision).
const decoderProjections = (name: string): boolean => name !== "lm_head"

export const quantizeModelLinears = async (
  model: BaseModel,
  filter: (name: string, module: Linear) => boolean = decoderProjections,
  blockSize = 64,
): Promise<Nf4Report> => {
  const originals = [...model.linears].filter(([name, module]) => filter(name, module))
  // One module at a time, so only one weight is on the host at once.
  const replaced: Array<Nf4Linear> = []
  for (const [name, module] of originals) {
    const quantized = await nf4Linear(module, blockSize)
    model.linears.set(name, quantized)
    replaced.push(quantized)
  }
  return {
    modules: originals.map(([name]) => name),
    floatBytes: originals.reduce((sum, [, module]) => sum + module.shape[0] * module.shape[1] * Float32Array.BYTES_PER_ELEMENT, 0),
    nf4Bytes: replaced.reduce((sum, module) => sum + nf4Bytes(module.quantized), 0),
    restore: () => {
      for (const [name, module] of originals) model.linears.set(name, module)
      for (const module of replaced) module.dispose()
    },
  }
}
