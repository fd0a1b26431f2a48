// Model selection over a sweep: each configuration's best validation value (training.select_by,
// averaged over its seeds) picks one; only that configuration is evaluated on test, so the test
// split is used once per swept arm.
import { Effect } from "effect"
import { emit, writeFileAtomic, type Rng } from "@peftlab/core"
import type { ConcreteArm } from "@peftlab/spec"
import { join } from "node:path"
import { finishedArm, trainedArm, type FinishedArm, type TrainedArm } from "./output-folder.ts"
import { evaluateSweepMember, trainSweepMember, type ArmContext } from "./run-arm.ts"

export interface ConfigScore {
  readonly config: string
  /** The best validation value of each seed's run. */
  readonly values: ReadonlyArray<number>
  readonly mean: number
}

export interface Selection {
  readonly group: string
  readonly metric: string
  readonly higherIsBetter: boolean
  readonly chosen: string
  readonly configs: ReadonlyArray<ConfigScore>
}

type Training = NonNullable<FinishedArm["training"]>

const bestValidation = (training: Training) => {
  const best = training.epochs.find((e) => e.epoch === training.bestEpoch) ?? training.epochs.at(-1)
  if (!best) throw new Error("a trained arm without any epoch record")
  return best.validation
}

/** The configuration with the best mean validation value; ties go to the one listed first. */
export const selectConfig = (group: string, runs: ReadonlyArray<{ readonly arm: ConcreteArm; readonly training: Training }>): Selection => {
  const first = bestValidation(runs[0]!.training)
  const byConfig = new Map<string, Array<number>>()
  for (const { arm, training } of runs) byConfig.set(arm.config, [...(byConfig.get(arm.config) ?? []), bestValidation(training).value])
  const configs = [...byConfig].map(([config, values]) => ({ config, values, mean: values.reduce((a, b) => a + b, 0) / values.length }))
  const better = (a: ConfigScore, b: ConfigScore) => (first.higherIsBetter ? a.mean > b.mean : a.mean < b.mean)
  const chosen = configs.reduce((best, c) => (better(c, best) ? c : best))
  return { group, metric: first.metric, higherIsBetter: first.higherIsBetter, chosen: chosen.config, configs }
}

export const selectionFile = (outDir: string) => join(outDir, "selection.json")

/**
 * Trains every member of a sweep group (reusing what an earlier run finished), selects a
 * configuration by validation, and evaluates only its runs on test.
 */
export const runSweep = (context: ArmContext, members: ReadonlyArray<ConcreteArm>, rngOf: (arm: ConcreteArm) => Rng) =>
  Effect.gen(function* () {
    const { outDir, fingerprint } = context
    const runs: Array<{ arm: ConcreteArm; training: Training; finished?: FinishedArm }> = []
    for (const arm of members) {
      const finished = yield* finishedArm(outDir, arm.name, fingerprint)
      const trained: TrainedArm | undefined = finished ? undefined : ((yield* trainedArm(outDir, arm.name, fingerprint)) ?? (yield* trainSweepMember(context, arm, rngOf(arm))))
      const training = finished?.training ?? trained?.training
      if (!training) throw new Error(`sweep member ${arm.name} has no training record`)
      runs.push({ arm, training, ...(finished ? { finished } : {}) })
    }
    const selection = selectConfig(members[0]!.group, runs)
    const chosen = selection.configs.find((c) => c.config === selection.chosen)!
    yield* emit({
      type: "log",
      level: "info",
      message: `${selection.group}: selected ${selection.chosen} of ${selection.configs.length} configurations (validation ${selection.metric} ${chosen.mean.toFixed(4)}${chosen.values.length > 1 ? `, mean of ${chosen.values.length} seeds` : ""})`,
    })
    const evaluated: Array<FinishedArm> = []
    for (const run of runs.filter((r) => r.arm.config === selection.chosen)) {
      evaluated.push(run.finished ?? (yield* evaluateSweepMember(context, run.arm, { fingerprint, arm: run.arm.name, training: run.training }, rngOf(run.arm))))
    }
    return { selection, evaluated }
  })

export const writeSelections = (outDir: string, selections: ReadonlyArray<Selection>) =>
  writeFileAtomic(selectionFile(outDir), JSON.stringify(selections, null, 2) + "\n")
