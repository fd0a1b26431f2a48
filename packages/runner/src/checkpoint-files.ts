// An arm's training checkpoint on disk: the tensors (trainable values, AdamW moments, the best
// epoch's values) in a safetensors file named by step, and state.json, written after it and
// pointing at it. A crash between the two leaves the previous, complete checkpoint in force.
// A save that the disk refuses (full, read-only, the folder removed) fails as a typed error
// naming the file, never as a crash.
import { existsSync, readdirSync, rmSync } from "node:fs"
import { join } from "node:path"
import { Effect, Schema } from "effect"
import { asFileSystemError, FileSystemError, writeFileAtomic } from "@peftlab/core"
import { readSafetensors, writeSafetensors, type ModelFileError } from "@peftlab/models"
import type { TrainCheckpoint } from "@peftlab/trainer"
import { OutputFolderError, readFolderFile } from "./output-folder.ts"
import { EpochRecord, SavedNumber, StepRecord, Validation } from "./saved-arm.ts"

const RngState = Schema.Tuple([Schema.Number, Schema.Number, Schema.Number, Schema.Number])

/** state.json: the checkpoint's scalars and records, and the tensors file it points at. */
const CheckpointMeta = Schema.Struct({
  epoch: Schema.Number,
  stepsDoneInEpoch: Schema.Number,
  epochRng: RngState,
  rng: RngState,
  lossSumInEpoch: SavedNumber,
  sinceBest: Schema.Number,
  steps: Schema.Array(StepRecord),
  epochs: Schema.Array(EpochRecord),
  tensors: Schema.String,
  count: Schema.Number,
  optimizerStep: Schema.Number,
  best: Schema.optionalKey(Schema.Struct({ epoch: Schema.Number, validation: Validation })),
})

const stateFile = (dir: string) => join(dir, "state.json")

/** Runs the file operation `run` on `path`; a file-system failure is a FileSystemError naming `path`. */
const onDisk = <A>(path: string, run: () => A | Promise<A>): Effect.Effect<A, FileSystemError> =>
  Effect.tryPromise({
    try: async () => run(),
    catch: (cause) => asFileSystemError(cause, path) ?? new FileSystemError({ source: path, detail: `cannot write: ${String(cause)}` }),
  })

export const saveCheckpoint = (dir: string, checkpoint: TrainCheckpoint): Effect.Effect<void, ModelFileError | FileSystemError> =>
  Effect.gen(function* () {
    const { variables, optimizer, best, ...rest } = checkpoint
    const tensors = `tensors-${checkpoint.steps.length}.safetensors`
    const flat = (data: Float32Array) => ({ shape: [data.length], data })
    const entries = new Map([
      ...variables.map((v, i) => [`variable.${i}`, flat(v)] as const),
      ...optimizer.m.map((v, i) => [`adamw.m.${i}`, flat(v)] as const),
      ...optimizer.s.map((v, i) => [`adamw.s.${i}`, flat(v)] as const),
      ...(best?.values ?? []).map((v, i) => [`best.${i}`, flat(v)] as const),
    ])
    yield* writeSafetensors(join(dir, tensors), entries)
    const meta: typeof CheckpointMeta.Type = {
      ...rest,
      tensors,
      count: variables.length,
      optimizerStep: optimizer.t,
      ...(best ? { best: { epoch: best.epoch, validation: best.validation } } : {}),
    }
    yield* onDisk(stateFile(dir), () => writeFileAtomic(stateFile(dir), JSON.stringify(meta)))
    const older = yield* onDisk(dir, () => readdirSync(dir).filter((f) => f.startsWith("tensors-") && f !== tensors))
    for (const old of older) yield* onDisk(join(dir, old), () => rmSync(join(dir, old), { force: true }))
  })

export const loadCheckpoint = (dir: string): Effect.Effect<TrainCheckpoint | undefined, OutputFolderError | ModelFileError> =>
  Effect.gen(function* () {
    if (!existsSync(stateFile(dir))) return undefined
    const meta = yield* readFolderFile(stateFile(dir), CheckpointMeta, "; delete the folder to restart this arm")
    const tensors = yield* readSafetensors(join(dir, meta.tensors))
    const series = (prefix: string) =>
      Array.from({ length: meta.count }, (_, i) => tensors.get(`${prefix}.${i}`)?.data).filter((d): d is Float32Array => d !== undefined)
    const { tensors: _file, count: _count, optimizerStep, best, ...rest } = meta
    return {
      ...rest,
      variables: series("variable"),
      optimizer: { t: optimizerStep, m: series("adamw.m"), s: series("adamw.s") },
      ...(best ? { best: { ...best, values: series("best") } } : {}),
    }
  })
