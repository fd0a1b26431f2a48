// One arm of a run, run in a process of its own for a queue's worker (@peftlab/queue): the run is
// prepared as the submitter prepared it (its fingerprint must come out the same, or this machine
// sees other data, model or code), the arm's own folder is locked so that no two processes train
// it at once, and the arm runs (or a sweep member trains) into the shared output folder exactly as
// a local run would, resuming from its own checkpoint when an earlier try left one.
// A job can be delivered while an earlier process still trains its arm (Redis restarted without
// persistence lost the job, and the submitter queued it again): the arm's lock held by a live
// process, this one waits for it to end (a local run refuses instead), then finds the arm
// finished, or resumes it from its checkpoint.
import { readFile } from "node:fs/promises"
import { Effect, Result } from "effect"
import { emit } from "@peftlab/core"
import type { LoadedSpec } from "@peftlab/spec"
import { lockFile, lockOutputFolder } from "./folder-lock.ts"
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

/** How often, and how long at most, a job waits for another process's lock on its arm (an arm can train for hours). */
const lockPollMs = 1000
const lockWaitMs = 24 * 60 * 60 * 1000

/** The pid a lock file names, while it is there. */
const lockHolder = (dir: string) =>
  Effect.promise(() =>
    readFile(lockFile(dir), "utf8")
      .then((text) => Number(/^pid (\d+)$/m.exec(text)?.[1]))
      .then((pid) => (Number.isSafeInteger(pid) && pid > 0 ? pid : undefined))
      .catch(() => undefined),
  )

/**
 * Locks the arm's folder for the enclosing scope, waiting while another live process holds it
 * (lockOutputFolder takes a dead one's lock over): any other failure, or a wait past lockWaitMs, fails.
 */
const lockArmFolder = (dir: string, arm: string) =>
  Effect.gen(function* () {
    const deadline = Date.now() + lockWaitMs
    let waitingFor: number | undefined
    for (;;) {
      const attempt = yield* Effect.result(lockOutputFolder(dir))
      if (Result.isSuccess(attempt)) {
        if (waitingFor !== undefined) yield* emit({ type: "log", level: "info", message: `arm ${arm}: pid ${waitingFor} released its folder; going on` })
        return attempt.success
      }
      const pid = yield* lockHolder(dir)
      // No lock there and none waited for: the lock was never the problem (an unwritable folder).
      if ((pid === undefined && waitingFor === undefined) || Date.now() > deadline) return yield* Effect.fail(attempt.failure)
      if (pid !== undefined && pid !== waitingFor) {
        waitingFor = pid
        yield* emit({ type: "log", level: "info", message: `arm ${arm}: another process (pid ${pid}) holds ${lockFile(dir)}; waiting for it (it may finish the arm, or leave a checkpoint to resume)` })
      }
      yield* Effect.sleep(lockPollMs)
    }
  })

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
    // One process per arm, whatever the queue delivers: a second one waits for the first to end.
    yield* lockArmFolder(armFolder(job.outDir, arm.name), arm.name)
    if (yield* finishedArm(job.outDir, arm.name, fingerprint)) return "done before" as const
    if (job.work === "sweep-member" && (yield* trainedArm(job.outDir, arm.name, fingerprint))) return "done before" as const
    const rng = armRngs(spec)(arm)
    if (job.work === "arm") yield* runArm(context, arm, rng)
    else yield* trainSweepMember(context, arm, rng)
    return "ran" as const
  }).pipe(Effect.scoped)
