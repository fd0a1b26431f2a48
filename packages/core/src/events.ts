// What a run reports while it works. The trainer, the pipeline and downloads emit these; the Ink UI,
// the plain-line and JSON-line printers and train_log.jsonl consume them. Plain data, so they serialise.
import { Context, Effect, Option } from "effect"
import type { TruncationCounts } from "./truncation.ts"

export type ArmPhase = "queued" | "training" | "evaluating" | "done" | "failed" | "skipped"

export type RunEvent =
  | {
      readonly type: "run-start"
      readonly name: string
      readonly backend: string
      /** What the backend computes on, in words (DeviceInfo's description). */
      readonly device?: string
      readonly arms: ReadonlyArray<string>
      readonly outDir: string
    }
  | { readonly type: "arm-phase"; readonly arm: string; readonly phase: ArmPhase; readonly detail?: string }
  | {
      readonly type: "train-step"
      readonly arm: string
      /** `step` counts from 1 across the whole training (of `totalSteps`), not within an epoch. */
      readonly epoch: number
      readonly epochs: number
      readonly step: number
      readonly totalSteps: number
      readonly loss: number
      readonly tokensPerSecond: number
      /** Since this arm's training started. */
      readonly elapsedMs: number
    }
  | {
      readonly type: "epoch-end"
      readonly arm: string
      readonly epoch: number
      readonly trainLoss: number
      readonly validation: { readonly metric: string; readonly value: number; readonly loss?: number }
      readonly best: boolean
    }
  | { readonly type: "eval-progress"; readonly arm: string; readonly split: string; readonly done: number; readonly total: number }
  | { readonly type: "arm-result"; readonly arm: string; readonly metrics: Readonly<Record<string, number>> }
  | { readonly type: "log"; readonly level: "info" | "warn"; readonly message: string }
  | {
      /** A model or data file coming from the Hugging Face hub (or a URL) into the local cache. */
      readonly type: "download"
      /** The repo file (`model.safetensors`), or for a URL the name it is saved under. */
      readonly file: string
      /** Received so far, counting bytes that an earlier, interrupted download left. */
      readonly bytes: number
      /** The file's size; absent when the server does not say. */
      readonly total?: number
      /** Every byte arrived; only known when `total` is. */
      readonly done: boolean
    }
  | {
      /** The model's weights read from disk into the backend: a large one takes minutes. */
      readonly type: "model-load"
      /** The model folder. */
      readonly file: string
      /** Bytes of stored weights read so far, of `total`. */
      readonly bytes: number
      readonly total: number
      readonly done: boolean
    }
  | {
      /** A periodic sample of memory use, for the screen and machine-readable logs. */
      readonly type: "resources"
      /** Resident set size of the process. */
      readonly rssBytes: number
      /** Bytes held by tfjs tensors on the active backend (`tf.memory().numBytes`). */
      readonly tensorBytes: number
      /** Bytes a GPU backend holds in buffers (live and pooled), where it reports them. */
      readonly deviceBytes?: number
    }
  | ({
      /** Inputs cut to fit training.max_length, counted once every split is encoded, before any arm trains. */
      readonly type: "truncation"
    } & TruncationCounts)
  | { readonly type: "run-end"; readonly ok: boolean; readonly outDir: string; readonly elapsedMs: number }

/** Where events go. Layers for the Ink UI, plain lines and files provide it. */
export class Events extends Context.Service<Events, { readonly emit: (event: RunEvent) => Effect.Effect<void> }>()(
  "@peftlab/core/Events",
) {}

export const emit = (event: RunEvent): Effect.Effect<void, never, Events> => Events.use((events) => events.emit(event))

/**
 * A plain callback that emits `toEvent(progress)` through the caller's Events, for code that
 * reports progress from its own promise callbacks, outside any fiber (downloads, weight loads).
 * The caller's services (Events, and the Clock a printer reads) are captured here; each emit
 * runs at once (runForkWith, not runSyncWith: an Events layer that writes asynchronously must
 * neither throw nor hold up the work; the synchronous ones still emit in order, as a fork runs
 * at once until it first waits). Without Events in the context, the callback does nothing.
 */
export const progressCallback = <P>(toEvent: (progress: P) => RunEvent): Effect.Effect<(progress: P) => void> =>
  Effect.map(Effect.context<never>(), (context) =>
    Option.match(Context.getOption(context, Events), {
      onNone: () => () => {},
      onSome: (events) => (progress: P) => void Effect.runForkWith(context)(events.emit(toEvent(progress))),
    }),
  )
