// The Falcon architecture entry (HF FalconForCausalLM): Falcon-RW's ALiBi decoder, Falcon-7B's
// multi-query parallel one and the grouped-query new decoder architecture.
import type { Architecture } from "../architecture.ts"
import { decodeFalconConfig, type FalconConfig } from "./config.ts"
import { falconCausalLM, type FalconCausalLM } from "./model.ts"
import { embedName, falconParameterShapes, falconRandomInit } from "./parameter-names.ts"

export const falcon: Architecture<FalconConfig, FalconCausalLM> = {
  modelTypes: ["falcon"],
  decodeConfig: decodeFalconConfig,
  parameterShapes: falconParameterShapes,
  tokenEmbeddingName: embedName,
  randomInit: falconRandomInit,
  build: falconCausalLM,
}
