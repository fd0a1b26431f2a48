// The submitting side of `peftlab run --queue`: the arms the output folder lacks become jobs on
// BullMQ (one each, ids from jobs.ts, so a second submit reattaches), and the run waits for them,
// relaying the workers' events (arm phases, steps, epochs, results: each job's progress, decoded
// by progress-payload.ts; reattached, the last ones each job sent before) into its own Events,
// then goes on as a local run does from the files the arms left in the shared folder.
// A job Redis lost (restarted without persistence) is added again; a failed one fails the run.
import { Data, Effect, Result } from "effect"
import { Queue, QueueEvents, type Job } from "bullmq"
import { Events, InputError, type RunEvent } from "@peftlab/core"
import type { ArmJobsRun, QueuedArm } from "@peftlab/runner"
import { inputFailurePrefix, jobIdOf, queueName, specInJob, type ArmJobData } from "./jobs.ts"
import { eventsOfProgress } from "./progress-payload.ts"
import { checkReachable, connectionOf, type QueueUrl } from "./queue-url.ts"

/** An arm's job failed for good on bad input (a worker sees other data, a spec plugin it may not import). */
export class QueuedArmRefused extends InputError("QueuedArmRefused") {}
/** An arm's job failed every attempt. */
export class QueuedArmFailed extends Data.TaggedError("QueuedArmFailed")<{ readonly arm: string; readonly reason: string }> {
  override get message() {
    return `arm ${this.arm} failed on the queue's workers: ${this.reason}`
  }
}

/** How often the submitter looks at its jobs' states. */
const pollMs = 500

/** Tries per job: a worker's crash is tried again (from the arm's checkpoint); stalled jobs come back besides. */
export const jobAttempts = 3

/** How long at most the run waits, once every job completed, for their last events. */
const drainMs = 3000

/**
 * The events in a job's progress, emitted as the run's own; progress that is no batch of events
 * (a worker of another peftlab version) is said once per job and otherwise left out.
 */
const relayedEvents = (emit: (event: RunEvent) => void) => {
  const refused = new Set<string>()
  return (jobId: string, progress: unknown) => {
    const events = eventsOfProgress(progress)
    if (Result.isSuccess(events)) for (const event of events.success) emit(event)
    else if (!refused.has(jobId)) {
      refused.add(jobId)
      emit({ type: "log", level: "warn", message: `job ${jobId} reports progress this peftlab cannot read (${events.failure}); is its worker another version?` })
    }
  }
}

type Outcome = { readonly ok: true } | { readonly ok: false; readonly error: QueuedArmRefused | QueuedArmFailed }

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true })
  })

const waitForJobs = async (url: QueueUrl, pending: ReadonlyArray<QueuedArm>, run: ArmJobsRun, emit: (event: RunEvent) => void, signal: AbortSignal): Promise<Outcome> => {
  const connection = connectionOf(url)
  const name = queueName(run.backend)
  const queue = new Queue<ArmJobData>(name, { connection })
  const queueEvents = new QueueEvents(name, { connection })
  queue.on("error", () => undefined)
  queueEvents.on("error", () => undefined)
  const byId = new Map(pending.map((queued) => [jobIdOf(run, queued), queued]))
  const relay = relayedEvents(emit)
  queueEvents.on("progress", ({ jobId, data }) => {
    if (byId.has(jobId)) relay(jobId, data)
  })
  // A job's completion follows its last progress in the events stream: seen, its events are all relayed.
  const completionSeen = new Set<string>()
  queueEvents.on("completed", ({ jobId }) => void completionSeen.add(jobId))
  const loaded = specInJob(run.loaded)
  const add = (id: string, queued: QueuedArm) =>
    queue.add(queued.arm.name, { job: { outDir: run.outDir, fingerprint: run.fingerprint, work: queued.work, arm: queued.arm.name }, backend: run.backend, loaded }, {
      jobId: id,
      attempts: jobAttempts,
      backoff: { type: "fixed", delay: 2000 },
    })
  try {
    await queueEvents.waitUntilReady()
    for (const [id, queued] of byId) {
      const existing: Job<ArmJobData> | undefined = await queue.getJob(id)
      const state = existing ? await existing.getState() : undefined
      // A finished job whose arm the folder lacks (the folder was removed, or the job failed): run it again.
      if (existing && (state === "completed" || state === "failed")) await existing.remove()
      const reattached = existing !== undefined && state !== "completed" && state !== "failed"
      if (!reattached) await add(id, queued)
      emit({ type: "arm-phase", arm: queued.arm.name, phase: "queued", detail: `${reattached ? "already on" : "on"} ${url.shown} (${queued.work === "sweep-member" ? "training for selection" : "train and test"}, job ${id})` })
      // Where a job in progress stands: the last events its worker sent before this submitter started.
      if (reattached && typeof existing.progress === "object") relay(id, existing.progress)
    }
    const left = new Set(byId.keys())
    let lastWarning = 0
    while (left.size > 0 && !signal.aborted) {
      try {
        for (const id of [...left]) {
          const state = await queue.getJobState(id)
          if (state === "completed") left.delete(id)
          else if (state === "failed") {
            const reason = (await queue.getJob(id))?.failedReason ?? "no reason given"
            const arm = byId.get(id)!.arm.name
            return {
              ok: false,
              error: reason.startsWith(inputFailurePrefix)
                ? new QueuedArmRefused({ source: `arm ${arm} (job ${id})`, detail: reason.slice(inputFailurePrefix.length) })
                : new QueuedArmFailed({ arm, reason }),
            }
          } else if (state === "unknown") {
            // Redis lost it (restarted without persistence, or flushed): the arm goes on from its checkpoint.
            emit({ type: "log", level: "warn", message: `job ${id} of arm ${byId.get(id)!.arm.name} is gone from ${url.shown} (Redis restarted without persistence?); queued again` })
            await add(id, byId.get(id)!)
          }
        }
      } catch (cause) {
        if (Date.now() - lastWarning > 30_000) {
          lastWarning = Date.now()
          emit({ type: "log", level: "warn", message: `${url.shown}: ${cause instanceof Error ? cause.message : String(cause)}; waiting for Redis` })
        }
      }
      if (left.size > 0) await sleep(pollMs, signal)
    }
    // The last events of the jobs that just completed, still on their way; not waited for long (a
    // job that completed before this submitter started, or while Redis was away, has no completion to see).
    const drainEnd = Date.now() + drainMs
    while (!signal.aborted && [...byId.keys()].some((id) => !completionSeen.has(id)) && Date.now() < drainEnd) await sleep(pollMs / 5, signal)
    return { ok: true }
  } finally {
    await Promise.allSettled([queueEvents.close(), queue.close()])
  }
}

/**
 * runExperiment's `execute` for a queue at `url`: Redis checked reachable, one job per pending
 * arm, and the run waits for them all; interrupted, it stops waiting (the jobs go on).
 */
export const queueExecutor =
  (url: QueueUrl) =>
  (pending: ReadonlyArray<QueuedArm>, run: ArmJobsRun): Effect.Effect<void, QueueUnreachableOrFailed, Events> =>
    Effect.gen(function* () {
      yield* checkReachable(url)
      const events = yield* Events
      const emit = (event: RunEvent) => void Effect.runFork(events.emit(event))
      const outcome = yield* Effect.promise((signal) => waitForJobs(url, pending, run, emit, signal))
      if (!outcome.ok) return yield* Effect.fail(outcome.error)
    })

type QueueUnreachableOrFailed = import("./queue-url.ts").QueueUnreachable | QueuedArmRefused | QueuedArmFailed
