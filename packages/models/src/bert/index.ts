// The BERT architecture entry (HF BertModel inside BertForQuestionAnswering / BertForSequenceClassification),
// which also reads Megatron-BERT (MegatronBertModel: GatorTron), BERT with pre-LayerNorm layers.
import type { Architecture } from "../architecture.ts"
import { decodeBertConfig, type BertConfig } from "./config.ts"
import { bertEncoder, type BertEncoder } from "./model.ts"
import { bertParameterShapes, canonicalBertName, isOptionalBertParameter, positionEmbedName, tokenTypeEmbedName, wordEmbedName } from "./parameter-names.ts"

export type { BertConfig } from "./config.ts"
export type { BertEncoder } from "./model.ts"
export { classificationHead, spanHead, type ClassificationHead, type HeadOptions, type SpanHead } from "./heads.ts"

export const bert: Architecture<BertConfig, BertEncoder> = {
  modelTypes: ["bert", "megatron-bert"],
  decodeConfig: decodeBertConfig,
  parameterShapes: bertParameterShapes,
  canonicalName: canonicalBertName,
  isOptional: isOptionalBertParameter,
  tokenEmbeddingName: wordEmbedName,
  isBackendTable: (name) => name === positionEmbedName || name === tokenTypeEmbedName,
  // LayerNorm biases are 1-D "norm" tensors too: only their weights (BERT's LayerNorm, Megatron's ln) are gains.
  randomInit: (name, shape) => (shape.length === 1 ? (/(LayerNorm|\.ln)\.weight$/.test(name) ? "gain" : "bias") : 1 / Math.sqrt(shape[shape.length - 1] as number)),
  build: bertEncoder,
}
