// A whole experiment: data, tokenizer and model once, then every arm in spec order, then the
// comparisons and the summary files. Finished arms found in the output folder are reused,
// so an interrupted run picks up where it stopped.
import { resolve } from "node:path"
import { Cause, Effect } from "effect"
import { Backend, emit, InputError, Rng, type Events } from "@peftlab/core"
import { sharedMatrices } from "@peftlab/models"
import { Registry } from "@peftlab/plugin-api"
import { writeManifest } from "@peftlab/reporters"
import type { ConcreteArm, ExperimentSpec, LoadedSpec } from "@peftlab/spec"
import { resolveDataPath, resolveModel } from "@peftlab/hub"
import { loadTokenizer } from "@peftlab/tokenizers"
import { fingerprintInputs, fingerprintOf, modelWeightsHash } from "./fingerprint.ts"
import { checkAdapterReferences } from "./adapter-arms/check.ts"
import { adapterArmVirtualTokens, adapterHashes, checkAdapterArmsLoad, findSpecAdapters } from "./adapter-arms/preflight.ts"
import { compareFinished, prepareTask } from "./tasks/task-kinds.ts"
import { checkPositionsFit } from "./positions-fit.ts"
import { checkArmOptions } from "./arm-options.ts"
import { refuseTruncation } from "./truncation/refuse.ts"
import { applyGradientCheckpointing } from "./gradient-checkpointing.ts"
import { armFolder, checkOutputFolder, finishedArm, trainedArm, type FinishedArm } from "./output-folder.ts"
import { lockOutputFolder } from "./folder-lock.ts"
import { checkTextLengths } from "./data-limits.ts"
import { runArm, type ArmContext } from "./run-arm.ts"
import { withDecodedOptions } from "./registry/index.ts"
import { runSweep } from "./run-sweep.ts"
import type { Selection } from "./selection.ts"
import { packageVersions } from "./versions.ts"

export interface RunOptions {
  readonly outDir: string
}

/** Arms that ran elsewhere (a queue's workers) and did not leave their files where this run reads them. */
export class ArmJobsError extends InputError("ArmJobsError") {}

/** Arms in spec order, those expanded from one spec arm together. */
const groupsOf = (arms: ReadonlyArray<ConcreteArm>): Array<Array<ConcreteArm>> => {
  const groups = new Map<string, Array<ConcreteArm>>()
  for (const arm of arms) groups.set(arm.group, [...(groups.get(arm.group) ?? []), arm])
  return [...groups.values()]
}

/** What one arm's job needs to run it elsewhere: the run as the submitter resolved it. */
export interface QueuedArm {
  /** `arm`: train (if it trains) and evaluate on test; `sweep-member`: train only, for selection (trained.json). */
  readonly work: "arm" | "sweep-member"
  readonly arm: ConcreteArm
}

/** The run the arms of an executor belong to. */
export interface ArmJobsRun {
  readonly loaded: LoadedSpec
  readonly outDir: string
  readonly fingerprint: string
  readonly backend: string
}

export interface RunOptions<E = never> {
  readonly outDir: string
  /**
   * Runs the arms the folder lacks somewhere else (a queue's workers), leaving each one's files in
   * the output folder; the run then goes on as if it resumed them. Absent, every arm runs here.
   */
  readonly execute?: (pending: ReadonlyArray<QueuedArm>, run: ArmJobsRun) => Effect.Effect<void, E, Events>
}

/** The arms' generators: each draws its own from the experiment seed in spec order (or from its own seed). */
export const armRngs = (spec: ExperimentSpec): ((arm: ConcreteArm) => Rng) => {
  // Every arm draws its own generator from the experiment seed in spec order (or, with
  // seeds, from its own seed), so an arm computes the same thing whether or not the arms
  // before it were resumed, or ran in another process.
  const rng = Rng.seeded(spec.seed)
  const rngs = new Map(spec.arms.map((arm) => [arm.name, arm.seed === undefined ? rng.fork() : Rng.seeded(arm.seed)]))
  return (arm) => rngs.get(arm.name)!
}

/** Whether `members` (one spec arm's) are a sweep that selection trains first and evaluates after. */
export const isSelectedSweep = (spec: ExperimentSpec, members: ReadonlyArray<ConcreteArm>): boolean =>
  spec.selection === "best" && new Set(members.map((arm) => arm.config)).size > 1

/**
 * Everything an arm runs with: the spec's checks, data, model and the fingerprint, the output
 * folder checked against it (and locked for the run when `lock`).
 */
export const prepareRun = (given: LoadedSpec, outDir: string, lock: boolean) =>
  Effect.gen(function* () {
    const registry = yield* Registry
    // Method arms' options as their methods decode them, defaults filled: what the manifest echoes and the fingerprint covers.
    const loaded = withDecodedOptions(given, registry)
    const { spec } = loaded
    // The existing adapters the spec names are found and agree with their arms before anything runs.
    yield* checkAdapterReferences(loaded, process.env, registry.entries("methods"))
    const backend = yield* Backend
    if (lock) yield* emit({ type: "run-start", name: spec.name, backend: backend.name, device: backend.device.description, arms: spec.arms.map((a) => a.name), outDir })
    // A URL or a Hugging Face id comes from the HF cache (or the network, unless HF_HUB_OFFLINE
    // is set), reporting its download through the run's Events.
    // The data kinds read local files: a URL is resolved to its cached copy (or extracted folder) first.
    const maxArchiveBytes = { bytes: spec.data.max_archive_bytes, field: "data.max_archive_bytes" }
    const dataPath = yield* resolveDataPath(spec.data.path, { maxArchiveBytes })
    if (dataPath !== spec.data.path) yield* emit({ type: "log", level: "info", message: `data ${spec.data.path}: ${dataPath}` })
    const data = yield* prepareTask({ ...spec, data: { ...spec.data, path: dataPath } })
    yield* checkTextLengths(spec, data.splits)
    const modelDir = yield* resolveModel(spec.model.path)
    if (modelDir !== spec.model.path) yield* emit({ type: "log", level: "info", message: `model ${spec.model.path}: ${modelDir}` })
    const adapters = yield* findSpecAdapters(spec)
    const inputs = fingerprintInputs(spec, data.hash, yield* modelWeightsHash(modelDir), backend.name, yield* adapterHashes(adapters))
    const fingerprint = fingerprintOf(inputs)
    // Held until the run ends, however it ends; a second run into this folder is refused here.
    if (lock) yield* lockOutputFolder(outDir)
    yield* checkOutputFolder(outDir, inputs)
    const tokenizer = yield* loadTokenizer(modelDir)
    const { model, task, truncation } = yield* data.load({ tokenizer, modelDir })
    // Said before anything else can fail or train; training.truncation: error stops here (exit 2).
    yield* emit({ type: "truncation", ...truncation })
    yield* refuseTruncation(truncation)
    yield* checkPositionsFit(spec, model, modelDir, adapterArmVirtualTokens(adapters), registry.entries("methods"))
    yield* checkArmOptions(loaded, model, tokenizer)
    yield* checkAdapterArmsLoad(model, adapters, registry.entries("methods"))
    yield* applyGradientCheckpointing(spec, model, modelDir)
    const context: ArmContext = { spec, outDir, fingerprint, model, tokenizer, task, replica: { loaded, dataPath, modelDir, backend: backend.name, shared: sharedMatrices(model.parameters) } }

    return { loaded, spec, registry, backend, dataPath, data, modelDir, model, adapters, inputs, fingerprint, truncation, context }
  })

/** The arms the folder lacks, handed to `execute`; each must then have left its record in the folder. */
const runElsewhere = <E>(execute: NonNullable<RunOptions<E>["execute"]>, run: ArmJobsRun, groups: ReadonlyArray<ReadonlyArray<ConcreteArm>>) =>
  Effect.gen(function* () {
    const { outDir, fingerprint } = run
    const pending: Array<QueuedArm> = []
    for (const members of groups) {
      const sweep = isSelectedSweep(run.loaded.spec, members)
      for (const arm of members) {
        if (yield* finishedArm(outDir, arm.name, fingerprint)) continue
        if (sweep && (yield* trainedArm(outDir, arm.name, fingerprint))) continue
        pending.push({ work: sweep ? "sweep-member" : "arm", arm })
      }
    }
    if (pending.length === 0) return
    yield* execute(pending, run)
    for (const { arm, work } of pending) {
      const done = work === "arm" ? yield* finishedArm(outDir, arm.name, fingerprint) : yield* trainedArm(outDir, arm.name, fingerprint)
      if (done === undefined) {
        return yield* Effect.fail(
          new ArmJobsError({
            source: armFolder(outDir, arm.name),
            detail: "its job finished, but its result is not in this folder; the workers and this process must see the same output folder (a shared file system path)",
          }),
        )
      }
    }
  })

/** Runs `given` with the run's Registry (specRegistryLayer(given): the built-ins and the spec's plugins, its names checked). */
export const runExperiment = <E = never>(given: LoadedSpec, options: RunOptions<E>) =>
  Effect.gen(function* () {
    const { outDir } = options
    const started = performance.now()
    const startedAt = new Date().toISOString()
    const { loaded, spec, registry, backend, dataPath, data, modelDir, model, adapters, inputs, fingerprint, truncation, context } = yield* prepareRun(given, outDir, true)
    const { task } = context

    const manifest = {
      name: spec.name,
      spec_file: loaded.file,
      spec,
      fingerprint,
      fingerprint_inputs: inputs,
      backend: backend.name,
      // What the backend computed on (not in the fingerprint: the same backend gives the same numbers on another machine's CPU).
      device: backend.device,
      seeds: { experiment: spec.seed, split: spec.data.split.seed ?? spec.seed, bootstrap: spec.stats.bootstrap.seed },
      data: {
        path: resolve(dataPath),
        ...(dataPath !== spec.data.path && { source: spec.data.path }),
        hash: data.hash,
        report: data.report,
        labels: data.labels,
        splits: Object.fromEntries(Object.entries(data.splits).map(([name, rows]) => [name, rows.length])),
      },
      // Computed from the data, spec and tokenizer alone, so a resumed run writes the same counts.
      truncation,
      model: { path: resolve(modelDir), id: spec.model.path, architecture: model.architecture, parameters: model.parameterCount(), dims: model.dims },
      // Where each existing adapter (adapter arms' path, init_from) was found, by its location as written.
      ...(adapters.length > 0 && { adapters: Object.fromEntries(adapters.map(({ reference, dir }) => [reference.written, dir])) }),
      runtime: { node: process.version, platform: `${process.platform}-${process.arch}` },
      packages: packageVersions(),
      started_at: startedAt,
    }
    yield* Effect.promise(() => writeManifest(outDir, { ...manifest, status: "running" }))

    const runArms = Effect.gen(function* () {
      const rngOf = armRngs(spec)
      if (options.execute) yield* runElsewhere(options.execute, { loaded, outDir, fingerprint, backend: backend.name }, groupsOf(spec.arms))
      const finished: Array<FinishedArm> = []
      const selections: Array<Selection> = []
      for (const members of groupsOf(spec.arms)) {
        if (isSelectedSweep(spec, members)) {
          const { selection, evaluated } = yield* runSweep(context, members, rngOf)
          selections.push(selection)
          finished.push(...evaluated)
          continue
        }
        for (const arm of members) {
          const previous = yield* finishedArm(outDir, arm.name, fingerprint)
          if (previous) {
            yield* emit({ type: "arm-phase", arm: arm.name, phase: "done", detail: "resumed from the output folder" })
            yield* emit({ type: "arm-result", arm: arm.name, metrics: task.headline(previous.result) })
            finished.push(previous)
            continue
          }
          finished.push(yield* runArm(context, arm, rngOf(arm)))
        }
      }

      const comparisons = compareFinished(spec, data.labels, finished)
      const run = { spec, fingerprint, labels: data.labels, finished, comparisons, selections, truncation }
      for (const reporter of registry.entries("reporters")) yield* reporter.write(outDir, run)
      yield* Effect.promise(() => writeManifest(outDir, { ...manifest, status: "complete", finished_at: new Date().toISOString() }))
      yield* emit({ type: "run-end", ok: true, outDir, elapsedMs: performance.now() - started })
      return { finished, comparisons }
    })
    // A stopped or failed run says so in its manifest; its finished arms stay for a resume.
    return yield* runArms.pipe(
      Effect.onError((cause) =>
        Effect.promise(() => writeManifest(outDir, { ...manifest, status: Cause.hasInterruptsOnly(cause) ? "interrupted" : "failed" })),
      ),
    )
  }).pipe(Effect.scoped)
