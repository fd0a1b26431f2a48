// Where each artefact lives in a results folder, and what a finished arm left there.
// An arm is finished when arms/<arm>/result.json exists: it is written last, atomically,
// so an interrupted run simply redoes the arms that lack it.
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { InputError } from "@peftlab/core"
import type { ArmResult, PredictionRow } from "@peftlab/reporters"
import type { EpochRecord, StepRecord } from "@peftlab/trainer"
import type { GenerationRow } from "./qa/qa-task.ts"
import type { ExtractionRow } from "./span/span-arm.ts"
import { differingSections, fingerprintOf, type FingerprintInputs } from "./fingerprint.ts"

export class OutputFolderError extends InputError("OutputFolderError") {}

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

/** A member of a sweep, trained and waiting for selection: no test evaluation yet. */
export interface TrainedArm {
  readonly fingerprint: string
  readonly arm: string
  readonly training: NonNullable<FinishedArm["training"]>
}

export const armFolder = (outDir: string, arm: string) => join(outDir, "arms", arm)
export const armResultFile = (outDir: string, arm: string) => join(armFolder(outDir, arm), "result.json")
export const armTrainedFile = (outDir: string, arm: string) => join(armFolder(outDir, arm), "trained.json")
export const adapterFolder = (outDir: string, arm: string) => join(outDir, "adapters", arm)

const differentSpec = (source: string, differences?: ReadonlyArray<string>) =>
  new OutputFolderError({
    source,
    detail: `this folder holds results of a different experiment${
      differences && differences.length > 0 ? ` (it differs in ${differences.join(", ")})` : ""
    }; pass another --out, or delete the folder to start over`,
  })

const readJson = <A>(file: string) =>
  Effect.try({
    try: () => JSON.parse(readFileSync(file, "utf8")) as A,
    catch: (e) => new OutputFolderError({ source: file, detail: `unreadable (${String(e)}); delete it to start over` }),
  })

/** Refuses, before anything is written, a folder that a run of another spec left. */
export const checkOutputFolder = (outDir: string, inputs: FingerprintInputs) =>
  Effect.gen(function* () {
    const file = join(outDir, "manifest.json")
    if (!existsSync(file)) return
    const manifest = yield* readJson<{ fingerprint?: string; fingerprint_inputs?: FingerprintInputs }>(file)
    if (manifest.fingerprint !== fingerprintOf(inputs)) {
      return yield* Effect.fail(differentSpec(file, differingSections(manifest.fingerprint_inputs ?? {}, inputs)))
    }
  })

const savedRecord = <A extends { readonly fingerprint: string }>(file: string, fingerprint: string) =>
  Effect.gen(function* () {
    if (!existsSync(file)) return undefined
    const record = yield* readJson<A>(file)
    if (record.fingerprint !== fingerprint) return yield* Effect.fail(differentSpec(file))
    return record
  })

/** The finished arm in `outDir`, if any; refuses results made from a different spec. */
export const finishedArm = (outDir: string, arm: string, fingerprint: string) => savedRecord<FinishedArm>(armResultFile(outDir, arm), fingerprint)

/** The trained (not yet evaluated) sweep member in `outDir`, if any. */
export const trainedArm = (outDir: string, arm: string, fingerprint: string) => savedRecord<TrainedArm>(armTrainedFile(outDir, arm), fingerprint)
