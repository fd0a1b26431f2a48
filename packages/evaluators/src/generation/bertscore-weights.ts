// BERTScore's arithmetic after the encoder, as bert-score 0.3.13 does it (bert_score/utils.py and
// score.py), kept apart from the model so it can be checked on hand-computed numbers: the token
// weights (idf from the references, or uniform with the special tokens zeroed), one pair's P, R
// and F1 from its greedy matches, the best of several references, the baseline file and rescaling.
import { readFileSync } from "node:fs"
import { MetricInputError } from "@peftlab/stats"

export interface BertScoreTriple {
  readonly precision: number
  readonly recall: number
  readonly f1: number
}

/** A token id's weight in the greedy matching. */
export type TokenWeight = (id: number) => number

/**
 * get_idf_dict: idf(t) = log((M + 1) / (df(t) + 1)) over the M references' token ids (special
 * tokens included, each reference counted once per token); a token in no reference gets log(M + 1).
 * [CLS] and [SEP] are in every reference, so their idf is log(1) = 0.
 */
export const bertScoreIdf = (references: ReadonlyArray<ReadonlyArray<number>>): TokenWeight => {
  const documentFrequency = new Map<number, number>()
  for (const ids of references) for (const id of new Set(ids)) documentFrequency.set(id, (documentFrequency.get(id) ?? 0) + 1)
  const documents = references.length
  return (id) => Math.log((documents + 1) / ((documentFrequency.get(id) ?? 0) + 1))
}

/** score(idf=False): every token weighs 1 but the special ones ([CLS] and [SEP]), which weigh 0. */
export const uniformWeights =
  (specialIds: ReadonlySet<number>): TokenWeight =>
  (id) =>
    specialIds.has(id) ? 0 : 1

/** Σ weight·match / Σ weight: NaN when every weight is 0, as in bert-score. */
const weightedMean = (matches: ArrayLike<number>, weights: ReadonlyArray<number>): number => {
  const total = weights.reduce((sum, w) => sum + w, 0)
  return weights.reduce((sum, w, i) => sum + (w / total) * matches[i]!, 0)
}

/**
 * greedy_cos_idf for one pair: P weighs each candidate token's best cosine against the reference,
 * R each reference token's best cosine against the candidate, F1 = 2PR/(P+R). A side of two tokens
 * ([CLS] [SEP]: an empty sentence) sets P and R to 0 after F1 is computed, and a NaN F1 becomes 0;
 * a NaN P or R (all of a side's weights 0) stays NaN, as bert-score returns it.
 */
export const pairScores = (
  candidate: { readonly bestMatch: ArrayLike<number>; readonly weights: ReadonlyArray<number> },
  reference: { readonly bestMatch: ArrayLike<number>; readonly weights: ReadonlyArray<number> },
): BertScoreTriple => {
  const precision = weightedMean(candidate.bestMatch, candidate.weights)
  const recall = weightedMean(reference.bestMatch, reference.weights)
  const f1 = (2 * precision * recall) / (precision + recall)
  const empty = candidate.weights.length === 2 || reference.weights.length === 2
  return { precision: empty ? 0 : precision, recall: empty ? 0 : recall, f1: Number.isNaN(f1) ? 0 : f1 }
}

/** Several references: score() keeps each column's best over the candidate's references (P, R and F1 apart). */
export const bestOf = (scores: ReadonlyArray<BertScoreTriple>): BertScoreTriple => ({
  precision: Math.max(...scores.map((s) => s.precision)),
  recall: Math.max(...scores.map((s) => s.recall)),
  f1: Math.max(...scores.map((s) => s.f1)),
})

/** rescale_with_baseline: (score - b) / (1 - b), each of P, R and F1 with its own baseline. */
export const rescaleWithBaseline = (score: BertScoreTriple, baseline: BertScoreTriple): BertScoreTriple => ({
  precision: (score.precision - baseline.precision) / (1 - baseline.precision),
  recall: (score.recall - baseline.recall) / (1 - baseline.recall),
  f1: (score.f1 - baseline.f1) / (1 - baseline.f1),
})

/**
 * One layer's baselines from the text of a bert-score baseline file (rescale_baseline/<lang>/<model>.tsv,
 * comma-separated despite the name): a header (LAYER,P,R,F), then a row per layer; like
 * pd.read_csv(path).iloc[num_layers], the row is picked by its position, not its LAYER value.
 */
export const parseBertScoreBaseline = (text: string, numLayers: number, source = "baseline"): BertScoreTriple => {
  const rows = text.split(/\r?\n/).filter((line) => line.trim() !== "")
  const row = rows[numLayers + 1]
  if (row === undefined) throw new MetricInputError({ source, detail: `no row for layer ${numLayers}: the file has ${Math.max(rows.length - 1, 0)} layer rows` })
  const [precision, recall, f1] = row.split(",").slice(1).map(Number)
  if (![precision, recall, f1].every((v) => v !== undefined && Number.isFinite(v))) {
    throw new MetricInputError({ source, detail: `row ${numLayers + 1} ("${row}"): expected LAYER,P,R,F numbers` })
  }
  return { precision: precision!, recall: recall!, f1: f1! }
}

/** parseBertScoreBaseline of a file on disk. */
export const readBertScoreBaseline = (path: string, numLayers: number): BertScoreTriple => {
  let text: string
  try {
    text = readFileSync(path, "utf8")
  } catch (error) {
    throw new MetricInputError({ source: path, detail: `cannot read the baseline file: ${(error as Error).message}` })
  }
  return parseBertScoreBaseline(text, numLayers, path)
}

/** The mean of each column over the examples (the corpus BERTScore). */
export const meanScores = (scores: ReadonlyArray<BertScoreTriple>): BertScoreTriple => {
  const mean = (pick: (s: BertScoreTriple) => number) => scores.reduce((sum, s) => sum + pick(s), 0) / scores.length
  return { precision: mean((s) => s.precision), recall: mean((s) => s.recall), f1: mean((s) => s.f1) }
}
