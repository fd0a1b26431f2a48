// What a finished arm left in the results folder (arms/<arm>/result.json), as reporters read it:
// its result row, per-example predictions, confusion matrix, and, by task kind, its generated
// answers or extracted spans; its training records when it trained. Types only: the runner writes
// and reads these (saved-arm.ts holds their Schemas).
import type { EntityRelation, EntitySpan } from "@peftlab/datasets"
import type { ArmResult, PredictionRow } from "@peftlab/reporters"
import type { EpochRecord, StepRecord } from "@peftlab/trainer"

/** One test example's generated answer and its scores against the reference. */
export interface GenerationRow {
  readonly id: string
  readonly reference: string
  readonly generated: string
  readonly rouge1: number
  readonly rouge2: number
  readonly rougeL: number
  readonly token_f1: number
  /** BERTScore F1 against the reference, when the spec asks for it (evaluation.bertscore). */
  readonly bertscore_f1?: number
}

/** One test sentence's gold and predicted spans (kept in result.json for the statistics), and its relation triples when the task extracts relations. */
export interface ExtractionRow {
  readonly id: string
  readonly gold: ReadonlyArray<EntitySpan>
  readonly predicted: ReadonlyArray<EntitySpan>
  readonly goldRelations?: ReadonlyArray<EntityRelation>
  readonly predictedRelations?: ReadonlyArray<EntityRelation>
}

export interface FinishedArm {
  /** Fingerprint of the spec that produced it; a resumed run must match. */
  readonly fingerprint: string
  readonly result: ArmResult
  readonly predictions: ReadonlyArray<PredictionRow>
  readonly confusion: ReadonlyArray<ReadonlyArray<number>>
  /** Generative QA: each test example's generated answer and per-example scores. */
  readonly generations?: ReadonlyArray<GenerationRow>
  /** Span extraction: each test sentence's gold and predicted spans. */
  readonly extractions?: ReadonlyArray<ExtractionRow>
  readonly training?: { readonly bestEpoch: number; readonly trainMs: number; readonly epochs: ReadonlyArray<EpochRecord>; readonly steps: ReadonlyArray<StepRecord> }
}
