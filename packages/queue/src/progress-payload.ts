// What a job's progress carries through Redis, from a worker to every submitter of its run: a
// batch of the arm's own events (progress-relay.ts gathers them). Redis hands the submitter JSON
// another process wrote (another peftlab version, perhaps), so it is decoded here before any
// renderer sees it; JSON has no NaN, so a diverged loss that left as null comes back as NaN.
import { Result, Schema, SchemaTransformation } from "effect"
import { decodeOrDescribe, type RunEvent } from "@peftlab/core"

/** The events a worker relays: the arm's own (the submitter says the rest: run start, data, truncation, memory). */
export const relayedTypes = new Set<RunEvent["type"]>(["arm-phase", "train-step", "epoch-end", "eval-progress", "arm-result", "log"])

const JsonNumber = Schema.NullOr(Schema.Number).pipe(Schema.decodeTo(Schema.Number, SchemaTransformation.transform({ decode: (n) => n ?? Number.NaN, encode: (n) => n })))

const RelayedEvent = Schema.Union([
  Schema.Struct({
    type: Schema.Literal("arm-phase"),
    arm: Schema.String,
    phase: Schema.Literals(["queued", "training", "evaluating", "done", "failed", "skipped"]),
    detail: Schema.optionalKey(Schema.String),
  }),
  Schema.Struct({
    type: Schema.Literal("train-step"),
    arm: Schema.String,
    epoch: Schema.Number,
    epochs: Schema.Number,
    step: Schema.Number,
    totalSteps: Schema.Number,
    loss: JsonNumber,
    tokensPerSecond: JsonNumber,
    elapsedMs: Schema.Number,
  }),
  Schema.Struct({
    type: Schema.Literal("epoch-end"),
    arm: Schema.String,
    epoch: Schema.Number,
    trainLoss: JsonNumber,
    validation: Schema.Struct({ metric: Schema.String, value: JsonNumber, loss: Schema.optionalKey(JsonNumber) }),
    best: Schema.Boolean,
  }),
  Schema.Struct({ type: Schema.Literal("eval-progress"), arm: Schema.String, split: Schema.String, done: Schema.Number, total: Schema.Number }),
  Schema.Struct({ type: Schema.Literal("arm-result"), arm: Schema.String, metrics: Schema.Record(Schema.String, JsonNumber) }),
  Schema.Struct({ type: Schema.Literal("log"), level: Schema.Literals(["info", "warn"]), message: Schema.String }),
])

const ProgressPayload = Schema.Struct({ events: Schema.Array(RelayedEvent) })

/** A job's progress as a worker writes it. */
export const progressPayload = (events: ReadonlyArray<RunEvent>) => ({ events })

/** The events in a job's progress, or what is wrong with it (a job of an older peftlab, a foreign writer). */
export const eventsOfProgress = (progress: unknown): Result.Result<ReadonlyArray<RunEvent>, string> =>
  Result.map(decodeOrDescribe(ProgressPayload, progress), (payload) => payload.events)
