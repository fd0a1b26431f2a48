// The child side of a worker's job (worker.ts spawns it): the job arrives as the first IPC
// message, the arm's events go back the same way, and a lost channel (the worker killed) stops
// the arm as Ctrl-C would, its checkpoint kept for whichever worker takes the job next.
import { Effect, Layer } from "effect"
import { Events, type RunEvent } from "@peftlab/core"
import { loadedFromJob, type ArmJobData, type ChildMessage } from "./jobs.ts"

/** Events that go to the parent worker over IPC (nothing, when there is no parent). */
export const ipcEventsLayer: Layer.Layer<Events> = Layer.succeed(Events, {
  emit: (event: RunEvent) => Effect.sync(() => void (process.connected && process.send?.({ type: "event", event } satisfies ChildMessage))),
})

/** Tells the worker why the arm failed: `input` when retrying cannot help. */
export const reportFailure = (input: boolean, message: string) =>
  new Promise<void>((resolve) => {
    if (!process.connected || !process.send) return resolve()
    process.send({ type: "failed", input, message } satisfies ChildMessage, () => resolve())
  })

/** The job this process was started for, and whether its spec's plugins may be imported. */
export const receiveArmJob = () =>
  new Promise<{ readonly data: ArmJobData; readonly loaded: ReturnType<typeof loadedFromJob>; readonly allowPlugins: boolean }>((resolve, reject) => {
    if (!process.send) return reject(new Error("worker-arm runs only as a child of `peftlab worker`"))
    process.once("message", (message: { data: ArmJobData; allowPlugins: boolean }) => resolve({ data: message.data, loaded: loadedFromJob(message.data.loaded), allowPlugins: message.allowPlugins }))
  })

/** Calls `stop` when the worker goes away. */
export const onWorkerGone = (stop: () => void) => process.once("disconnect", stop)
