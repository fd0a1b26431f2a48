// The Mistral architecture entry (HF MistralForCausalLM): Llama's decoder, its parameter names
// and shapes, with a sliding attention window where config.json sets one (see llama/config.ts).
import type { Architecture } from "../architecture.ts"
import { decodeMistralConfig, type LlamaConfig } from "../llama/config.ts"
import { llamaCausalLM, type LlamaCausalLM } from "../llama/model.ts"
import { embedName, llamaParameterShapes } from "../llama/parameter-names.ts"

export const mistral: Architecture<LlamaConfig, LlamaCausalLM> = {
  modelTypes: ["mistral"],
  decodeConfig: decodeMistralConfig,
  parameterShapes: llamaParameterShapes,
  tokenEmbeddingName: embedName,
  build: llamaCausalLM,
}
