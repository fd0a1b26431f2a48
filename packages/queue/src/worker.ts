// The worker loop of `peftlab worker`: takes arm jobs from the queue of its backend and runs each
// in a child process of its own (the command the CLI gives: `peftlab worker-arm`), because
// training keeps the CPU, and a JavaScript event loop, busy for minutes: here the loop stays free
// to renew BullMQ's lock on the job, so a live worker's job is never taken for stalled and run
// twice. The child's events come back over IPC and go out, a few batches a second
// (progress-relay.ts), as the job's progress, for the submitter to show. A child that exits 2
// refused the job on bad input (not retried); any other failure, a crash or a kill, is retried,
// and the arm resumes from its checkpoint. A worker killed
// outright leaves its job to stall: after lockDuration another worker's stalled check takes it
// back, and the child, its IPC channel gone, stops.
import { spawn, type ChildProcess } from "node:child_process"
import { UnrecoverableError, Worker, type Job } from "bullmq"
import type { RunEvent } from "@peftlab/core"
import { inputFailurePrefix, queueName, type ArmJobData, type ChildMessage } from "./jobs.ts"
import { progressPayload, relayedTypes } from "./progress-payload.ts"
import { progressRelay } from "./progress-relay.ts"
import { connectionOf, type QueueUrl } from "./queue-url.ts"

export interface WorkerOptions {
  readonly url: QueueUrl
  readonly backend: string
  readonly concurrency: number
  /** Whether jobs whose spec lists plugins may import them (`--allow-plugins`). */
  readonly allowPlugins: boolean
  /** The command that runs one job's arm: node, its arguments; it receives the job as its first IPC message. */
  readonly child: { readonly command: string; readonly args: ReadonlyArray<string> }
  /** How long a job's lock lasts without renewal (renewed every half of it); generous: only a dead worker lets it lapse. */
  readonly lockDurationMs: number
  readonly log: (line: string) => void
}

/** Least time between two writes of one job's progress: a few a second, however fast the arm steps. */
const progressIntervalMs = 250

/** The worker's own line for an arm's phase, result or log (its steps are left to the submitter). */
const logLine = (arm: string, event: RunEvent): string | undefined => {
  if (event.type === "log") return `${arm}: ${event.message}`
  if (event.type === "arm-phase") return `${arm}: ${event.phase}${event.detail ? ` (${event.detail})` : ""}`
  if (event.type === "arm-result") return `${arm}: result`
  return undefined
}

/** The job's progress relay: batches written to Redis, a failed write (the job gone from a restarted Redis) said once. */
const jobProgress = (options: WorkerOptions, job: Job<ArmJobData>) => {
  let said = false
  return progressRelay(
    (events) =>
      job.updateProgress(progressPayload(events)).catch((cause: unknown) => {
        if (said) return
        said = true
        options.log(`${job.data.job.arm}: progress not sent to ${options.url.shown} (${cause instanceof Error ? cause.message : String(cause)}); the arm goes on`)
      }),
    progressIntervalMs,
  )
}

const runChild = (options: WorkerOptions, job: Job<ArmJobData>, children: Set<ChildProcess>): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(options.child.command, [...options.child.args], { stdio: ["ignore", "inherit", "pipe", "ipc"] })
    children.add(child)
    let stderr = ""
    let failure: Extract<ChildMessage, { type: "failed" }> | undefined
    const progress = jobProgress(options, job)
    child.stderr?.on("data", (chunk: Buffer) => {
      process.stderr.write(chunk)
      stderr = (stderr + chunk.toString()).slice(-2000)
    })
    child.on("message", (message: ChildMessage) => {
      if (message.type === "failed") failure = message
      else {
        const event = message.event as RunEvent
        if (!relayedTypes.has(event.type)) return
        const line = logLine(job.data.job.arm, event)
        if (line !== undefined) options.log(line)
        progress.push(event)
      }
    })
    child.on("error", (cause) => reject(cause))
    child.on("exit", (code, signal) => {
      children.delete(child)
      // The arm's last events are in Redis before its job completes (or fails).
      void progress.flush().then(() => {
        if (code === 0) return resolve("done")
        const message = failure?.message ?? (stderr.trim().split("\n").slice(-5).join("\n") || `the arm's process ended with ${signal ?? `exit code ${code}`}`)
        reject(code === 2 || failure?.input ? new UnrecoverableError(`${inputFailurePrefix}${message}`) : new Error(message))
      })
    })
    child.send({ data: job.data, allowPlugins: options.allowPlugins })
  })

/** Runs until `stop` resolves, then closes: arms in progress finish first unless `stop` asks to force. */
export const runWorker = async (options: WorkerOptions, stop: Promise<{ readonly force: boolean }>): Promise<void> => {
  const children = new Set<ChildProcess>()
  const worker = new Worker<ArmJobData>(
    queueName(options.backend),
    async (job) => {
      options.log(`${job.data.job.arm}: started (job ${job.id}, attempt ${job.attemptsMade + 1})`)
      const outcome = await runChild(options, job, children)
      options.log(`${job.data.job.arm}: finished (job ${job.id})`)
      return outcome
    },
    {
      connection: connectionOf(options.url),
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs,
      stalledInterval: Math.max(1000, Math.round(options.lockDurationMs / 2)),
      // A job comes back this many times from dead workers before it counts as failed.
      maxStalledCount: 3,
    },
  )
  worker.on("failed", (job, error) => options.log(`${job?.data.job.arm ?? "?"}: failed (job ${job?.id}): ${error.message}`))
  worker.on("error", (error) => options.log(`queue: ${error.message}`))
  await worker.waitUntilReady()
  options.log(`worker: taking ${queueName(options.backend)} jobs from ${options.url.shown}, ${options.concurrency} at a time`)
  const { force } = await stop
  if (force) for (const child of children) child.kill("SIGKILL")
  await worker.close(force)
}
