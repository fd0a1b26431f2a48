// The peftlab processes a queue run is made of (a submitter, workers), started from this
// checkout's cli with their output kept, for the queue tests and the queue benchmark.
import { spawn, type ChildProcess } from "node:child_process"
import { join } from "node:path"

const bin = join(import.meta.dirname, "..", "..", "packages", "cli", "bin", "peftlab.js")

export interface Running {
  readonly child: ChildProcess
  /** Everything it has written to stdout and stderr so far. */
  readonly output: () => string
  readonly exited: Promise<number | null>
}

/** `peftlab args…` in a child process, with `env` over this process's environment. */
export const startPeftlab = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = {}): Running => {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  return { child, output: () => output, exited }
}

/** Waits until `check` holds, polling every 100 ms; throws naming `what` after `timeoutMs`. */
export const until = async (what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> => {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** A `peftlab worker` on `url` (wasm), once it takes jobs. */
export const startWorker = async (url: string, env: NodeJS.ProcessEnv = {}, extra: ReadonlyArray<string> = []): Promise<Running> => {
  const worker = startPeftlab(["worker", "--queue", url, "--backend", "wasm", ...extra], env)
  await until("the worker to start", () => worker.output().includes("worker: taking"), 30_000)
  return worker
}

/** Stops a process with SIGINT (a worker stops as Ctrl-C stops it) unless it already ended, and waits for it. */
export const stopProcess = async (running: Running): Promise<void> => {
  if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill("SIGINT")
  await running.exited
}
