// A finished run as the trackers (@peftlab/trackers) see it: per arm its training log, its
// test metrics read back from results.csv (so TensorBoard and MLflow hold exactly the numbers
// of the table), the spec's settings as flat params, and the files to keep as artifacts.
import { existsSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { fromCsv } from "@peftlab/reporters"
import type { TrackedArm } from "@peftlab/trackers"
import type { ConcreteArm } from "@peftlab/spec"
import { adapterFolder } from "../output-folder.ts"
import type { FinishedRun } from "@peftlab/plugin-api"

type Param = string | number | boolean

/** `{ a: { b: 1 }, c: [1, 2] }` as `{ "a.b": 1, c: "[1,2]" }`; absent values are left out. */
const flatten = (value: unknown, prefix: string, into: Record<string, Param>): Record<string, Param> => {
  if (value === undefined || value === null) return into
  if (typeof value === "object" && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix === "" ? key : `${prefix}.${key}`, into)
  } else {
    into[prefix] = typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : JSON.stringify(value)
  }
  return into
}

/** What computed an arm: the run's shared settings and the arm's own fields (its name and sweep bookkeeping aside). */
const paramsOf = (run: FinishedRun, arm: ConcreteArm): Record<string, Param> => {
  const { spec } = run
  const { name: _name, group: _group, config: _config, ...own } = arm
  return flatten(
    {
      seed: spec.seed,
      backend: spec.backend,
      data: { kind: spec.data.kind, path: spec.data.path, split: spec.data.split, limit: spec.data.limit },
      model: { path: spec.model.path },
      task: spec.task,
      arm: own,
      training: spec.training,
      evaluation: spec.evaluation,
    },
    "",
    {},
  )
}

/** results.csv's numeric columns by arm, as written (arm, kind and n are not metrics). */
const testMetricsOf = (outDir: string): Map<string, Record<string, number>> => {
  const [header = [], ...rows] = fromCsv(readFileSync(join(outDir, "results.csv"), "utf8"))
  const metricColumns = header.flatMap((name, column) => (["arm", "kind", "n"].includes(name) ? [] : [{ name, column }]))
  return new Map(
    rows.map((row) => [
      row[0] ?? "",
      Object.fromEntries(metricColumns.flatMap(({ name, column }) => (row[column] === undefined || row[column] === "" ? [] : [[name, Number(row[column])]]))),
    ]),
  )
}

/** The files an MLflow run keeps: the adapter, the arm's predictions and the run's reports. */
const artifactsOf = (outDir: string, arm: string): TrackedArm["artifacts"] =>
  [
    { from: adapterFolder(outDir, arm), to: "adapter" },
    ...["report.html", "report.md", "results.csv"].map((file) => ({ from: join(outDir, file), to: file })),
    ...[`preds_${arm}_test.csv`, `preds_${arm}_test.jsonl`].map((file) => ({ from: join(outDir, file), to: file })),
  ].filter(({ from }) => existsSync(from))

export const trackedArms = (outDir: string, run: FinishedRun): Array<TrackedArm> => {
  const metrics = testMetricsOf(outDir)
  const armSpecs = new Map(run.spec.arms.map((arm) => [arm.name, arm]))
  return run.finished.map(({ result, training }) => ({
    arm: result.arm,
    steps: (training?.steps ?? []).map(({ step, epoch, loss, lr, gradNorm }) => ({ step, epoch, loss, lr, gradNorm })),
    epochs: (training?.epochs ?? []).map(({ epoch, trainLoss, validation }) => ({ epoch, trainLoss, validation })),
    test: metrics.get(result.arm) ?? {},
    params: paramsOf(run, armSpecs.get(result.arm)!),
    artifacts: artifactsOf(resolve(outDir), result.arm),
  }))
}
