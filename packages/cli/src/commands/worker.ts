// `peftlab worker --queue URL`: takes arm jobs from a run's queue (BullMQ on Redis) and runs each
// in a child process, `peftlab worker-arm` (an internal command, not in the usage), which runs the
// one arm with the backend, registry and spec the job names and reports back over IPC. Ctrl-C
// lets the arms in progress finish; a second one stops them (they resume from their checkpoints).
import { Cause, Effect, Exit, Fiber, Layer } from "effect"
import { isInputError } from "@peftlab/core"
import { checkReachable, ipcEventsLayer, onWorkerGone, parseQueueUrl, receiveArmJob, reportFailure, runWorker } from "@peftlab/queue"
import { runQueuedArm, specRegistryLayer } from "@peftlab/runner"
import { ExitCode, exitCodeOf, type Io } from "../exit.ts"
import { selectedBackend } from "./run.ts"

export interface WorkerFlags {
  readonly queue: string
  readonly backend: string
  readonly concurrency: number
  readonly allowPlugins: boolean
}

/** The peftlab command itself (bin/peftlab.js), for the worker's children; the same path from src/ and dist/. */
const peftlabBin = new URL("../../bin/peftlab.js", import.meta.url).pathname

/** How long a job's lock lasts unrenewed: PEFTLAB_QUEUE_LOCK_MS, else two minutes. */
const lockDurationMs = (): number => {
  const given = Number(process.env.PEFTLAB_QUEUE_LOCK_MS)
  return Number.isSafeInteger(given) && given >= 1000 ? given : 120_000
}

export const workerCommand = async (flags: WorkerFlags, io: Io): Promise<number> => {
  const checked = await Effect.runPromiseExit(
    Effect.gen(function* () {
      const url = yield* parseQueueUrl(flags.queue, "--queue")
      yield* checkReachable(url)
      return url
    }),
  )
  if (checked._tag === "Failure") return exitCodeOf(checked, io)
  let stopNow: (force: boolean) => void = () => {}
  const stop = new Promise<{ force: boolean }>((resolve) => (stopNow = (force) => resolve({ force })))
  let signals = 0
  const onSignal = () => {
    signals += 1
    io.err(signals === 1 ? "worker: stopping after the arms in progress (Ctrl-C again stops them now)" : "worker: stopping the arms in progress")
    stopNow(signals > 1)
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  try {
    await runWorker(
      {
        url: checked.value,
        backend: flags.backend,
        concurrency: flags.concurrency,
        allowPlugins: flags.allowPlugins,
        child: { command: process.execPath, args: [...process.execArgv, peftlabBin, "worker-arm"] },
        lockDurationMs: lockDurationMs(),
        log: io.out,
      },
      stop,
    )
  } finally {
    process.off("SIGINT", onSignal)
    process.off("SIGTERM", onSignal)
  }
  return signals > 1 ? ExitCode.interrupted : ExitCode.ok
}

/** The child of a worker: one job's arm, its events and its failure sent to the worker. */
export const workerArmCommand = async (io: Io): Promise<number> => {
  const { data, loaded, allowPlugins } = await receiveArmJob()
  if (loaded.spec.plugins.length > 0 && !allowPlugins) {
    const message = `${loaded.file}: the spec lists plugins (${loaded.spec.plugins.join(", ")}); start the worker with --allow-plugins to import them`
    io.err(`error: ${message}`)
    await reportFailure(true, message)
    return ExitCode.badInput
  }
  const program = Effect.gen(function* () {
    const backendLive = yield* selectedBackend(data.backend)
    return yield* runQueuedArm(loaded, data.job).pipe(Effect.provide(Layer.merge(backendLive, ipcEventsLayer)))
  }).pipe(Effect.provide(specRegistryLayer(loaded)))
  const fiber = Effect.runFork(program)
  // The worker is gone (killed): stop as Ctrl-C does, the checkpoint kept; the job comes back to another worker.
  onWorkerGone(() => {
    void Effect.runFork(Fiber.interrupt(fiber))
    setTimeout(() => process.exit(ExitCode.interrupted), 10_000).unref()
  })
  const exit = await Effect.runPromise(Fiber.await(fiber))
  if (Exit.isFailure(exit)) {
    const failure = Cause.findErrorOption(exit.cause)
    const error: unknown = failure._tag === "Some" ? failure.value : undefined
    const input = isInputError(error)
    const message = input ? error.message : error instanceof Error ? error.message : "the arm failed; see the worker's output"
    await reportFailure(input, message)
  }
  return exitCodeOf(exit, io)
}
