// The evaluators' public surface. Classification metrics, the confusion matrix, quantiles and
// MetricInputError live in @peftlab/stats (tfjs-free, so stats needs no tfjs) and are re-exported here.
export {
  type ClassificationMetrics,
  type ClassScores,
  classificationMetrics,
  confusionMatrix,
  type ConfusionOptions,
  MetricInputError,
  quantileSorted,
} from "@peftlab/stats"
export * from "./classification/balanced-accuracy.ts"
export * from "./classification/calibration.ts"
export * from "./classification/normalise-answer.ts"
export * from "./classification/roc-auc.ts"
export * from "./efficiency/adapter-size.ts"
export * from "./efficiency/latency.ts"
export * from "./efficiency/memory-sampler.ts"
export * from "./efficiency/throughput.ts"
export * from "./efficiency/wall-time.ts"
export * from "./extraction/extraction-metrics.ts"
export * from "./extraction/lenient-extraction-metrics.ts"
export * from "./extraction/relation-metrics.ts"
export * from "./generation/bertscore.ts"
export * from "./generation/bleu.ts"
export * from "./generation/perplexity.ts"
export * from "./generation/porter-stemmer.ts"
export * from "./generation/readability.ts"
export * from "./generation/rouge.ts"
export * from "./generation/squad.ts"
export * from "./generation/tokenizer-13a.ts"
export * from "./lm/continuation.ts"
export * from "./lm/generate-batch.ts"
export * from "./lm/label-scoring.ts"
export * from "./efficiency/parameters.ts"
