// Model selection over a sweep: each configuration's best validation value (training.select_by,
// averaged over its seeds) picks one; only that configuration is evaluated on test (run-sweep.ts),
// so the test split is used once per swept arm. The selections are kept in selection.json.
import { writeFileAtomic } from "@peftlab/core"
import type { ConcreteArm } from "@peftlab/spec"
import { join } from "node:path"
import type { ConfigScore, FinishedArm, Selection } from "@peftlab/plugin-api"

export type { ConfigScore, Selection } from "@peftlab/plugin-api"

export type Training = NonNullable<FinishedArm["training"]>

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

export const writeSelections = (outDir: string, selections: ReadonlyArray<Selection>) =>
  writeFileAtomic(selectionFile(outDir), JSON.stringify(selections, null, 2) + "\n")
