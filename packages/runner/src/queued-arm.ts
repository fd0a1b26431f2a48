// One arm of a run, run in a process of its own for a queue's worker (@peftlab/queue): the run is
// prepared as the submitter prepared it (its fingerprint must come out the same, or this machine
// sees other data, model or code), the arm's own folder is locked so that no two processes train
// it at once, and the arm runs (or a sweep member trains) into the shared output folder exactly as
// a local run would, resuming from its own checkpoint when an earlier try left one.
import { Effect } from "effect"
import type { LoadedSpec } from "@peftlab/spec"
import { lockOutputFolder } from "./folder-lock.ts"
import { armFolder, finishedArm, trainedArm } from "./output-folder.ts"
import { runArm, trainSweepMember } from "./run-arm.ts"
import { ArmJobsError, armRngs, prepareRun, type QueuedArm } from "./run-experiment.ts"

/** What a job names: the run's folder and fingerprint, and one arm of it by name. */
export interface ArmJob {
  readonly outDir: string
  readonly fingerprint: string
  readonly work: QueuedArm["work"]
  readonly arm: string
}

/** Runs the job's arm; "done before" when the folder already holds its result (a job delivered twice). */
export const runQueuedArm = (loaded: LoadedSpec, job: ArmJob) =>
  Effect.gen(function* () {
    const { spec, fingerprint, context } = yield* prepareRun(loaded, job.outDir, false)
    if (fingerprint !== job.fingerprint) {
      return yield* Effect.fail(
        new ArmJobsError({
          source: job.outDir,
          detail: `this worker computes the run's fingerprint as ${fingerprint.slice(0, 12)}, the submitter as ${job.fingerprint.slice(0, 12)}: it sees other data or model files, or runs another peftlab version`,
        }),
      )
    }
    const arm = spec.arms.find((a) => a.name === job.arm)
    if (arm === undefined) return yield* Effect.fail(new ArmJobsError({ source: job.outDir, detail: `the job names arm ${job.arm}, which the run's spec does not have` }))
    // One process per arm, whatever the queue delivers: a second one waits for a retry.
    yield* lockOutputFolder(armFolder(job.outDir, arm.name))
    if (yield* finishedArm(job.outDir, arm.name, fingerprint)) return "done before" as const
    if (job.work === "sweep-member" && (yield* trainedArm(job.outDir, arm.name, fingerprint))) return "done before" as const
    const rng = armRngs(spec)(arm)
    if (job.work === "arm") yield* runArm(context, arm, rng)
    else yield* trainSweepMember(context, arm, rng)
    return "ran" as const
  }).pipe(Effect.scoped)
