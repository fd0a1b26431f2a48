// PyTorch's side: ../shared/bench/torch_reference.py run by the system Python (Debian's
// python3-torch) with the same config, method, shapes and thread count.
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { promisify } from "node:util"
import type { Method } from "./workload.ts"

const run = promisify(execFile)
const python = "/usr/bin/python3"

export interface TorchRun {
  readonly script: string
  readonly config: string
  readonly method: Method
  readonly rows: number
  readonly seq: number
  readonly steps: number
  readonly threads: number
}

export interface TorchTiming {
  readonly version: string
  readonly stepMs: number
  readonly tokensPerSecond: number
  readonly scoringMsPerExample: number
  readonly trainableParams: number
}

/** Why PyTorch cannot be measured here, or undefined when it can. */
export const torchUnavailable = async (script: string): Promise<string | undefined> => {
  if (!existsSync(script)) return `no ${script}`
  if (!existsSync(python)) return `no ${python}`
  try {
    await run(python, ["-c", "import torch"])
    return undefined
  } catch {
    return `${python} has no torch (apt-get install python3-torch libopenblas0-pthread)`
  }
}

const reference = async (args: TorchRun, mode: "train" | "forward") => {
  const { stdout } = await run(
    python,
    [args.script, "--config", args.config, "--method", args.method, "--batch", `${args.rows}`, "--seq", `${args.seq}`, "--steps", `${args.steps}`, "--threads", `${args.threads}`, "--mode", mode],
    { maxBuffer: 1 << 20 },
  )
  const line = stdout.trim().split("\n").at(-1) ?? ""
  return JSON.parse(line) as { impl: string; step_ms: number; tokens_per_s: number; trainable_params: number }
}

export const measureTorch = async (args: TorchRun): Promise<TorchTiming> => {
  const train = await reference(args, "train")
  const forward = await reference(args, "forward")
  return {
    version: train.impl,
    stepMs: train.step_ms,
    tokensPerSecond: train.tokens_per_s,
    scoringMsPerExample: forward.step_ms / args.rows,
    trainableParams: train.trainable_params,
  }
}
