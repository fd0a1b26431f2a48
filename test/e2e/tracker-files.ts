// What a results folder's tracker files should hold, worked out from train_log.jsonl and
// results.csv, and what they do hold, read by the documented-format readers of
// packages/trackers/test (and by TensorBoard and MLflow themselves where the venv exists).
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { decodeEvent, readTfRecords } from "../../packages/trackers/test/readers/tfrecord-reader.ts"
import { readMlflowStore } from "../../packages/trackers/test/readers/mlflow-reader.ts"

/** Series name → [step, value] pairs in step order, per arm. */
export type SeriesByArm = Record<string, Record<string, Array<[number, number]>>>

interface LogLine {
  readonly arm: string
  readonly type: "step" | "epoch"
  readonly step: number
  readonly epoch: number
  readonly loss: number
  readonly lr: number
  readonly gradNorm: number
  readonly trainLoss: number
  readonly validation: { readonly metric: string; readonly value: number; readonly loss?: number }
}

const add = (into: SeriesByArm, arm: string, series: string, step: number, value: number) => {
  const armSeries = (into[arm] ??= {})
  ;(armSeries[series] ??= []).push([step, value])
}

const sortedBySteps = (series: SeriesByArm): SeriesByArm =>
  Object.fromEntries(
    Object.entries(series).map(([arm, tags]) => [arm, Object.fromEntries(Object.entries(tags).map(([tag, points]) => [tag, [...points].sort((a, b) => a[0] - b[0])]))]),
  )

/** results.csv's numeric columns per arm, as written (arm, kind and n aside). */
export const resultsColumns = (out: string): Record<string, Record<string, number>> => {
  const [header, ...rows] = readFileSync(join(out, "results.csv"), "utf8").trim().split("\n").map((line) => line.split(","))
  return Object.fromEntries(
    rows.map((row) => [row[0]!, Object.fromEntries(header!.flatMap((name, i) => (["arm", "kind", "n"].includes(name) ? [] : [[name, Number(row[i])]])))]),
  )
}

/**
 * The series a tracker should show: per step train/loss, train/lr, train/grad_norm; per epoch
 * epoch/train_loss, validation/<metric>, validation/loss; the test metrics under `testName(column)`
 * at step 0. `round` is what the tracker stores a value as (float32 for TensorBoard).
 */
export const expectedSeries = (out: string, testName: (column: string) => string, round: (value: number) => number): SeriesByArm => {
  const series: SeriesByArm = {}
  const log = readFileSync(join(out, "train_log.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line) as LogLine)
  for (const line of log) {
    if (line.type === "step") {
      add(series, line.arm, "train/loss", line.step, round(line.loss))
      add(series, line.arm, "train/lr", line.step, round(line.lr))
      add(series, line.arm, "train/grad_norm", line.step, round(line.gradNorm))
    } else {
      add(series, line.arm, "epoch/train_loss", line.epoch, round(line.trainLoss))
      add(series, line.arm, `validation/${line.validation.metric}`, line.epoch, round(line.validation.value))
      if (line.validation.loss !== undefined) add(series, line.arm, "validation/loss", line.epoch, round(line.validation.loss))
    }
  }
  for (const [arm, columns] of Object.entries(resultsColumns(out))) {
    for (const [column, value] of Object.entries(columns)) add(series, arm, testName(column), 0, round(value))
  }
  return sortedBySteps(series)
}

/** Every scalar of the event files under `<logdir>/<experiment>/<arm>/`, per arm. */
export const tensorBoardSeries = (logdir: string, experiment: string): SeriesByArm => {
  const series: SeriesByArm = {}
  for (const arm of readdirSync(join(logdir, experiment))) {
    const folder = join(logdir, experiment, arm)
    for (const file of readdirSync(folder).filter((name) => name.includes("tfevents"))) {
      for (const record of readTfRecords(readFileSync(join(folder, file)))) {
        const event = decodeEvent(record)
        for (const { tag, simpleValue } of event.values ?? []) add(series, arm, tag, event.step, simpleValue!)
      }
    }
  }
  return sortedBySteps(series)
}

/** The MLflow experiment named `experiment` in the store: its runs' metric histories by run name, and each run. */
export const mlflowRuns = (store: string, experiment: string) => {
  const found = Object.values(readMlflowStore(store)).filter((e) => e.meta.name === experiment)
  if (found.length !== 1) throw new Error(`${store}: ${found.length} experiments named ${experiment}`)
  const runs = Object.values(found[0]!.runs)
  const series: SeriesByArm = {}
  for (const run of runs) {
    for (const [key, points] of Object.entries(run.metrics)) for (const { step, value } of points) add(series, run.tags["mlflow.runName"]!, key, step, value)
  }
  return { series: sortedBySteps(series), runs: Object.fromEntries(runs.map((run) => [run.tags["mlflow.runName"]!, run])) }
}

/** read_with_references.py's outputs in the same shape. */
export const referenceSeries = {
  tensorboard: (read: Record<string, Record<string, Array<[number, number, number]>>>, experiment: string): SeriesByArm =>
    sortedBySteps(Object.fromEntries(Object.entries(read).map(([run, tags]) => [run.replace(`${experiment}/`, ""), Object.fromEntries(Object.entries(tags).map(([tag, points]) => [tag, points.map(([step, value]) => [step, value] as [number, number])]))]))),
  mlflow: (read: { runs: Record<string, { run_name: string; metrics: Record<string, Array<[number, number, number]>> }> }): SeriesByArm =>
    sortedBySteps(Object.fromEntries(Object.values(read.runs).map((run) => [run.run_name, Object.fromEntries(Object.entries(run.metrics).map(([key, points]) => [key, points.map(([step, value]) => [step, value] as [number, number])]))]))),
}
