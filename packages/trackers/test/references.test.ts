// What the writers produce, read by TensorBoard's and MLflow's own code (test/read_with_references.py
// with tools/references/requirements.txt), compared with what was given. Without those readers the
// test is skipped with a warning, except under CI, which installs them: there it fails.
import { existsSync, statSync } from "node:fs"
import { join } from "node:path"
import { useTmpDir } from "@peftlab/testkit/tmp-dir"
import { describe, expect, it } from "vitest"
import { writeMlflow, writeTensorBoard } from "../src/index.ts"
import { expectedScalars, fixtureArms } from "./fixture.ts"
import { findReaders, readWithReferences as read } from "./reference-readers.ts"

const readers = findReaders()

const tmp = useTmpDir("trackers")
const time = 1700000000123

describe("read by TensorBoard and MLflow themselves", () => {
  if ("missing" in readers) {
    it("needs the reference readers", (ctx) => {
      if (process.env["CI"]) throw new Error(readers.missing)
      console.warn(`skipping the reference check: ${readers.missing}`)
      ctx.skip()
    })
    return
  }
  const { python } = readers

  it("TensorBoard's scalars dashboard shows every tag at its step, once after a rewrite", async () => {
    const arms = fixtureArms(tmp())
    const logdir = join(tmp(), "tb")
    await writeTensorBoard(logdir, "quickstart", arms, { wallTime: 1600000000.5 })
    await writeTensorBoard(logdir, "quickstart", arms, { wallTime: 1700000000.25 })
    const runs = read(python, "tensorboard", logdir) as Record<string, Record<string, Array<[number, number, number]>>>
    expect(Object.keys(runs).sort()).toEqual(arms.map((a) => `quickstart/${a.arm}`).sort())
    for (const arm of arms) {
      const shown = Object.fromEntries(Object.entries(runs[`quickstart/${arm.arm}`]!).map(([tag, points]) => [tag, points.map(([step, value]) => [step, value])]))
      expect(shown).toEqual(expectedScalars(arm))
      expect(Object.values(runs[`quickstart/${arm.arm}`]!).flat().every(([, , wallTime]) => wallTime === 1700000000.25)).toBe(true)
    }
  })

  it("MlflowClient reads the runs as given, in an experiment mlflow created, after a rewrite", async () => {
    const arms = fixtureArms(tmp())
    const root = join(tmp(), "mlruns")
    const name = 'clinical NLP: "quoted", long enough that PyYAML folds the name onto a second line ✓'
    const { id } = read(python, "create-experiment", root, name) as { id: string }
    await writeMlflow(root, name, arms, { time: time - 1000, user: "ada" })
    const { experimentId, runIds } = await writeMlflow(root, name, arms, { time, user: "ada" })
    expect(experimentId).toBe(id)
    const store = read(python, "mlflow", root, name) as {
      experiments: Array<string>
      experiment_id: string
      runs: Record<string, Record<string, unknown>>
    }
    expect(store.experiments).toEqual(["Default", name].sort())
    expect(store.experiment_id).toBe(id)
    expect(Object.keys(store.runs).sort()).toEqual([...runIds].sort())
    arms.forEach((arm, i) => {
      const run = store.runs[runIds[i]!]!
      const metrics: Record<string, Array<[number, number, number]>> = {}
      for (const { series, step, value } of [
        ...arm.steps.flatMap((s) => [
          { series: "train/loss", step: s.step, value: s.loss },
          { series: "train/lr", step: s.step, value: s.lr },
          ...(s.gradNorm === undefined ? [] : [{ series: "train/grad_norm", step: s.step, value: s.gradNorm }]),
        ]),
        ...arm.epochs.flatMap((e) => [
          { series: "epoch/train_loss", step: e.epoch, value: e.trainLoss },
          ...(e.validation ? [{ series: `validation/${e.validation.metric}`, step: e.epoch, value: e.validation.value }] : []),
          ...(e.validation?.loss === undefined ? [] : [{ series: "validation/loss", step: e.epoch, value: e.validation.loss }]),
        ]),
        ...Object.entries(arm.test).map(([series, value]) => ({ series, step: 0, value })),
      ]) {
        ;(metrics[series] ??= []).push([step, value, time])
      }
      const artifacts = Object.fromEntries(
        arm.artifacts.flatMap(({ from, to }) =>
          statSync(from).isDirectory() ? ["adapter_config.json", "weights.bin"].map((f) => [`${to}/${f}`, statSync(join(from, f)).size]) : [[to, statSync(from).size]],
        ),
      )
      expect(run).toEqual({
        run_name: arm.arm,
        status: "FINISHED",
        start_time: time,
        end_time: time,
        user_id: "ada",
        lifecycle_stage: "active",
        params: Object.fromEntries(Object.entries(arm.params).map(([k, v]) => [k, String(v)])),
        tags: { ...arm.tags, "mlflow.runName": arm.arm, "mlflow.source.name": "peftlab", "mlflow.source.type": "LOCAL", "mlflow.user": "ada" },
        metrics,
        artifacts,
      })
    })
    expect(existsSync(join(root, ".trash"))).toBe(true)
  })
})
