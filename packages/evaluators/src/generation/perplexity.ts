// Perplexity of references under the model: exp(total negative log-likelihood / total tokens),
// pooled over every reference token of the corpus (not a mean of per-example perplexities).
import type * as tf from "@tensorflow/tfjs"
import type { Adapter } from "@peftlab/adapters-base"
import { MetricInputError } from "@peftlab/stats"
import { continuationTokenLogProbs, type ContinuationRow, type LanguageModel } from "../lm/continuation.ts"

/** Summed negative log-likelihood (nats) of some tokens, and how many. */
export interface NllTotal {
  readonly nll: number
  readonly tokens: number
}

/** exp(Σ nll / Σ tokens) over the parts; throws `MetricInputError` for no tokens or a negative, non-finite or fractional entry. */
export const perplexity = (parts: ReadonlyArray<NllTotal>): number => {
  let nll = 0
  let tokens = 0
  parts.forEach((part, i) => {
    if (!(Number.isFinite(part.nll) && part.nll >= 0)) throw new MetricInputError({ source: "perplexity", detail: `part ${i}: nll must be a finite number ≥ 0, got ${part.nll}` })
    if (!(Number.isInteger(part.tokens) && part.tokens >= 0)) throw new MetricInputError({ source: "perplexity", detail: `part ${i}: tokens must be an integer ≥ 0, got ${part.tokens}` })
    nll += part.nll
    tokens += part.tokens
  })
  if (tokens === 0) throw new MetricInputError({ source: "perplexity", detail: "no tokens to score" })
  return Math.exp(nll / tokens)
}

/** The NLL total of per-token log-probabilities [rows, T] where `mask` [rows, T] is 1 (read back asynchronously; inputs are not disposed). */
export const nllTotal = async (logProbs: tf.Tensor2D, mask: tf.Tensor2D): Promise<NllTotal> => {
  const [values, weights] = await Promise.all([logProbs.data(), mask.data()])
  let nll = 0
  let tokens = 0
  values.forEach((logProb, i) => {
    if (weights[i]! > 0) {
      nll -= logProb
      tokens++
    }
  })
  return { nll, tokens }
}

/**
 * The model's perplexity on each row's continuation (a reference answer) after its prompt, in
 * batches of `batchSize` rows (`continuationTokenLogProbs`, so decoder-only and encoder-decoder
 * models and any adapter alike).
 */
export const referencePerplexity = async (
  model: LanguageModel,
  adapter: Adapter,
  rows: ReadonlyArray<ContinuationRow>,
  padId: number,
  batchSize = 8,
): Promise<NllTotal & { readonly perplexity: number }> => {
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new MetricInputError({ source: "perplexity", detail: `batchSize must be a positive integer, got ${batchSize}` })
  const parts: NllTotal[] = []
  for (let start = 0; start < rows.length; start += batchSize) {
    const { logProbs, mask } = continuationTokenLogProbs(model, adapter, rows.slice(start, start + batchSize), padId)
    try {
      parts.push(await nllTotal(logProbs, mask))
    } finally {
      logProbs.dispose()
      mask.dispose()
    }
  }
  const total = { nll: parts.reduce((s, p) => s + p.nll, 0), tokens: parts.reduce((s, p) => s + p.tokens, 0) }
  return { ...total, perplexity: perplexity(parts) }
}
