// BERTScore (Zhang et al. 2020) as bert-score 0.3.13's `score` computes it, for any encoder
// peftlab loads (@peftlab/models' loadEncoder) with its tokenizer: each text encoded with its
// special tokens and cut to maxLength (sent_encode), the hidden states after `numLayers` layers
// (bert-score cuts the model to that many), L2-normalised, greedy cosine matching of each
// candidate token to the reference and back, weighted by idf from the references or uniformly with
// [CLS] and [SEP] weighing 0 (bertscore-weights.ts), the best over several references, and
// optional baseline rescaling. test/bertscore.test.ts checks it against bert-score itself.
import { readFileSync } from "node:fs"
import * as tf from "@tensorflow/tfjs"
import type { EncoderModel } from "@peftlab/models"
import { MetricInputError } from "@peftlab/stats"
import { padBatch, type Tokenizer } from "@peftlab/tokenizers"
import {
  bertScoreIdf,
  bestOf,
  meanScores,
  pairScores,
  readBertScoreBaseline,
  rescaleWithBaseline,
  uniformWeights,
  type BertScoreTriple,
  type TokenWeight,
} from "./bertscore-weights.ts"
import { stripPython } from "./python-text.ts"

export { parseBertScoreBaseline, readBertScoreBaseline, type BertScoreTriple } from "./bertscore-weights.ts"

export interface BertScoreOptions {
  /** The layer whose hidden states are matched (bert-score's num_layers; 0 is the embeddings' output). */
  readonly numLayers?: number
  /** A Hugging Face id whose default layer bert-score knows (model2layers), used when numLayers is not given. */
  readonly modelType?: string
  /** Weigh tokens by their idf over the references (default false: uniform weights). */
  readonly idf?: boolean
  /** Rescale each score as (s - b) / (1 - b) with these baselines... */
  readonly baseline?: BertScoreTriple
  /** ...or with row numLayers of this bert-score baseline file (rescale_baseline/<lang>/<model>.tsv). */
  readonly baselineFile?: string
  /** Sentences per forward pass and pairs per matching batch (bert-score's batch_size, default 64). */
  readonly batchSize?: number
  /**
   * Tokens per text, special tokens included (bert-score: the tokenizer's model_max_length, from
   * tokenizer_config.json). Default: the model's max_position_embeddings.
   */
  readonly maxLength?: number
}

export interface BertScoreResult {
  /** One score per candidate, in order. */
  readonly precision: ReadonlyArray<number>
  readonly recall: ReadonlyArray<number>
  readonly f1: ReadonlyArray<number>
  /** Each column's mean over the candidates. */
  readonly corpus: BertScoreTriple
  /** The layer used. */
  readonly numLayers: number
}

interface Model2Layers {
  readonly model2layers: Readonly<Record<string, number>>
}
let model2layers: Model2Layers["model2layers"] | undefined
const defaultLayers = (): Model2Layers["model2layers"] =>
  (model2layers ??= (JSON.parse(readFileSync(new URL("../../assets/bertscore/model2layers.json", import.meta.url), "utf8")) as Model2Layers).model2layers)

/** bert-score's default layer of a Hugging Face model id (its model2layers table), undefined for a model it does not list. */
export const bertScoreDefaultLayer = (modelType: string): number | undefined => defaultLayers()[modelType]

const resolveLayer = (model: EncoderModel, options: BertScoreOptions): number => {
  const layers = model.dims.num_hidden_layers
  // score(): num_layers = model2layers[model_type], a KeyError for a model the table lacks.
  const numLayers = options.numLayers ?? (options.modelType === undefined ? undefined : bertScoreDefaultLayer(options.modelType))
  if (numLayers === undefined) {
    const why = options.modelType === undefined ? "no modelType given" : `bert-score has no default layer for "${options.modelType}"`
    throw new MetricInputError({ source: "bertScore", detail: `numLayers is required: ${why}` })
  }
  if (!Number.isInteger(numLayers) || numLayers < 0 || numLayers > layers) {
    throw new MetricInputError({ source: "bertScore", detail: `numLayers must be an integer from 0 to ${layers}, got ${numLayers}` })
  }
  return numLayers
}

/**
 * sent_encode: the text stripped (Python's str.strip), encoded with special tokens and truncated
 * to maxLength as transformers does (the text's tokens cut, the special tokens kept); an empty
 * text is the special tokens alone ([CLS] [SEP]).
 */
const sentenceEncoder = (tokenizer: Tokenizer, maxLength: number) => {
  const empty = tokenizer.encode("")
  if (maxLength < empty.length) throw new MetricInputError({ source: "bertScore", detail: `maxLength ${maxLength} leaves no room for the ${empty.length} special tokens` })
  return (text: string): ReadonlyArray<number> => {
    const stripped = stripPython(text)
    if (stripped === "") return empty
    const ids = tokenizer.encode(stripped)
    if (ids.length <= maxLength) return ids
    const content = tokenizer.encode(stripped, { addSpecialTokens: false })
    // Where the text's tokens begin among the special ones the template puts around them.
    let start = 0
    while (content.some((id, k) => ids[start + k] !== id)) {
      if (++start > ids.length - content.length) throw new MetricInputError({ source: "bertScore", detail: `cannot truncate a text whose tokens the tokenizer's template changes` })
    }
    const kept = maxLength - (ids.length - content.length)
    return [...ids.slice(0, start), ...content.slice(0, kept), ...ids.slice(start + content.length)]
  }
}

const BATCH_TOKENS = 8192

/** Each distinct text's L2-normalised states of layer numLayers, [tokens × hidden] row-major, in batches. */
const tokenEmbeddings = async (
  model: EncoderModel,
  encoded: ReadonlyMap<string, ReadonlyArray<number>>,
  padId: number,
  numLayers: number,
  batchSize: number,
): Promise<Map<string, Float32Array>> => {
  const hidden = model.dims.hidden_size
  // Longest first, as bert-score sorts; a batch also stops at BATCH_TOKENS padded tokens and before
  // a text under half its longest, so padding at most doubles the work (it changes the states only
  // by float rounding).
  const length = (text: string) => encoded.get(text)!.length
  const texts = [...encoded.keys()].sort((a, b) => length(b) - length(a))
  const out = new Map<string, Float32Array>()
  for (let start = 0; start < texts.length; ) {
    const longest = length(texts[start]!)
    let end = start + 1
    while (end < texts.length && end - start < batchSize && (end - start + 1) * longest <= BATCH_TOKENS && 2 * length(texts[end]!) >= longest) end++
    const batch = texts.slice(start, end)
    start = end
    const { ids, attentionMask, lengths } = padBatch(
      batch.map((text) => encoded.get(text)!),
      padId,
      "right",
    )
    const normalised = tf.tidy(() => {
      const states = model.encode({
        embeds: model.embed(tf.tensor2d(ids, undefined, "int32")),
        attentionMask: tf.tensor2d(attentionMask, undefined, "int32"),
        layers: numLayers,
      })
      return states.div<tf.Tensor3D>(tf.norm(states, "euclidean", -1, true))
    })
    const values = await normalised.data<"float32">()
    normalised.dispose()
    const width = ids[0]!.length * hidden
    batch.forEach((text, i) => out.set(text, values.slice(i * width, i * width + lengths[i]! * hidden)))
  }
  return out
}

/** Rows of [tokens × hidden] embeddings zero-padded to the longest, as one [rows, longest, hidden] tensor. */
const paddedStack = (rows: ReadonlyArray<Float32Array>, hidden: number): tf.Tensor3D => {
  const longest = Math.max(...rows.map((row) => row.length / hidden))
  const buffer = new Float32Array(rows.length * longest * hidden)
  rows.forEach((row, i) => buffer.set(row, i * longest * hidden))
  return tf.tensor3d(buffer, [rows.length, longest, hidden])
}

/**
 * Each pair's best cosine per candidate token (against the reference) and per reference token
 * (against the candidate), batchSize pairs at a time as bert_cos_score_idf pads them: a padded
 * position's cosine is 0 and takes part in the max, so a token whose every cosine is negative
 * matches at 0 when the other side is shorter than the longest in its batch, as in bert-score.
 */
const greedyMatches = async (
  pairs: ReadonlyArray<{ readonly candidate: Float32Array; readonly reference: Float32Array }>,
  hidden: number,
  batchSize: number,
): Promise<Array<{ readonly candidate: Float32Array; readonly reference: Float32Array }>> => {
  const out: Array<{ candidate: Float32Array; reference: Float32Array }> = []
  for (let start = 0; start < pairs.length; start += batchSize) {
    const batch = pairs.slice(start, start + batchSize)
    const [precision, recall] = tf.tidy((): [tf.Tensor2D, tf.Tensor2D] => {
      const candidates = paddedStack(
        batch.map((p) => p.candidate),
        hidden,
      )
      const references = paddedStack(
        batch.map((p) => p.reference),
        hidden,
      )
      const similarity = tf.matMul(candidates, references, false, true)
      return [similarity.max(2), similarity.max(1)]
    })
    const [candidateWidth, referenceWidth] = [precision.shape[1]!, recall.shape[1]!]
    const [bestForCandidate, bestForReference] = await Promise.all([precision.data<"float32">(), recall.data<"float32">()])
    tf.dispose([precision, recall])
    batch.forEach((pair, i) =>
      out.push({
        candidate: bestForCandidate.subarray(i * candidateWidth, i * candidateWidth + pair.candidate.length / hidden),
        reference: bestForReference.subarray(i * referenceWidth, i * referenceWidth + pair.reference.length / hidden),
      }),
    )
  }
  return out
}

/**
 * BERTScore P, R and F1 of each candidate against its reference (or the best over its references),
 * as bert_score.score(candidates, references, num_layers, idf, batch_size, rescale_with_baseline).
 */
export const bertScore = async (
  model: EncoderModel,
  tokenizer: Tokenizer,
  candidates: ReadonlyArray<string>,
  references: ReadonlyArray<string | ReadonlyArray<string>>,
  options: BertScoreOptions = {},
): Promise<BertScoreResult> => {
  if (candidates.length !== references.length) {
    throw new MetricInputError({ source: "bertScore", detail: `${candidates.length} candidates but ${references.length} references` })
  }
  if (candidates.length === 0) throw new MetricInputError({ source: "bertScore", detail: "no candidates" })
  const groups = references.map((r) => (typeof r === "string" ? [r] : r))
  const emptyGroup = groups.findIndex((group) => group.length === 0)
  if (emptyGroup >= 0) throw new MetricInputError({ source: "references", detail: `index ${emptyGroup}: no reference` })
  const numLayers = resolveLayer(model, options)
  const batchSize = options.batchSize ?? 64
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new MetricInputError({ source: "bertScore", detail: `batchSize must be a positive integer, got ${batchSize}` })
  const baseline = options.baseline ?? (options.baselineFile === undefined ? undefined : readBertScoreBaseline(options.baselineFile, numLayers))

  // One row per (candidate, reference), as score() flattens several references per candidate.
  const rows = groups.flatMap((group, i) => group.map((reference) => ({ candidate: candidates[i]!, reference })))
  const encode = sentenceEncoder(tokenizer, options.maxLength ?? model.dims.max_position_embeddings ?? Number.POSITIVE_INFINITY)
  const encoded = new Map<string, ReadonlyArray<number>>()
  for (const { candidate, reference } of rows) for (const text of [candidate, reference]) if (!encoded.has(text)) encoded.set(text, encode(text))
  const weight: TokenWeight = options.idf ? bertScoreIdf(rows.map((row) => encoded.get(row.reference)!)) : uniformWeights(new Set(tokenizer.encode("")))

  const hidden = model.dims.hidden_size
  const embeddings = await tokenEmbeddings(model, encoded, tokenizer.padId, numLayers, batchSize)
  const matches = await greedyMatches(
    rows.map((row) => ({ candidate: embeddings.get(row.candidate)!, reference: embeddings.get(row.reference)! })),
    hidden,
    batchSize,
  )
  const rowScores = rows.map((row, i) =>
    pairScores(
      { bestMatch: matches[i]!.candidate, weights: encoded.get(row.candidate)!.map(weight) },
      { bestMatch: matches[i]!.reference, weights: encoded.get(row.reference)!.map(weight) },
    ),
  )
  let next = 0
  const scores = groups.map((group) => {
    const best = bestOf(rowScores.slice(next, (next += group.length)))
    return baseline ? rescaleWithBaseline(best, baseline) : best
  })
  return {
    precision: scores.map((s) => s.precision),
    recall: scores.map((s) => s.recall),
    f1: scores.map((s) => s.f1),
    corpus: meanScores(scores),
    numLayers,
  }
}
