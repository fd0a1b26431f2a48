// Exact match and token F1 as SQuAD v1.1's official evaluate-v1.1.py: answers normalized, each
// prediction scored against its best reference, corpus scores as percentages.
import { MetricInputError } from "@peftlab/stats"
import { checkPairs } from "./pairs.ts"
import { splitOnWhitespace } from "./python-text.ts"

// string.punctuation: the 32 ASCII punctuation characters.
const asciiPunctuation = /[!-\/:-@\[-`{-~]/g
// re.sub(r'\b(a|an|the)\b', ' ', text) with Python's Unicode \b: a word character is a letter, a
// digit or an underscore.
const articles = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu

/** evaluate-v1.1.py's normalize_answer: lowercase, drop punctuation, drop a/an/the, collapse whitespace. */
export const normalizeSquadAnswer = (text: string): string =>
  splitOnWhitespace(text.toLowerCase().replace(asciiPunctuation, "").replace(articles, " ")).join(" ")

const tokenF1 = (prediction: string, reference: string): number => {
  const predicted = splitOnWhitespace(normalizeSquadAnswer(prediction))
  const gold = splitOnWhitespace(normalizeSquadAnswer(reference))
  const goldCounts = new Map<string, number>()
  for (const token of gold) goldCounts.set(token, (goldCounts.get(token) ?? 0) + 1)
  let same = 0
  for (const token of predicted) {
    const left = goldCounts.get(token) ?? 0
    if (left > 0) {
      same++
      goldCounts.set(token, left - 1)
    }
  }
  if (same === 0) return 0
  const precision = same / predicted.length
  const recall = same / gold.length
  return (2 * precision * recall) / (precision + recall)
}

const bestOver = (references: readonly string[], score: (reference: string) => number): number => {
  if (references.length === 0) throw new MetricInputError({ source: "references", detail: "an example has no reference answer" })
  return Math.max(...references.map(score))
}

/** 1 when the normalized prediction equals some normalized reference, else 0. */
export const squadExactMatch = (prediction: string, references: readonly string[]): number =>
  bestOver(references, (reference) => (normalizeSquadAnswer(prediction) === normalizeSquadAnswer(reference) ? 1 : 0))

/** The best token F1 (bag-of-tokens overlap of normalized answers) over the references. */
export const squadF1 = (prediction: string, references: readonly string[]): number =>
  bestOver(references, (reference) => tokenF1(prediction, reference))

export interface SquadScores {
  /** 100 · mean exact match. */
  readonly exactMatch: number
  /** 100 · mean F1. */
  readonly f1: number
  /** Each example's exact match (0 or 1) and F1 (0-1), in input order. */
  readonly perExample: ReadonlyArray<{ readonly exactMatch: number; readonly f1: number }>
}

/** evaluate-v1.1.py's evaluate(): `references[i]` holds the accepted answers for `predictions[i]`. */
export const squadMetrics = (references: ReadonlyArray<readonly string[]>, predictions: readonly string[]): SquadScores => {
  checkPairs(references, predictions)
  const perExample = predictions.map((prediction, i) => ({
    exactMatch: squadExactMatch(prediction, references[i]!),
    f1: squadF1(prediction, references[i]!),
  }))
  const percent = (pick: (e: { exactMatch: number; f1: number }) => number) => (100 * perExample.reduce((s, e) => s + pick(e), 0)) / perExample.length
  return { exactMatch: percent((e) => e.exactMatch), f1: percent((e) => e.f1), perExample }
}
