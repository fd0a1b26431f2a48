// Where each artefact lives in a results folder, and what a finished arm left there.
// An arm is finished when arms/<arm>/result.json exists: it is written last, atomically,
// so an interrupted run simply redoes the arms that lack it.
import { existsSync } from "node:fs"
import { join } from "node:path"
import { Effect, type Schema } from "effect"
import { InputError, readJsonFile } from "@peftlab/core"
import type { FinishedArm } from "@peftlab/plugin-api"
import { differingSections, fingerprintOf, type FingerprintInputs } from "./fingerprint.ts"
import { FinishedArmFile, TrainedArmFile } from "./saved-arm.ts"
import { FolderManifest } from "./saved-run.ts"

export class OutputFolderError extends InputError("OutputFolderError") {}

export type { FinishedArm } from "@peftlab/plugin-api"

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

/** `file`, decoded by `schema`; unreadable or corrupted, an OutputFolderError naming the field. */
export const readFolderFile = <S extends Schema.ConstraintDecoder<unknown>>(file: string, schema: S, advice = "; delete it to start over") =>
  readJsonFile(file, schema, OutputFolderError, { advice, missing: "not found; is this a peftlab results folder?" })

/** Refuses, before anything is written, a folder that a run of another spec left. */
export const checkOutputFolder = (outDir: string, inputs: FingerprintInputs) =>
  Effect.gen(function* () {
    const file = join(outDir, "manifest.json")
    if (!existsSync(file)) return
    const manifest = yield* readFolderFile(file, FolderManifest)
    if (manifest.fingerprint !== fingerprintOf(inputs)) {
      return yield* Effect.fail(differentSpec(file, differingSections(manifest.fingerprint_inputs ?? {}, inputs)))
    }
  })

const savedRecord = <A extends { readonly fingerprint: string }>(file: string, schema: Schema.ConstraintDecoder<A>, fingerprint: string) =>
  Effect.gen(function* () {
    if (!existsSync(file)) return undefined
    const record: A = yield* readFolderFile(file, schema)
    if (record.fingerprint !== fingerprint) return yield* Effect.fail(differentSpec(file))
    return record
  })

/** The finished arm in `outDir`, if any; refuses results made from a different spec. */
export const finishedArm = (outDir: string, arm: string, fingerprint: string): Effect.Effect<FinishedArm | undefined, OutputFolderError> =>
  savedRecord(armResultFile(outDir, arm), FinishedArmFile, fingerprint)

/** The trained (not yet evaluated) sweep member in `outDir`, if any. */
export const trainedArm = (outDir: string, arm: string, fingerprint: string): Effect.Effect<TrainedArm | undefined, OutputFolderError> =>
  savedRecord(armTrainedFile(outDir, arm), TrainedArmFile, fingerprint)
