// Runs the large-model cases chosen by --models: writes each model's random bf16 checkpoint once
// (streamed, sharded as the hub ships it) under the temp folder, runs every case in a child
// process (child.ts) and PyTorch's fp32 of the same shape, method and threads beside it (every
// build main.ts found, through the `torch` callback).
import { execFile } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { Effect } from "effect"
import { writeRandomCheckpointFiles } from "@peftlab/models"
import type { Timing } from "../llama/measure-peftlab.ts"
import type { TorchTiming } from "../torch/measure.ts"
import { largeCases, type LargeCase } from "./cases.ts"

const run = promisify(execFile)

export interface LargeRow {
  readonly case: LargeCase
  readonly peftlab: Timing & { readonly totalMs: number; readonly maxRssBytes: number }
  readonly torch: ReadonlyArray<TorchTiming>
  /** The day the row was measured (YYYY-MM-DD). */
  readonly date: string
}

/** A row as large.json held it before each build was listed (one Debian fp32 timing, or none) and before cases named their backend (all wasm). */
type EarlierRow = Omit<LargeRow, "torch" | "case"> & { readonly case: Omit<LargeCase, "backend"> & { readonly backend?: LargeCase["backend"] } } & { readonly torch?: ReadonlyArray<TorchTiming> | (Omit<TorchTiming, "source" | "precision">) }

const listedTimings = (torch: EarlierRow["torch"]): ReadonlyArray<TorchTiming> =>
  torch === undefined ? [] : Array.isArray(torch) ? torch : [{ ...(torch as Omit<TorchTiming, "source" | "precision">), source: "Debian", precision: "fp32", version: (torch as TorchTiming).version.replace(/^torch-/, "") }]

/** The rows of an earlier results/large.json (older rows' single timing as Debian's fp32), none when there is none. */
export const readLargeRows = (path: string): Array<LargeRow> =>
  existsSync(path)
    ? (JSON.parse(readFileSync(path, "utf8")) as { rows: Array<EarlierRow> }).rows.map((row) => ({ ...row, case: { ...row.case, backend: row.case.backend ?? "wasm" }, torch: listedTimings(row.torch) }))
    : []

/** Earlier rows with this run's replacing those of the same name, in the order of largeCases. */
export const mergeLargeRows = (earlier: ReadonlyArray<LargeRow>, measured: ReadonlyArray<LargeRow>): Array<LargeRow> => {
  const byName = new Map([...earlier, ...measured].map((row) => [row.case.name, row]))
  const order = largeCases.map((c) => c.name)
  return [...byName.values()].filter((row) => order.includes(row.case.name)).sort((a, b) => order.indexOf(a.case.name) - order.indexOf(b.case.name))
}

/**
 * The random bf16 checkpoint of `model` (its config under configs/), sharded at `maxShardBytes`,
 * under the temp folder: written when missing or written for another config.
 */
export const benchCheckpoint = async (model: string, configPath: string, maxShardBytes: number): Promise<string> => {
  const dir = join(tmpdir(), "peftlab-bench", `${model}-bf16`)
  const json = JSON.parse(readFileSync(configPath, "utf8")) as Record<string, unknown>
  const written = join(dir, "config.json")
  if (!existsSync(written) || JSON.stringify(JSON.parse(readFileSync(written, "utf8"))) !== JSON.stringify({ ...json, torch_dtype: "bfloat16" })) {
    console.log(`bench: writing a random bf16 ${model} checkpoint to ${dir}`)
    await Effect.runPromise(writeRandomCheckpointFiles(dir, json, 0, { dtype: "BF16", maxShardBytes }))
  }
  return dir
}

export const runLargeCases = async (cases: ReadonlyArray<LargeCase>, torch: (large: LargeCase) => Promise<Array<TorchTiming>>): Promise<Array<LargeRow>> => {
  const rows: Array<LargeRow> = []
  for (const large of cases) {
    const checkpoint = await benchCheckpoint(large.model, large.config, large.maxShardBytes)
    const vocab = (JSON.parse(readFileSync(large.config, "utf8")) as { vocab_size: number }).vocab_size
    const { stdout } = await run(process.execPath, [join(import.meta.dirname, "child.ts"), JSON.stringify(large), checkpoint, `${vocab}`], { maxBuffer: 16 << 20 })
    const peftlab = JSON.parse(stdout.trim().split("\n").at(-1)!) as LargeRow["peftlab"]
    // PyTorch: fp32 of the same shape and method (it has no NF4 kernel on CPUs), where it fits in memory.
    const reference = large.model === "tinyllama-1.1b" ? await torch(large) : []
    rows.push({ case: large, peftlab, torch: reference, date: new Date().toISOString().slice(0, 10) })
    const gb = (bytes: number) => (bytes / 1e9).toFixed(2)
    console.log(`${large.name}: ${peftlab.tokensPerSecond.toFixed(2)} tok/s, scoring ${peftlab.scoringMsPerExample.toFixed(0)} ms/example, peak RSS ${gb(peftlab.maxRssBytes)} GB (bound ${gb(large.maxRssBytes)})`)
  }
  return rows
}
