// The Llama architecture entry (HF LlamaForCausalLM): also the reference the others follow.
import type { Architecture } from "../architecture.ts"
import { decodeLlamaConfig, type LlamaConfig } from "./config.ts"
import { llamaCausalLM, type LlamaCausalLM } from "./model.ts"
import { embedName, llamaParameterShapes } from "./parameter-names.ts"

export const llama: Architecture<LlamaConfig, LlamaCausalLM> = {
  modelTypes: ["llama"],
  decodeConfig: decodeLlamaConfig,
  parameterShapes: llamaParameterShapes,
  tokenEmbeddingName: embedName,
  build: llamaCausalLM,
}
