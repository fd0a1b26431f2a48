// The Qwen2 architecture entry (HF Qwen2ForCausalLM, the Qwen2 and Qwen2.5 families): Llama's
// decoder and parameter names, with biases on q, k and v (see llama/config.ts).
import type { Architecture } from "../architecture.ts"
import { decodeQwen2Config, type LlamaConfig } from "../llama/config.ts"
import { llamaCausalLM, type LlamaCausalLM } from "../llama/model.ts"
import { embedName, llamaParameterShapes } from "../llama/parameter-names.ts"

export const qwen2: Architecture<LlamaConfig, LlamaCausalLM> = {
  modelTypes: ["qwen2"],
  decodeConfig: decodeQwen2Config,
  parameterShapes: llamaParameterShapes,
  tokenEmbeddingName: embedName,
  build: llamaCausalLM,
}
