// ROUGE-1, ROUGE-2 and ROUGE-L (Lin 2004) as Google's rouge-score package computes them
// (rouge_scorer.py, tokenize.py): the default tokenizer, optional Porter stemming, n-gram overlap
// with clipped counts, and LCS per text pair (rougeL, not the summary-level rougeLsum).
import { MetricInputError } from "@peftlab/stats"
import { checkPairs } from "./pairs.ts"
import { porterStem } from "./porter-stemmer.ts"

export interface RougeScore {
  readonly precision: number
  readonly recall: number
  readonly fmeasure: number
}

export interface RougeScores {
  readonly rouge1: RougeScore
  readonly rouge2: RougeScore
  readonly rougeL: RougeScore
}

export interface RougeOptions {
  /** Porter-stem tokens longer than 3 characters (rouge-score's use_stemmer). Default false. */
  readonly useStemmer?: boolean
}

/**
 * rouge-score's default tokenizer: lowercase, every run of characters outside [a-z0-9] becomes a
 * space, split, and (with `useStemmer`) stem tokens longer than 3 characters.
 */
export const rougeTokenize = (text: string, options: RougeOptions = {}): string[] =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .map((token) => (options.useStemmer === true && token.length > 3 ? porterStem(token) : token))
    .filter((token) => token.length > 0)

const fmeasure = (precision: number, recall: number): number =>
  precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0

const ngramCounts = (tokens: readonly string[], n: number): Map<string, number> => {
  const counts = new Map<string, number>()
  for (let i = 0; i + n <= tokens.length; i++) {
    // Tokens are [a-z0-9]+, so a space joins them without ambiguity.
    const gram = tokens.slice(i, i + n).join(" ")
    counts.set(gram, (counts.get(gram) ?? 0) + 1)
  }
  return counts
}

/** ROUGE-N: n-grams in common (each counted at most as often as in either text) over each side's n-grams. */
export const rougeN = (targetTokens: readonly string[], predictionTokens: readonly string[], n: number): RougeScore => {
  if (!Number.isInteger(n) || n < 1) throw new MetricInputError({ source: "rouge", detail: `n must be a positive integer, got ${n}` })
  const target = ngramCounts(targetTokens, n)
  const prediction = ngramCounts(predictionTokens, n)
  let overlap = 0
  for (const [gram, count] of target) overlap += Math.min(count, prediction.get(gram) ?? 0)
  const total = (counts: Map<string, number>) => [...counts.values()].reduce((s, c) => s + c, 0)
  const precision = overlap / Math.max(total(prediction), 1)
  const recall = overlap / Math.max(total(target), 1)
  return { precision, recall, fmeasure: fmeasure(precision, recall) }
}

const lcsLength = (a: readonly string[], b: readonly string[]): number => {
  let previous = new Array<number>(b.length + 1).fill(0)
  for (const x of a) {
    const current = [0]
    b.forEach((y, j) => current.push(x === y ? previous[j]! + 1 : Math.max(previous[j + 1]!, current[j]!)))
    previous = current
  }
  return previous[b.length]!
}

/** ROUGE-L: the longest common subsequence over the prediction's length (precision) and the target's (recall). */
export const rougeLcs = (targetTokens: readonly string[], predictionTokens: readonly string[]): RougeScore => {
  if (targetTokens.length === 0 || predictionTokens.length === 0) return { precision: 0, recall: 0, fmeasure: 0 }
  const lcs = lcsLength(targetTokens, predictionTokens)
  const precision = lcs / predictionTokens.length
  const recall = lcs / targetTokens.length
  return { precision, recall, fmeasure: fmeasure(precision, recall) }
}

/** rouge-score's `RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer).score(target, prediction)`. */
export const rouge = (target: string, prediction: string, options: RougeOptions = {}): RougeScores => {
  const t = rougeTokenize(target, options)
  const p = rougeTokenize(prediction, options)
  return { rouge1: rougeN(t, p, 1), rouge2: rougeN(t, p, 2), rougeL: rougeLcs(t, p) }
}

export interface CorpusRouge {
  /** Mean over examples of each example's F-measure. */
  readonly rouge1: number
  readonly rouge2: number
  readonly rougeL: number
  /** Every example's scores, in input order (for paired resampling). */
  readonly perExample: ReadonlyArray<RougeScores>
}

/** ROUGE F-measures averaged over examples, as the mean that rouge-score's BootstrapAggregator reports as "mid". */
export const corpusRouge = (references: readonly string[], predictions: readonly string[], options: RougeOptions = {}): CorpusRouge => {
  checkPairs(references, predictions)
  const perExample = references.map((reference, i) => rouge(reference, predictions[i]!, options))
  const mean = (pick: (s: RougeScores) => RougeScore) => perExample.reduce((s, e) => s + pick(e).fmeasure, 0) / perExample.length
  return { rouge1: mean((s) => s.rouge1), rouge2: mean((s) => s.rouge2), rougeL: mean((s) => s.rougeL), perExample }
}
