// A sweep group run: every member trained (or its earlier training reused), one configuration
// selected by validation (selection.ts), and only that configuration's runs evaluated on test.
import { Effect } from "effect"
import { emit, type Rng } from "@peftlab/core"
import type { ConcreteArm } from "@peftlab/spec"
import { finishedArm, trainedArm, type FinishedArm, type TrainedArm } from "./output-folder.ts"
import { evaluateSweepMember, trainSweepMember, type ArmContext } from "./run-arm.ts"
import { selectConfig, type Training } from "./selection.ts"

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
