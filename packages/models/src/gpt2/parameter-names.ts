// The HF GPT2LMHeadModel parameter names, the shapes config.json implies for them, and the
// names older checkpoints use for the same tensors.
import type { Gpt2Config } from "./config.ts"

export const tokenEmbedName = "transformer.wte.weight"
export const positionEmbedName = "transformer.wpe.weight"
export const finalNormName = "transformer.ln_f"
export const lmHeadName = "lm_head.weight"

export const layerPrefix = (layer: number): string => `transformer.h.${layer}`

/** The Conv1D modules of each block, by their name under the layer prefix. */
export const layerConv1Ds = ["attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"] as const

const conv1dWeight = new RegExp(`^transformer\\.h\\.\\d+\\.(${layerConv1Ds.join("|").replaceAll(".", "\\.")})\\.weight$`)

/** Whether `name` is a Conv1D weight, stored [in, out]. */
export const isConv1dWeight = (name: string): boolean => conv1dWeight.test(name)

/** [in, out] of each Conv1D weight: transposed from nn.Linear's layout, as GPT-2 stores it. */
const conv1DShapes = (c: Gpt2Config): Record<(typeof layerConv1Ds)[number], [number, number]> => ({
  "attn.c_attn": [c.n_embd, 3 * c.n_embd],
  "attn.c_proj": [c.n_embd, c.n_embd],
  "mlp.c_fc": [c.n_embd, c.n_inner],
  "mlp.c_proj": [c.n_inner, c.n_embd],
})

/** Every parameter the model needs, in checkpoint order, with its shape. */
export const gpt2ParameterShapes = (c: Gpt2Config): Map<string, number[]> => {
  const shapes = new Map<string, number[]>([
    [tokenEmbedName, [c.vocab_size, c.n_embd]],
    [positionEmbedName, [c.n_positions, c.n_embd]],
  ])
  const layerNorm = (name: string) => {
    shapes.set(`${name}.weight`, [c.n_embd])
    shapes.set(`${name}.bias`, [c.n_embd])
  }
  const conv1Ds = conv1DShapes(c)
  for (let layer = 0; layer < c.n_layer; layer++) {
    const prefix = layerPrefix(layer)
    layerNorm(`${prefix}.ln_1`)
    layerNorm(`${prefix}.ln_2`)
    for (const module of layerConv1Ds) {
      const [, out] = conv1Ds[module]
      shapes.set(`${prefix}.${module}.weight`, conv1Ds[module])
      shapes.set(`${prefix}.${module}.bias`, [out])
    }
  }
  layerNorm(finalNormName)
  if (!c.tie_word_embeddings) shapes.set(lmHeadName, [c.vocab_size, c.n_embd])
  return shapes
}

// The causal-mask buffers older checkpoints save beside the weights (h.0.attn.bias, h.0.attn.masked_bias).
const maskBuffer = /^h\.\d+\.attn\.(bias|masked_bias)$/

/**
 * GPT2Model checkpoints (the original "gpt2" upload) name the body's tensors without the
 * "transformer." prefix GPT2LMHeadModel gives them; their mask buffers are not parameters.
 */
export const gpt2CanonicalName = (name: string): string | undefined => {
  const body = name.startsWith("transformer.") ? name.slice("transformer.".length) : name
  if (maskBuffer.test(body)) return undefined
  return name === lmHeadName ? name : `transformer.${body}`
}

/** Norm gains near 1; Conv1D weights scaled by their input width, which is their first axis. */
export const gpt2RandomInit = (name: string, shape: ReadonlyArray<number>): "gain" | "bias" | number => {
  if (shape.length === 1) return /\.ln_(1|2|f)\.weight$/.test(name) ? "gain" : "bias"
  const conv1D = layerConv1Ds.some((module) => name.endsWith(`.${module}.weight`))
  return 1 / Math.sqrt((conv1D ? shape[0] : shape[1]) as number)
}
