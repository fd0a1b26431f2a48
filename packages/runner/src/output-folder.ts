// Where each artefact lives in a results folder, and what a finished arm left there.
// An arm is finished when arms/<arm>/result.json exists: it is written last, atomically,
// so an interrupted run simply redoes the arms that lack it.
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { InputError } from "@peftlab/core"
import type { ArmResult, PredictionRow } from "@peftlab/reporters"
import type { EpochRecord, StepRecord } from "@peftlab/trainer"
import { differingSections, fingerprintOf, type FingerprintInputs } from "./fingerprint.ts"

export class OutputFolderError extends InputError("OutputFolderError") {}

export interface FinishedArm {
  /** Fingerprint of the spec that produced it; a resumed run must match. */
  readonly fingerprint: string
  readonly result: ArmResult
  readonly predictions: ReadonlyArray<PredictionRow>
  readonly confusion: ReadonlyArray<ReadonlyArray<number>>
  readonly training?: { readonly bestEpoch: number; readonly trainMs: number; readonly epochs: ReadonlyArray<EpochRecord>; readonly steps: ReadonlyArray<StepRecord> }
}

export const armFolder = (outDir: string, arm: string) => join(outDir, "arms", arm)
export const armResultFile = (outDir: string, arm: string) => join(armFolder(outDir, arm), "result.json")
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

/** The finished arm in `outDir`, if any; refuses results made from a different spec. */
export const finishedArm = (outDir: string, arm: string, fingerprint: string) =>
  Effect.gen(function* () {
    const file = armResultFile(outDir, arm)
    if (!existsSync(file)) return undefined
    const finished = yield* readJson<FinishedArm>(file)
    if (finished.fingerprint !== fingerprint) return yield* Effect.fail(differentSpec(file))
    return finished
  })
