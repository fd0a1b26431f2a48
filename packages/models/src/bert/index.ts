// The BERT architecture entry (HF BertModel inside BertForQuestionAnswering / BertForSequenceClassification).
import type { Architecture } from "../architecture.ts"
import { decodeBertConfig, type BertConfig } from "./config.ts"
import { bertEncoder, type BertEncoder } from "./model.ts"
import { bertParameterShapes, canonicalBertName, isOptionalBertParameter } from "./parameter-names.ts"

export type { BertConfig } from "./config.ts"
export type { BertEncoder } from "./model.ts"
export { classificationHead, spanHead, type ClassificationHead, type HeadOptions, type SpanHead } from "./heads.ts"

export const bert: Architecture<BertConfig, BertEncoder> = {
  modelTypes: ["bert"],
  decodeConfig: decodeBertConfig,
  parameterShapes: bertParameterShapes,
  canonicalName: canonicalBertName,
  isOptional: isOptionalBertParameter,
  // LayerNorm biases are 1-D "norm" tensors too: only their weights are gains.
  randomInit: (name, shape) => (shape.length === 1 ? (name.endsWith("LayerNorm.weight") ? "gain" : "bias") : 1 / Math.sqrt(shape[shape.length - 1] as number)),
  build: bertEncoder,
}
