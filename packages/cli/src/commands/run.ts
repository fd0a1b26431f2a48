// `peftlab run SPEC`: runs every arm with live progress (Ink on a terminal, plain lines
// otherwise, JSON lines with `--json`) and writes the results folder; `--dry-run` only
// prints the plan.
import { join, resolve } from "node:path"
import { Effect, Exit, Fiber, Layer } from "effect"
import { backendLayer, BackendUnavailable, type Events } from "@peftlab/core"
import { describePluginArm, runExperiment, trackerFolders, type PeftlabRegistry } from "@peftlab/runner"
import { isBuiltinArm, type ArmSpec, type BuiltinOf, type LoadedSpec } from "@peftlab/spec"
import { inkUi, jsonLinesLayer, plainLinesLayer, withResourceSamples } from "@peftlab/tui"
import { backendStatus } from "../backends.ts"
import { ExitCode, exitCodeOf, type Io } from "../exit.ts"
import { loadCheckedSpec } from "./validate.ts"

export interface RunFlags {
  readonly out?: string
  readonly backend?: string
  readonly tui: boolean
  readonly json: boolean
  readonly dryRun: boolean
  /** `--set field=value` overrides of spec fields. */
  readonly sets?: ReadonlyArray<string>
  /** `--allow-plugins`: import the spec's plugins (their code runs); without it a spec with plugins is refused. */
  readonly allowPlugins: boolean
}

/** ", from <init_from>" for an arm that starts from an existing adapter. */
const startsFrom = (arm: ArmSpec): string => ("init_from" in arm && arm.init_from !== undefined ? `, from ${arm.init_from}` : "")

/** A plugin arm is described by its method (registry "methods"); a built-in one here. */
const describeArm = (arm: ArmSpec, registry: PeftlabRegistry): string =>
  `${isBuiltinArm(arm) ? describeMethod(arm) : describePluginArm(registry, arm)}${startsFrom(arm)}`

const describeMethod = (arm: BuiltinOf<ArmSpec>): string => {
  switch (arm.kind) {
    case "base":
      return "frozen base"
    case "fine-tune":
      return "full fine-tuning (every base weight)"
    case "prompt":
      return `prompt tuning, ${arm.num_virtual_tokens} virtual tokens, ${arm.init} init${arm.unfreeze_base ? ", base unfrozen" : ""}`
    case "prefix":
      return `prefix tuning, ${arm.num_virtual_tokens} virtual tokens per layer${arm.prefix_projection ? ", MLP reparameterisation" : ""}`
    case "lora": {
      const targets = typeof arm.target_modules === "string" ? arm.target_modules : arm.target_modules.join(", ")
      return `LoRA r=${arm.r} alpha=${arm.lora_alpha} dropout=${arm.lora_dropout} on ${targets}${arm.quantize === "nf4" ? ", NF4 base (QLoRA)" : ""}`
    }
    case "adapter":
      return `existing adapter ${arm.path}, evaluated without training${arm.quantize === "nf4" ? ", NF4 base (QLoRA)" : ""}`
  }
}

const planLines = (loaded: LoadedSpec, registry: PeftlabRegistry, outDir: string, backend: string): Array<string> => {
  const { spec } = loaded
  const { training } = spec
  return [
    `experiment ${spec.name} (seed ${spec.seed}) on ${backend}`,
    `data   ${spec.data.path}`,
    `model  ${spec.model.path}`,
    `out    ${outDir}`,
    `training: ${training.epochs} epochs, batch ${training.batch_size}, lr ${training.lr}, max length ${training.max_length}, best epoch by ${training.select_by}`,
    ...spec.arms.map((arm) => `arm ${arm.name}: ${describeArm(arm, registry)}`),
    `stats: baseline ${spec.stats.baseline}${spec.stats.mcnemar ? ", McNemar exact" : ""}, paired bootstrap B=${spec.stats.bootstrap.B}`,
  ]
}

/** The backend `name` as a layer, or BackendUnavailable saying why it cannot run here. */
export const selectedBackend = (registry: PeftlabRegistry, name: string) =>
  Effect.gen(function* () {
    const status = yield* Effect.promise(() => backendStatus(registry.get("backends", name)))
    if (!status.available) return yield* Effect.fail(new BackendUnavailable({ source: `backend ${name}`, detail: status.reason }))
    return backendLayer(status.plugin)
  })

const eventsLayer = (flags: RunFlags, io: Io, stop: () => void): { layer: Layer.Layer<Events>; close: () => Promise<void> } => {
  if (flags.json) return { layer: jsonLinesLayer(io.out), close: async () => {} }
  if (flags.tui && process.stdout.isTTY) {
    const ui = inkUi({ onStop: stop })
    return { layer: ui.layer, close: async () => ui.unmount() }
  }
  return { layer: plainLinesLayer(io.out), close: async () => {} }
}

/** Where a finished run's results are and how to open them, the last lines a user reads. */
const whereToLook = (outDir: string, output: LoadedSpec["spec"]["output"]): Array<string> => {
  const trackers = trackerFolders(outDir, output)
  return [
    `report: ${join(outDir, "report.html")} (open it in a browser; report.md is the same in markdown)`,
    `TensorBoard: tensorboard --logdir ${trackers.tensorboard}`,
    // MLflow 3 opens a file store only when asked to (it prefers a database).
    `MLflow: MLFLOW_ALLOW_FILE_STORE=true mlflow ui --backend-store-uri file:${trackers.mlflow}`,
  ]
}

export const runRunCommand = async (file: string, flags: RunFlags, io: Io): Promise<number> => {
  const prepared = await Effect.runPromiseExit(loadCheckedSpec(file, flags.sets ?? [], flags.allowPlugins))
  if (prepared._tag === "Failure") return exitCodeOf(prepared, io)
  const { loaded, registry } = prepared.value
  const backend = flags.backend ?? loaded.spec.backend
  const outDir = resolve(flags.out ?? loaded.spec.output.dir)
  if (flags.dryRun) {
    for (const line of planLines(loaded, registry, outDir, backend)) io.out(line)
    return ExitCode.ok
  }

  // The screen's q and Ctrl-C stop the run as SIGINT does; the fiber exists only once forked.
  let interrupt = () => {}
  const events = eventsLayer(flags, io, () => interrupt())
  const program = Effect.gen(function* () {
    const backendLive = yield* selectedBackend(registry, backend)
    return yield* runExperiment(loaded, { outDir, registry }).pipe(withResourceSamples(), Effect.provide(Layer.merge(backendLive, events.layer)))
  })
  const fiber = Effect.runFork(program)
  interrupt = () => void Effect.runFork(Fiber.interrupt(fiber))
  process.once("SIGINT", interrupt)
  process.once("SIGTERM", interrupt)
  const exit = await Effect.runPromise(Fiber.await(fiber))
  process.off("SIGINT", interrupt)
  process.off("SIGTERM", interrupt)
  await events.close()
  // JSON lines stay JSON lines: their run-end event already names the folder.
  if (Exit.isSuccess(exit) && !flags.json) for (const line of whereToLook(outDir, loaded.spec.output)) io.out(line)
  return exitCodeOf(exit, io)
}
