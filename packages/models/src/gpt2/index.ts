// The GPT-2 architecture entry (HF GPT2LMHeadModel).
import type { Architecture } from "../architecture.ts"
import { decodeGpt2Config, type Gpt2Config } from "./config.ts"
import { gpt2CausalLM, type Gpt2CausalLM } from "./model.ts"
import { gpt2CanonicalName, gpt2ParameterShapes, gpt2RandomInit, isConv1dWeight, positionEmbedName, tokenEmbedName } from "./parameter-names.ts"

export const gpt2: Architecture<Gpt2Config, Gpt2CausalLM> = {
  modelTypes: ["gpt2"],
  decodeConfig: decodeGpt2Config,
  parameterShapes: gpt2ParameterShapes,
  canonicalName: gpt2CanonicalName,
  tokenEmbeddingName: tokenEmbedName,
  isBackendTable: (name) => name === positionEmbedName,
  isStoredTransposed: isConv1dWeight,
  randomInit: gpt2RandomInit,
  build: gpt2CausalLM,
}
