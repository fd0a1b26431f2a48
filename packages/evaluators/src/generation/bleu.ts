// Corpus BLEU (Papineni et al. 2002) as sacreBLEU 2.x computes it (metrics/bleu.py): 13a tokens,
// n-grams up to 4 clipped by their largest count in any reference, the closest reference length
// (the shorter on a tie), a brevity penalty on the corpus totals, and sacreBLEU's smoothing and
// effective-order rules. Defaults are corpus_bleu's: smooth_method "exp", effective order off.
import { MetricInputError } from "@peftlab/stats"
import { checkPairs } from "./pairs.ts"
import { splitOnWhitespace } from "./python-text.ts"
import { tokenize13a } from "./tokenizer-13a.ts"

/** Chen and Cherry (2014): none; floor = method 1; add-k = method 2; exp = method 3 (mteval-v13a's). */
export type BleuSmoothing = "exp" | "none" | "floor" | "add-k"

export interface BleuOptions {
  /** Default "exp". */
  readonly smoothMethod?: BleuSmoothing
  /** For "floor" (default 0.1) and "add-k" (default 1). */
  readonly smoothValue?: number
  /** Average only the orders up to the longest one the system produced. Default false (true in `sentenceBleu`). */
  readonly effectiveOrder?: boolean
  /** Default false. */
  readonly lowercase?: boolean
  /** "13a" (default) or "none" (split on whitespace only). */
  readonly tokenize?: "13a" | "none"
  /** Default 4. */
  readonly maxNgramOrder?: number
}

/** One example's sufficient statistics; summed over examples they give the corpus score. */
export interface BleuStatistics {
  readonly sysLen: number
  readonly refLen: number
  /** Matched (clipped) n-grams for n = 1 … maxNgramOrder. */
  readonly counts: ReadonlyArray<number>
  /** The hypothesis's n-grams for n = 1 … maxNgramOrder. */
  readonly totals: ReadonlyArray<number>
}

export interface BleuScore extends BleuStatistics {
  /** 0-100. */
  readonly score: number
  /** Per-order precisions, 0-100 (smoothed where the method smooths). */
  readonly precisions: ReadonlyArray<number>
  /** Brevity penalty exp(1 − refLen / sysLen) when sysLen < refLen, else 1. */
  readonly bp: number
}

const smoothDefaults: Record<BleuSmoothing, number> = { none: 0, floor: 0.1, "add-k": 1, exp: 0 }

const tokens = (text: string, options: BleuOptions): string[] => {
  // sacreBLEU strips trailing whitespace before tokenizing.
  const line = (options.lowercase === true ? text.toLowerCase() : text).trimEnd()
  return splitOnWhitespace((options.tokenize ?? "13a") === "13a" ? tokenize13a(line) : line)
}

const ngramCounts = (words: readonly string[], maxOrder: number): Map<string, number> => {
  const counts = new Map<string, number>()
  for (let n = 1; n <= maxOrder; n++) {
    for (let i = 0; i + n <= words.length; i++) {
      // No token contains a space, so a space-joined n-gram names it uniquely, order included.
      const gram = words.slice(i, i + n).join(" ")
      counts.set(gram, (counts.get(gram) ?? 0) + 1)
    }
  }
  return counts
}

const closestLength = (hypLen: number, refLens: readonly number[]): number =>
  refLens.reduce((best, len) => {
    const d = Math.abs(hypLen - len)
    const bestD = Math.abs(hypLen - best)
    return d < bestD || (d === bestD && len < best) ? len : best
  })

const maxOrderOf = (options: BleuOptions): number => {
  const order = options.maxNgramOrder ?? 4
  if (!Number.isInteger(order) || order < 1) throw new MetricInputError({ source: "bleu", detail: `maxNgramOrder must be a positive integer, got ${order}` })
  return order
}

/**
 * Each example's BLEU statistics. `references[i]` is one reference or several for `predictions[i]`.
 * Throws `MetricInputError` on unequal lengths, no examples, or an example with no reference.
 */
export const bleuStatistics = (
  references: ReadonlyArray<string | ReadonlyArray<string>>,
  predictions: readonly string[],
  options: BleuOptions = {},
): BleuStatistics[] => {
  checkPairs(references, predictions)
  const maxOrder = maxOrderOf(options)
  return predictions.map((prediction, i) => {
    const refs = typeof references[i] === "string" ? [references[i] as string] : (references[i] as ReadonlyArray<string>)
    if (refs.length === 0) throw new MetricInputError({ source: "references", detail: `index ${i}: no reference` })
    const refTokens = refs.map((r) => tokens(r, options))
    const refCounts = new Map<string, number>()
    for (const words of refTokens) {
      for (const [gram, count] of ngramCounts(words, maxOrder)) refCounts.set(gram, Math.max(refCounts.get(gram) ?? 0, count))
    }
    const hyp = tokens(prediction, options)
    const counts = new Array<number>(maxOrder).fill(0)
    const totals = new Array<number>(maxOrder).fill(0)
    for (const [gram, count] of ngramCounts(hyp, maxOrder)) {
      const n = gram.split(" ").length - 1
      totals[n]! += count
      counts[n]! += Math.min(count, refCounts.get(gram) ?? 0)
    }
    return { sysLen: hyp.length, refLen: closestLength(hyp.length, refTokens.map((t) => t.length)), counts, totals }
  })
}

// sacreBLEU's my_log: log 0 is a large negative number rather than −∞, so the score is 0, not NaN.
const bleuLog = (x: number): number => (x === 0 ? -9999999999 : Math.log(x))

/** The corpus score from summed statistics: sacreBLEU's BLEU.compute_bleu. */
export const bleuFromStatistics = (statistics: ReadonlyArray<BleuStatistics>, options: BleuOptions = {}): BleuScore => {
  if (statistics.length === 0) throw new MetricInputError({ source: "bleu", detail: "no statistics to score" })
  const maxOrder = maxOrderOf(options)
  const sum = (pick: (s: BleuStatistics) => number) => statistics.reduce((acc, s) => acc + pick(s), 0)
  const sysLen = sum((s) => s.sysLen)
  const refLen = sum((s) => s.refLen)
  const counts = Array.from({ length: maxOrder }, (_, n) => sum((s) => s.counts[n] ?? 0))
  const totals = Array.from({ length: maxOrder }, (_, n) => sum((s) => s.totals[n] ?? 0))
  const method = options.smoothMethod ?? "exp"
  const smoothValue = options.smoothValue ?? smoothDefaults[method]
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1
  const precisions = new Array<number>(maxOrder).fill(0)
  const result = (score: number): BleuScore => ({ score, counts, totals, precisions, bp, sysLen, refLen })
  // No match at all scores 0 whatever the smoothing (sacreBLEU #141).
  if (counts.every((c) => c === 0)) return result(0)

  let expDivisor = 1
  let order = maxOrder
  for (let n = 0; n < maxOrder; n++) {
    const k = method === "add-k" && n > 0 ? smoothValue : 0
    const correct = counts[n]! + k
    const total = totals[n]! + k
    if (total === 0) break
    if (options.effectiveOrder === true) order = n + 1
    if (correct === 0) {
      if (method === "exp") {
        expDivisor *= 2
        precisions[n] = 100 / (expDivisor * total)
      } else if (method === "floor") {
        precisions[n] = (100 * smoothValue) / total
      }
    } else {
      precisions[n] = (100 * correct) / total
    }
  }
  return result(bp * Math.exp(precisions.slice(0, order).reduce((s, p) => s + bleuLog(p), 0) / order))
}

/** sacreBLEU's `corpus_bleu(predictions, [references])` with the same defaults. */
export const corpusBleu = (
  references: ReadonlyArray<string | ReadonlyArray<string>>,
  predictions: readonly string[],
  options: BleuOptions = {},
): BleuScore => bleuFromStatistics(bleuStatistics(references, predictions, options), options)

/** sacreBLEU's `sentence_bleu(prediction, references)`: corpus BLEU of one pair with effective order on. */
export const sentenceBleu = (reference: string | ReadonlyArray<string>, prediction: string, options: BleuOptions = {}): BleuScore =>
  corpusBleu([reference], [prediction], { effectiveOrder: true, ...options })
