// `peftlab merge --model M --adapter A --out DIR`: a LoRA adapter (rsLoRA, DoRA) folded into its
// base and written as a Hugging Face model folder (see @peftlab/adapters-lora's merge). An adapter
// saved by a QLoRA arm (its run's manifest says so) or given --nf4-base merges onto the
// dequantized NF4 base, and the output says so.
import { existsSync } from "node:fs"
import { dirname, join } from "node:path"
import { Effect } from "effect"
import { MergeError, mergeLoraAdapter } from "@peftlab/adapters-lora"
import { resolveModel } from "@peftlab/hub"
import { predictionTask, requireAdapterFolder } from "@peftlab/runner"
import { runCommand, type Io } from "../exit.ts"
import { PredictFlagError } from "./predict.ts"

export interface MergeFlags {
  readonly model: string
  readonly adapter: string
  readonly out: string
  /** The adapter was trained over an NF4 base, whatever its folder says. */
  readonly nf4Base?: boolean
  /** Import the plugins the adapter's run spec lists, to read whether its arm ran over NF4. */
  readonly allowPlugins?: boolean
}

/** Whether a peftlab results folder holds the adapter (a manifest.json in its folder or one above). */
const inResultsFolder = (dir: string): boolean => {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, "manifest.json"))) return true
    if (dirname(at) === at) return false
  }
}

export const mergeCommand = (flags: MergeFlags, io: Io): Promise<number> =>
  runCommand(
    Effect.gen(function* () {
      const adapterDir = yield* requireAdapterFolder(flags.adapter, "--adapter")
      const modelDir = yield* resolveModel(flags.model).pipe(Effect.mapError((error) => new PredictFlagError({ source: "--model", detail: error.message })))
      const quantized = inResultsFolder(adapterDir) ? (yield* predictionTask(adapterDir, undefined, flags.allowPlugins ?? false)).task.quantize : undefined
      if (quantized !== undefined && quantized !== "nf4") {
        return yield* Effect.fail(new MergeError({ source: "--adapter", detail: `the run trained this adapter over a ${quantized} base: merging onto a dequantized ${quantized} base is not implemented (NF4 is)` }))
      }
      const report = yield* mergeLoraAdapter({ modelDir, modelName: flags.model, adapterDir, outDir: flags.out, nf4Base: (flags.nf4Base ?? false) || quantized === "nf4" })
      for (const note of report.notes) io.out(`note: ${note}`)
      io.out(`${report.outDir}: merged ${report.merged.length} modules into ${report.weightFiles.join(", ")}; copied ${report.copied.join(", ") || "nothing else"}`)
      if (report.leftOut.length > 0) io.out(`left out (not the merged weights): ${report.leftOut.join(", ")}`)
    }),
    io,
  )
