// What an arm leaves in a results folder, as Schemas: result.json (a finished arm), trained.json
// (a sweep member awaiting selection) and the training records a checkpoint's state.json keeps.
// A resumed run and `peftlab report` decode these files rather than trust them: a corrupted one
// is an OutputFolderError naming the file and field (exit 2).
import { Schema, SchemaGetter } from "effect"

/** A number as JSON.stringify wrote it: NaN and ±Infinity were written as null and read back as NaN. */
export const SavedNumber = Schema.Union([
  Schema.Number,
  Schema.Null.pipe(Schema.decodeTo(Schema.Number, { decode: SchemaGetter.transform(() => Number.NaN), encode: SchemaGetter.transform(() => null) })),
])

const Scores = Schema.Record(Schema.String, SavedNumber)

const ArmResult = Schema.Struct({
  arm: Schema.String,
  kind: Schema.String,
  n: Schema.Number,
  accuracy: SavedNumber,
  macroF1: SavedNumber,
  perClassF1: Scores,
  latencyMeanMs: SavedNumber,
  latencyP95Ms: SavedNumber,
  trainableParams: Schema.Number,
  metrics: Schema.optionalKey(Scores),
  external: Schema.optionalKey(Schema.Struct({ n: Schema.Number, metrics: Scores })),
})

const PredictionRow = Schema.Struct({ id: Schema.String, gold: Schema.String, pred: Schema.String, score: SavedNumber })

const GenerationRow = Schema.Struct({
  id: Schema.String,
  reference: Schema.String,
  generated: Schema.String,
  rouge1: SavedNumber,
  rouge2: SavedNumber,
  rougeL: SavedNumber,
  token_f1: SavedNumber,
  bertscore_f1: Schema.optionalKey(SavedNumber),
})

const EntitySpan = Schema.Struct({ start: Schema.Number, end: Schema.Number, type: Schema.String })

const Relation = Schema.Struct({ type: Schema.String, head: EntitySpan, tail: EntitySpan })

const ExtractionRow = Schema.Struct({
  id: Schema.String,
  gold: Schema.Array(EntitySpan),
  predicted: Schema.Array(EntitySpan),
  goldRelations: Schema.optionalKey(Schema.Array(Relation)),
  predictedRelations: Schema.optionalKey(Schema.Array(Relation)),
})

export const Validation = Schema.Struct({ metric: Schema.String, value: SavedNumber, higherIsBetter: Schema.Boolean, loss: Schema.optionalKey(SavedNumber) })

export const StepRecord = Schema.Struct({
  epoch: Schema.Number,
  step: Schema.Number,
  loss: SavedNumber,
  lr: Schema.Number,
  gradNorm: SavedNumber,
  tokens: Schema.Number,
  ms: Schema.Number,
})

export const EpochRecord = Schema.Struct({ epoch: Schema.Number, trainLoss: SavedNumber, validation: Validation, best: Schema.Boolean })

// stoppedEarly is kept when read back (optional: folders written before it was), so a sweep member
// evaluated from its trained.json (a resumed run, a queue's worker) writes the result a fresh run writes.
const Training = Schema.Struct({
  bestEpoch: Schema.Number,
  trainMs: Schema.Number,
  epochs: Schema.Array(EpochRecord),
  steps: Schema.Array(StepRecord),
  stoppedEarly: Schema.optionalKey(Schema.Boolean),
})

/** arms/<arm>/result.json. */
export const FinishedArmFile = Schema.Struct({
  fingerprint: Schema.String,
  result: ArmResult,
  predictions: Schema.Array(PredictionRow),
  confusion: Schema.Array(Schema.Array(Schema.Number)),
  generations: Schema.optionalKey(Schema.Array(GenerationRow)),
  extractions: Schema.optionalKey(Schema.Array(ExtractionRow)),
  training: Schema.optionalKey(Training),
})

/** arms/<arm>/trained.json. */
export const TrainedArmFile = Schema.Struct({ fingerprint: Schema.String, arm: Schema.String, training: Training })
