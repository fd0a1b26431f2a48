import { join } from "node:path"
import { writeFileAtomic } from "@peftlab/core"
import { toCsv } from "./csv.ts"
import { boldIf } from "./format.ts"
import { type Align, toMarkdownTable } from "./markdown.ts"

export interface ArmResult {
  readonly arm: string
  readonly kind: string
  readonly n: number
  readonly accuracy: number
  readonly macroF1: number
  readonly perClassF1: Readonly<Record<string, number>>
  readonly latencyMeanMs: number
  readonly latencyP95Ms: number
  readonly trainableParams: number
  /** Further metrics by name (the spec's evaluation.metrics beyond these), one column each. */
  readonly metrics?: Readonly<Record<string, number>>
  /** The same arm on an evaluation-only test set (evaluation.external_test): its size and the task's metrics by column name. */
  readonly external?: { readonly n: number; readonly metrics: Readonly<Record<string, number>> }
}

/** Mean and sample standard deviation (0 for a single value). */
const meanSd = (values: readonly number[]): { mean: number; sd: number } => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  const variance = values.length < 2 ? 0 : values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1)
  return { mean, sd: Math.sqrt(variance) }
}

/** Arms grouped by the configuration they ran (an arm once per seed), in first-seen order. */
const byConfig = (results: readonly ArmResult[], configOf: ReadonlyMap<string, string>): Array<[string, ArmResult[]]> => {
  const groups = new Map<string, ArmResult[]>()
  for (const r of results) {
    const config = configOf.get(r.arm) ?? r.arm
    groups.set(config, [...(groups.get(config) ?? []), r])
  }
  return [...groups]
}

/** results_by_config.csv and a results.md section: each configuration's metrics as mean ± sd over its seeds. */
const seedSummary = (results: readonly ArmResult[], configOf: ReadonlyMap<string, string>) => {
  const groups = byConfig(results, configOf)
  const stats = groups.map(([config, runs]) => ({ config, runs: runs.length, macroF1: meanSd(runs.map((r) => r.macroF1)), accuracy: meanSd(runs.map((r) => r.accuracy)) }))
  const csv = toCsv(
    ["config", "runs", "macro_f1_mean", "macro_f1_sd", "accuracy_mean", "accuracy_sd"],
    stats.map((s) => [s.config, s.runs, s.macroF1.mean, s.macroF1.sd, s.accuracy.mean, s.accuracy.sd]),
  )
  const pm = ({ mean, sd }: { mean: number; sd: number }) => `${mean.toFixed(4)} ± ${sd.toFixed(4)}`
  const markdown = toMarkdownTable(
    ["configuration", "runs", "macro-F1 (mean ± sd)", "accuracy (mean ± sd)"],
    stats.map((s) => [s.config, s.runs, pm(s.macroF1), pm(s.accuracy)]),
    ["left", "right", "right", "right"],
  )
  return { csv, markdown, repeated: groups.some(([, runs]) => runs.length > 1) }
}

/**
 * results.csv (full precision, machine-readable) and results.md (metrics to 4 decimals,
 * milliseconds to 2, each column's best in bold, `intervals` in brackets): one row per arm, with one F1 column per label in `labels` order, then
 * one column per further metric (`ArmResult.metrics`, every arm must have each). When
 * `configOf` maps arms run once per seed to their configuration, results_by_config.csv and a
 * results.md section give each configuration's mean ± sd over seeds.
 */
/** A 95% interval, [low, high]. */
export type Interval = readonly [number, number]

/** What results.md shows in brackets beside an arm's macro-F1 and accuracy. */
export interface ResultIntervals {
  readonly macroF1: Interval
  readonly accuracy: Interval
}

/** Marks each column's best value (highest, or lowest for `lowerIsBetter`); a column of equal values has none. */
const bestOf = (values: readonly number[], lowerIsBetter = false) => {
  const best = lowerIsBetter ? Math.min(...values) : Math.max(...values)
  const differ = values.some((v) => v !== best)
  return (value: number) => differ && value === best
}

export const writeResults = async (
  dir: string,
  results: readonly ArmResult[],
  labels: readonly string[],
  configOf: ReadonlyMap<string, string> = new Map(),
  intervals: ReadonlyMap<string, ResultIntervals> = new Map(),
): Promise<void> => {
  const f1s = results.map((r) =>
    labels.map((label) => {
      const f1 = r.perClassF1[label]
      if (f1 === undefined) throw new RangeError(`arm ${r.arm} has no F1 for label ${JSON.stringify(label)}`)
      return f1
    }),
  )
  const extraNames = [...new Set(results.flatMap((r) => Object.keys(r.metrics ?? {})))]
  const extras = results.map((r) =>
    extraNames.map((name) => {
      const value = r.metrics?.[name]
      if (value === undefined) throw new RangeError(`arm ${r.arm} has no value for metric ${JSON.stringify(name)}`)
      return value
    }),
  )
  const csvHeader = ["arm", "kind", "n", "macro_f1", "accuracy", ...labels.map((l) => `f1_${l}`), "latency_mean_ms", "latency_p95_ms", "trainable_params", ...extraNames]
  const csvRows = results.map((r, i) => [r.arm, r.kind, r.n, r.macroF1, r.accuracy, ...f1s[i]!, r.latencyMeanMs, r.latencyP95Ms, r.trainableParams, ...extras[i]!])
  const ci = intervals.size > 0 ? " [95% CI]" : ""
  const mdHeader = ["arm", "kind", "n", `macro-F1${ci}`, `accuracy${ci}`, ...labels.map((l) => `F1 ${l}`), "latency mean (ms)", "latency p95 (ms)", "trainable params", ...extraNames]
  const best = {
    macroF1: bestOf(results.map((r) => r.macroF1)),
    accuracy: bestOf(results.map((r) => r.accuracy)),
    f1: labels.map((_, k) => bestOf(f1s.map((row) => row[k]!))),
    latencyMean: bestOf(results.map((r) => r.latencyMeanMs), true),
    latencyP95: bestOf(results.map((r) => r.latencyP95Ms), true),
    extras: extraNames.map((_, k) => bestOf(extras.map((row) => row[k]!))),
  }
  const withInterval = (value: number, interval: Interval | undefined, isBest: boolean) =>
    boldIf(value.toFixed(4), isBest) + (interval ? ` [${interval[0].toFixed(4)}, ${interval[1].toFixed(4)}]` : "")
  const mdRows = results.map((r, i) => [
    r.arm,
    r.kind,
    r.n,
    withInterval(r.macroF1, intervals.get(r.arm)?.macroF1, best.macroF1(r.macroF1)),
    withInterval(r.accuracy, intervals.get(r.arm)?.accuracy, best.accuracy(r.accuracy)),
    ...f1s[i]!.map((f1, k) => boldIf(f1.toFixed(4), best.f1[k]!(f1))),
    boldIf(r.latencyMeanMs.toFixed(2), best.latencyMean(r.latencyMeanMs)),
    boldIf(r.latencyP95Ms.toFixed(2), best.latencyP95(r.latencyP95Ms)),
    r.trainableParams,
    ...extras[i]!.map((value, k) => boldIf(value.toFixed(4), best.extras[k]!(value))),
  ])
  const align = mdHeader.map((_, i): Align => (i < 2 ? "left" : "right"))
  const seeds = seedSummary(results, configOf)
  await writeFileAtomic(join(dir, "results.csv"), toCsv(csvHeader, csvRows))
  if (seeds.repeated) await writeFileAtomic(join(dir, "results_by_config.csv"), seeds.csv)
  const bySeed = seeds.repeated ? `\n## By configuration (mean ± sd over seeds)\n\n${seeds.markdown}` : ""
  await writeFileAtomic(join(dir, "results.md"), `# Results\n\n${toMarkdownTable(mdHeader, mdRows, align)}${bySeed}`)
}
