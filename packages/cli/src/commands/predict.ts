// `peftlab predict --model M --adapter A --data F`: an existing adapter's predictions for new
// data, one JSON line per example (to --out FILE, else stdout). The task (templates, labels or
// generation settings, data kind) comes from --spec, else from the adapter's run manifest.
import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { Effect, Layer } from "effect"
import { Events, InputError, writeFileAtomic } from "@peftlab/core"
import { Registry } from "@peftlab/plugin-api"
import { resolveModel } from "@peftlab/hub"
import { predictionTask, predictLines, requireAdapterFolder } from "@peftlab/runner"
import { runCommand, type Io } from "../exit.ts"
import { selectedBackend } from "./run.ts"

export interface PredictFlags {
  readonly model: string
  readonly adapter: string
  readonly data: string
  readonly spec?: string
  readonly out?: string
  readonly backend?: string
  /** Add each line's scored token ids (prompt_ids, label_ids). */
  readonly ids?: boolean
  /** `--allow-plugins`: import the plugins the task's spec lists (their code runs); without it such a task is refused. */
  readonly allowPlugins?: boolean
}

/** A predict flag naming something that is not there. */
export class PredictFlagError extends InputError("PredictFlagError") {}

// Rows go to stdout unless --out is given, so progress events are not printed.
const silent = Layer.succeed(Events, { emit: () => Effect.void })

export const predictCommand = (flags: PredictFlags, io: Io): Promise<number> =>
  runCommand(
    Effect.gen(function* () {
      const adapterDir = yield* requireAdapterFolder(flags.adapter, "--adapter")
      const { task, registry } = yield* predictionTask(adapterDir, flags.spec, flags.allowPlugins ?? false)
      const dataPath = resolve(flags.data)
      if (!existsSync(dataPath)) return yield* Effect.fail(new PredictFlagError({ source: "--data", detail: `no data file or folder at ${dataPath}` }))
      const modelDir = yield* resolveModel(flags.model).pipe(Effect.mapError((error) => new PredictFlagError({ source: "--model", detail: error.message })))
      // The task's registry (its spec's plugins imported once), as the Registry service.
      const registryLayer = Layer.succeed(Registry, registry)
      const backend = yield* selectedBackend(flags.backend ?? task.loaded.spec.backend).pipe(Effect.provide(registryLayer))
      const lines = yield* predictLines({ spec: task.loaded.spec, modelDir, adapterDir, dataPath, ...(task.quantize !== undefined && { quantize: task.quantize }), ids: flags.ids ?? false }).pipe(Effect.provide(Layer.mergeAll(backend, silent, registryLayer)))
      const text = lines.map((line) => JSON.stringify(line)).join("\n")
      if (flags.out === undefined) return io.out(text)
      yield* Effect.promise(() => writeFileAtomic(flags.out as string, text + "\n"))
      io.out(`${flags.out}: ${lines.length} predictions (task from ${task.from})`)
    }),
    io,
  )
