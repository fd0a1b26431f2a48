// PyTorch's side of a benchmark row: reference.py (beside this file) run by one of the PyTorch
// builds runtimes.ts finds, with the same config, method, shapes and thread count as peftlab's.
import { execFile } from "node:child_process"
import { join } from "node:path"
import { promisify } from "node:util"
import type { Method } from "../llama/workload.ts"
import type { TorchRuntime } from "./runtimes.ts"

const run = promisify(execFile)
const script = join(import.meta.dirname, "reference.py")

export interface TorchRun {
  readonly runtime: TorchRuntime
  readonly config: string
  readonly method: Method
  readonly rows: number
  readonly seq: number
  readonly steps: number
  /** Untimed steps first, as many as peftlab's side takes. */
  readonly warmup: number
  readonly threads: number
  /** bf16: torch.autocast on the CPU (PyTorch 2.x); fp32 otherwise. */
  readonly autocast?: "bf16"
}

export interface TorchTiming {
  /** Where the build came from: "Debian" or "PyPI". */
  readonly source: string
  readonly version: string
  readonly precision: "fp32" | "bf16-autocast"
  readonly stepMs: number
  readonly tokensPerSecond: number
  readonly scoringMsPerExample: number
  readonly trainableParams: number
}

const reference = async (args: TorchRun, mode: "train" | "forward") => {
  const { stdout } = await run(
    args.runtime.python,
    [script, "--config", args.config, "--method", args.method, "--batch", `${args.rows}`, "--seq", `${args.seq}`, "--steps", `${args.steps}`, "--warmup", `${args.warmup}`, "--threads", `${args.threads}`, "--mode", mode, "--autocast", args.autocast ?? "none"],
    { maxBuffer: 1 << 20 },
  )
  const line = stdout.trim().split("\n").at(-1) ?? ""
  return JSON.parse(line) as { impl: string; step_ms: number; tokens_per_s: number; trainable_params: number }
}

export const measureTorch = async (args: TorchRun): Promise<TorchTiming> => {
  const train = await reference(args, "train")
  const forward = await reference(args, "forward")
  return {
    source: args.runtime.source,
    version: args.runtime.version,
    precision: args.autocast ? "bf16-autocast" : "fp32",
    stepMs: train.step_ms,
    tokensPerSecond: train.tokens_per_s,
    scoringMsPerExample: forward.step_ms / args.rows,
    trainableParams: train.trainable_params,
  }
}

/** The fp32 timing with the most training tokens/s: the baseline a row's ratios are taken against. */
export const fasterFp32 = (timings: ReadonlyArray<TorchTiming>): TorchTiming | undefined =>
  timings.filter((t) => t.precision === "fp32").reduce<TorchTiming | undefined>((best, t) => (best && best.tokensPerSecond >= t.tokensPerSecond ? best : t), undefined)
