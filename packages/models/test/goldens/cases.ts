// What a model golden is, shared by every architecture's case file, the test that checks peftlab
// against the fixtures (transformers-goldens.test.ts) and their generator (tools/goldens/models.ts):
// a tiny random checkpoint that peftlab writes from a config and a seed, the batch it runs, and
// which of transformers' outputs the fixture keeps. Also the shared batches and the trimming
// that keeps fixtures small.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { GoldenAnswer, GoldenRequest } from "@peftlab/references"
import { Effect } from "effect"
import { writeRandomCheckpoint } from "../../src/index.ts"

type Rows = ReadonlyArray<ReadonlyArray<number>>

interface CaseCommon {
  readonly name: string
  readonly config: Readonly<Record<string, unknown>>
  readonly seed: number
  readonly ids: Rows
  /** 1 = real token. Causal rows are left-padded (positions count from the mask). */
  readonly mask: Rows
  /** The last this many positions of each row of logits and hidden states are kept; all when absent. */
  readonly keep?: number
}

export interface CausalCase extends CaseCommon {
  readonly kind: "causal"
  /** ids with -100 where no loss is taken (padding, the prompt): transformers' loss with labels. */
  readonly labels?: Rows
  /** Greedy generation of this many new tokens from the batch. */
  readonly generate?: number
}

export interface Seq2SeqCase extends CaseCommon {
  readonly kind: "seq2seq"
  /** The decoder's input for the logits, starting with decoder_start_token_id. */
  readonly decoderIds: Rows
  /** Targets with -100 where no loss is taken; the decoder reads them shifted right. */
  readonly labels?: Rows
  readonly generate?: number
}

export interface EncoderCase extends CaseCommon {
  readonly kind: "encoder"
  readonly tokenTypeIds?: Rows
}

export type GoldenCase = CausalCase | Seq2SeqCase | EncoderCase

/** One architecture's cases; its fixture is goldens/<architecture>-transformers.json. */
export interface GoldenSet {
  readonly architecture: string
  readonly cases: ReadonlyArray<GoldenCase>
}

/** What the fixture holds of one case: transformers' outputs, trimmed to the kept positions. */
export interface CaseOutputs {
  readonly logits?: Array<Array<Array<number>>>
  readonly hidden?: Array<Array<Array<number>>>
  readonly pooled?: Array<Array<number>>
  readonly loss?: number
  readonly generated?: Array<Array<number>>
}

export interface GoldenFixture {
  readonly transformers: string
  readonly torch: string
  readonly cases: ReadonlyArray<{ readonly name: string } & CaseOutputs>
}

/** The two-row batch most causal cases run: the second row left-padded by two. */
export const shortIds: Rows = [
  [5, 9, 12, 40, 7, 33, 21],
  [0, 0, 3, 22, 17, 8, 60],
]
export const shortMask: Rows = shortIds.map((row, b) => row.map((_, t) => (b === 1 && t < 2 ? 0 : 1)))
/**
 * Loss on each row's tokens from position 3 on. transformers predicts the label at t from the
 * logits at t - 1, so a label on the second row's first real token (at 2) would be predicted from
 * a padding position, whose logits nothing defines: it is left out with the padding.
 */
export const shortLabels: Rows = shortIds.map((row) => row.map((id, t) => (t >= 3 ? id : -100)))

/** The request the reference script answers for `golden`, whose checkpoint is in `dir`. */
export const goldenRequest = (golden: GoldenCase, dir: string): GoldenRequest => {
  const { ids, mask } = golden
  if (golden.kind === "causal") return { kind: "causal", dir, ids, mask, labels: golden.labels, generate: golden.generate }
  if (golden.kind === "seq2seq") return { kind: "seq2seq", dir, ids, mask, decoder_ids: golden.decoderIds, labels: golden.labels, generate: golden.generate }
  return { kind: "encoder", dir, ids, mask, token_type_ids: golden.tokenTypeIds }
}

/** Each row's last `keep` positions of [batch][time][width] values (all of them without `keep`). */
export const keptPositions = (values: Array<Array<Array<number>>>, keep: number | undefined): Array<Array<Array<number>>> =>
  keep === undefined ? values : values.map((row) => row.slice(row.length - keep))

/** The outputs `golden` keeps of `answer` (transformers' or peftlab's, whole). */
export const keptOutputs = (golden: GoldenCase, answer: GoldenAnswer["cases"][number]): CaseOutputs => ({
  ...(answer.logits && { logits: keptPositions(answer.logits, golden.keep) }),
  ...(answer.hidden && { hidden: keptPositions(answer.hidden, golden.keep) }),
  ...(answer.pooled && { pooled: answer.pooled }),
  ...(answer.loss !== undefined && { loss: answer.loss }),
  ...(answer.generated && { generated: answer.generated }),
})

/** Each case's checkpoint, written by peftlab from its config and seed into a new temporary folder, in case order. */
export const writeGoldenCheckpoints = (cases: ReadonlyArray<GoldenCase>): Promise<Array<string>> =>
  Promise.all(
    cases.map(async (golden) => {
      const dir = mkdtempSync(join(tmpdir(), "peftlab-golden-"))
      await Effect.runPromise(writeRandomCheckpoint(dir, golden.config, golden.seed))
      return dir
    }),
  )
