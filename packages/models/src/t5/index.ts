// The T5 architecture entry (HF T5ForConditionalGeneration: T5, T5 v1.1, FLAN-T5).
import type { Architecture } from "../architecture.ts"
import { decodeT5Config, type T5Config } from "./config.ts"
import { t5Model, type T5Model } from "./model.ts"
import { sharedName, t5ParameterShapes } from "./parameter-names.ts"

/** Checkpoints may also store the shared embedding as each stack's embed_tokens (the same tensor). */
const embeddingCopy = /^(encoder|decoder)\.embed_tokens\.weight$/

export const t5: Architecture<T5Config, T5Model> = {
  modelTypes: ["t5"],
  decodeConfig: decodeT5Config,
  parameterShapes: t5ParameterShapes,
  tokenEmbeddingName: sharedName,
  isBackendTable: (name) => name.endsWith(".relative_attention_bias.weight"),
  canonicalName: (name) => (embeddingCopy.test(name) ? sharedName : name),
  // As HF's T5 init: embeddings of std 1 (T5 does not scale them, and the tied head rescales
  // the decoder output instead); norm gains near 1 (T5 has no biases); weights by input width.
  randomInit: (name, shape) => (shape.length === 1 ? "gain" : name === sharedName ? 1 : 1 / Math.sqrt(shape[shape.length - 1] as number)),
  build: t5Model,
}
