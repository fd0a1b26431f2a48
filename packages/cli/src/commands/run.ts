// `peftlab run SPEC`: runs every arm with live progress (Ink on a terminal, plain lines
// otherwise, JSON lines with `--json`) and writes the results folder; `--dry-run` only
// prints the plan.
import { join, resolve } from "node:path"
import { Effect, Exit, Fiber, Layer } from "effect"
import { checkReachable, parseQueueUrl, QueueUrlError, queueExecutor } from "@peftlab/queue"
import { backendLayer, BackendUnavailable, type Events } from "@peftlab/core"
import { Registry, type PeftlabRegistry } from "@peftlab/plugin-api"
import { describeMethodArm, initFromOf, runExperiment, trackerFolders } from "@peftlab/runner"
import { isBuiltinArm, type ArmSpec, type BuiltinOf, type LoadedSpec } from "@peftlab/spec"
import { inkUiLayer, jsonLinesLayer, plainLinesLayer, withResourceSamples } from "@peftlab/tui"
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
  /** `--queue redis://…`: the arms run as jobs on that queue's workers (`peftlab worker`). */
  readonly queue?: string
}

/** ", from <init_from>" for an arm that starts from an existing adapter. */
const startsFrom = (arm: ArmSpec): string => {
  const initFrom = initFromOf(arm)
  return initFrom === undefined ? "" : `, from ${initFrom}`
}

/** A method arm (prompt, prefix, lora, or a plugin's) is described by its method (registry "methods"); the spec's own kinds here. */
const describeArm = (arm: ArmSpec, registry: PeftlabRegistry): string => `${isBuiltinArm(arm) ? describeOwnKind(arm) : describeMethodArm(registry, arm)}${startsFrom(arm)}`

const describeOwnKind = (arm: BuiltinOf<ArmSpec>): string => {
  switch (arm.kind) {
    case "base":
      return "frozen base"
    case "fine-tune":
      return "full fine-tuning (every base weight)"
    case "adapter":
      return `existing adapter ${arm.path}, evaluated without training${{ none: "", nf4: ", NF4 base (QLoRA)", int8: ", int8 base (LLM.int8())" }[arm.quantize]}`
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
    `stats: baseline ${spec.stats.baseline}${spec.stats.mcnemar ? ", McNemar exact" : ""}, paired bootstrap B=${spec.stats.bootstrap.B}` +
      (spec.stats.randomization ? `, approximate randomization R=${spec.stats.randomization.R}` : ""),
  ]
}

/** The backend `name` of the run's Registry as a layer, or BackendUnavailable saying why it cannot run here. */
export const selectedBackend = (name: string) =>
  Effect.gen(function* () {
    const registry = yield* Registry
    const status = yield* backendStatus(registry.get("backends", name))
    if (!status.available) return yield* Effect.fail(new BackendUnavailable({ source: `backend ${name}`, detail: status.reason }))
    return backendLayer(status.plugin)
  })

/** Where the run's events go: JSON lines, the Ink screen (on a terminal, scoped to the run) or plain lines. */
const eventsLayer = (flags: RunFlags, io: Io, stop: () => void): Layer.Layer<Events> => {
  if (flags.json) return jsonLinesLayer(io.out)
  if (flags.tui && process.stdout.isTTY) return inkUiLayer({ onStop: stop })
  return plainLinesLayer(io.out)
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

/** The queue the arms run on: --queue, else the spec's execution.queue; both, they must agree. */
const queueOf = (flags: RunFlags, loaded: LoadedSpec) =>
  Effect.gen(function* () {
    const written = loaded.spec.execution?.queue
    const field = `execution.queue in ${loaded.file}`
    if (flags.queue !== undefined && written !== undefined && flags.queue !== written) {
      return yield* Effect.fail(new QueueUrlError({ source: "--queue", detail: `"${flags.queue}" differs from ${field} ("${written}"); give one, or the same in both` }))
    }
    if (flags.queue !== undefined) return yield* parseQueueUrl(flags.queue, "--queue")
    if (written !== undefined) return yield* parseQueueUrl(written, field)
    return undefined
  })

export const runRunCommand = async (file: string, flags: RunFlags, io: Io): Promise<number> => {
  const prepared = await Effect.runPromiseExit(loadCheckedSpec(file, flags.sets ?? [], flags.allowPlugins))
  if (prepared._tag === "Failure") return exitCodeOf(prepared, io)
  const { loaded, registry } = prepared.value
  const backend = flags.backend ?? loaded.spec.backend
  const outDir = resolve(flags.out ?? loaded.spec.output.dir)
  const queue = await Effect.runPromiseExit(queueOf(flags, loaded))
  if (queue._tag === "Failure") return exitCodeOf(queue, io)
  if (flags.dryRun) {
    for (const line of planLines(loaded, registry, outDir, backend)) io.out(line)
    if (queue.value) io.out(`queue  ${queue.value.shown}: one job per arm, run by \`peftlab worker --queue ${queue.value.shown}\``)
    return ExitCode.ok
  }
  const queueUrl = queue.value

  // The screen's q and Ctrl-C stop the run as SIGINT does; the fiber exists only once forked.
  let interrupt = () => {}
  const events = eventsLayer(flags, io, () => interrupt())
  // The registry loadCheckedSpec built (the spec's plugins imported once), as the run's Registry.
  const program = Effect.gen(function* () {
    const backendLive = yield* selectedBackend(backend)
    if (queueUrl) yield* checkReachable(queueUrl)
    return yield* runExperiment(loaded, { outDir, ...(queueUrl && { execute: queueExecutor(queueUrl) }) }).pipe(withResourceSamples(), Effect.provide(Layer.merge(backendLive, events)))
  }).pipe(Effect.provide(Layer.succeed(Registry, registry)))
  const fiber = Effect.runFork(program)
  interrupt = () => void Effect.runFork(Fiber.interrupt(fiber))
  process.once("SIGINT", interrupt)
  process.once("SIGTERM", interrupt)
  const exit = await Effect.runPromise(Fiber.await(fiber))
  process.off("SIGINT", interrupt)
  process.off("SIGTERM", interrupt)
  // JSON lines stay JSON lines: their run-end event already names the folder.
  if (Exit.isSuccess(exit) && !flags.json) for (const line of whereToLook(outDir, loaded.spec.output)) io.out(line)
  return exitCodeOf(exit, io)
}
