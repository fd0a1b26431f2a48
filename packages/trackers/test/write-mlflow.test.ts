// writeMlflow's store read back with the independent reader: experiment and run meta, params,
// tags, metric histories, artifacts; experiments found by name; rewrites that replace a run; and
// input MLflow would refuse, refused before the store is touched.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { useTmpDir } from "@peftlab/testkit/tmp-dir"
import { describe, expect, it } from "vitest"
import { MlflowInputError, runIdOf, TrackedArmError, writeMlflow } from "../src/index.ts"
import { fixtureArms } from "./fixture.ts"
import { readMlflowStore } from "./readers/mlflow-reader.ts"

const tmp = useTmpDir("trackers")
const time = 1700000000123

describe("writeMlflow", () => {
  it("writes finished runs that read back as given", async () => {
    const arms = fixtureArms(tmp())
    const root = join(tmp(), "mlruns")
    const { experimentId, runIds } = await writeMlflow(root, "quickstart", arms, { time, user: "ada" })
    expect(experimentId).toMatch(/^[1-9]\d{17}$/)
    expect(runIds).toEqual(arms.map((a) => runIdOf(a.runIdSeed)))
    expect(runIds[0]).toMatch(/^[0-9a-f]{32}$/)
    expect(readdirSync(root).sort()).toEqual([".trash", "0", experimentId].sort())

    const store = readMlflowStore(root)
    expect(store["0"]!.meta).toEqual({
      artifact_location: pathToFileURL(join(root, "0")).href,
      creation_time: time,
      experiment_id: "0",
      last_update_time: time,
      lifecycle_stage: "active",
      name: "Default",
    })
    const experiment = store[experimentId]!
    expect(experiment.meta).toMatchObject({ experiment_id: experimentId, name: "quickstart", lifecycle_stage: "active" })
    expect(Object.keys(experiment.runs).sort()).toEqual([...runIds].sort())

    const lora = experiment.runs[runIds[0]!]!
    expect(lora.meta).toEqual({
      artifact_uri: `${pathToFileURL(join(root, experimentId)).href}/${runIds[0]}/artifacts`,
      end_time: time,
      entry_point_name: "",
      experiment_id: experimentId,
      lifecycle_stage: "active",
      run_id: runIds[0],
      run_name: "lora",
      run_uuid: runIds[0],
      source_name: "",
      source_type: 4,
      source_version: "",
      start_time: time,
      status: 3,
      tags: "[]",
      user_id: "ada",
    })
    expect(lora.params).toEqual({ "training.lr": "0.03", "training.epochs": "2", "arm.kind": "lora", "arm.r": "8", "data.balanced": "true" })
    expect(lora.tags).toEqual({
      "mlflow.runName": "lora",
      "mlflow.source.name": "peftlab",
      "mlflow.source.type": "LOCAL",
      "mlflow.user": "ada",
      "peftlab.fingerprint": "fp-1234",
      "peftlab.spec": "specs/quickstart.yaml",
    })
    const history = (pairs: Array<[number, number]>) => pairs.map(([step, value]) => ({ timestamp: time, step, value }))
    const arm = arms[0]!
    expect(lora.metrics).toEqual({
      "train/loss": history(arm.steps.map((s) => [s.step, s.loss])),
      "train/lr": history(arm.steps.map((s) => [s.step, s.lr])),
      "train/grad_norm": history(arm.steps.map((s) => [s.step, s.gradNorm!])),
      "epoch/train_loss": history([[1, 0.59], [2, 0.2]]),
      "validation/macro_f1": history([[1, 0.7123456789], [2, 0.8]]),
      "validation/loss": history([[1, 0.61]]),
      accuracy: history([[0, 0.85]]),
      macro_f1: history([[0, 0.8497]]),
      f1_yes: history([[0, 0.842]]),
      latency_mean_ms: history([[0, 13.2]]),
    })
    expect(lora.artifacts).toEqual({
      "adapter/adapter_config.json": '{"r": 8}\n',
      "adapter/weights.bin": "0123",
      "predictions/preds_lora_test.csv": "id,gold,pred,score\n1,yes,yes,0.9\n",
    })
    // Full float64 precision in the metric files, as mlflow writes Python's repr.
    expect(readFileSync(join(root, experimentId, runIds[0]!, "metrics", "train", "loss"), "utf8").split("\n")[2]).toBe(`${time} 0.30000000000000004 2`)

    const prompt = experiment.runs[runIds[1]!]!
    expect(prompt.params).toEqual({ "arm.kind": "prompt-tuning", "arm.virtual tokens": "20" })
    expect(prompt.artifacts).toEqual({})
    expect(existsSync(join(root, experimentId, runIds[1]!, "artifacts"))).toBe(true)
    expect(Object.keys(prompt.metrics).sort()).toEqual(["accuracy", "epoch/train_loss", "train/loss", "train/lr"])
  })

  it("reuses the experiment of the same name and replaces a rewritten run whole", async () => {
    const [lora, prompt] = fixtureArms(tmp())
    const root = join(tmp(), "mlruns")
    const first = await writeMlflow(root, "shared", [lora!], { time })
    const second = await writeMlflow(root, "shared", [prompt!], { time })
    expect(second.experimentId).toBe(first.experimentId)
    const runDir = join(root, first.experimentId, first.runIds[0]!)
    writeFileSync(join(runDir, "metrics", "stale"), `${time} 1 0\n`)
    const rewritten = await writeMlflow(root, "shared", [{ ...lora!, test: { accuracy: 0.9 }, artifacts: [] }], { time: time + 1 })
    expect(rewritten).toEqual(first)
    const experiment = readMlflowStore(root)[first.experimentId]!
    expect(Object.keys(experiment.runs).sort()).toEqual([first.runIds[0], second.runIds[0]].sort())
    const run = experiment.runs[first.runIds[0]!]!
    expect(run.metrics["stale"]).toBeUndefined()
    expect(run.metrics["accuracy"]).toEqual([{ timestamp: time + 1, value: 0.9, step: 0 }])
    expect(run.metrics["macro_f1"]).toBeUndefined()
    expect(run.artifacts).toEqual({})
    expect(readdirSync(join(root, first.experimentId)).filter((n) => n.startsWith("."))).toEqual([])
    // A different name is another experiment, with its own id.
    const other = await writeMlflow(root, "other", [{ ...lora!, runIdSeed: "other" }], { time })
    expect(other.experimentId).not.toBe(first.experimentId)
  })

  it("finds an experiment whatever its id and however its meta.yaml quotes the name, and skips ids taken", async () => {
    const [lora] = fixtureArms(tmp())
    const root = join(tmp(), "mlruns")
    const name = 'clinical: #1 "quoted"\ttab'
    mkdirSync(join(root, "42"), { recursive: true })
    writeFileSync(join(root, "42", "meta.yaml"), `artifact_location: ${pathToFileURL(join(root, "42")).href}\nexperiment_id: 42\nlifecycle_stage: active\nname: "clinical: #1 \\"quoted\\"\\ttab"\n`)
    expect((await writeMlflow(root, name, [lora!], { time })).experimentId).toBe("42")
    // The id the name would get, already taken by another experiment: the next candidate is used.
    const fresh = join(tmp(), "fresh")
    const { experimentId } = await writeMlflow(fresh, "x", [lora!], { time })
    const clash = join(tmp(), "clash")
    mkdirSync(join(clash, experimentId), { recursive: true })
    writeFileSync(join(clash, experimentId, "meta.yaml"), `artifact_location: file:///elsewhere\nexperiment_id: '${experimentId}'\nlifecycle_stage: active\nname: y\n`)
    const next = await writeMlflow(clash, "x", [lora!], { time })
    expect(next.experimentId).not.toBe(experimentId)
    expect(next.experimentId).toMatch(/^[1-9]\d{17}$/)
  })

  it("refuses a deleted experiment of that name, a run id of another experiment, and artifacts outside the store", async () => {
    const [lora] = fixtureArms(tmp())
    const root = join(tmp(), "mlruns")
    mkdirSync(join(root, ".trash", "7"), { recursive: true })
    writeFileSync(join(root, ".trash", "7", "meta.yaml"), "artifact_location: file:///x/7\nexperiment_id: '7'\nlifecycle_stage: deleted\nname: gone\n")
    await expect(writeMlflow(root, "gone", [lora!], { time })).rejects.toThrow(/is deleted \(in \.trash\)/)
    await writeMlflow(root, "a", [lora!], { time })
    await expect(writeMlflow(root, "b", [lora!], { time })).rejects.toThrow(/already exists in experiment \d+/)
    mkdirSync(join(root, "9"))
    writeFileSync(join(root, "9", "meta.yaml"), "artifact_location: s3://bucket/9\nexperiment_id: '9'\nlifecycle_stage: active\nname: remote\n")
    await expect(writeMlflow(root, "remote", [{ ...lora!, runIdSeed: "r" }], { time })).rejects.toThrow(/peftlab copies artifacts only into the store/)
    await writeMlflow(root, "remote", [{ ...lora!, runIdSeed: "r", artifacts: [] }], { time })
  })

  it("refuses keys and values MLflow would reject before writing anything", async () => {
    const [lora] = fixtureArms(tmp())
    const root = join(tmp(), "mlruns")
    const bad: Array<[Partial<typeof lora>, RegExp]> = [
      [{ params: { "a:b": 1 } }, /param key "a:b": may only contain/],
      [{ params: { "a/../b": 1 } }, /param key "a\/..\/b": must be a plain relative path/],
      [{ params: { "a/": 1 } }, /param key "a\/": must be a plain relative path/],
      [{ params: { "": 1 } }, /param key "": must be a plain relative path/],
      [{ params: { ["k".repeat(251)]: 1 } }, /is longer than 250 characters/],
      [{ params: { long: "v".repeat(6001) } }, /value has 6001 characters; MLflow stores at most 6000/],
      [{ params: { a: 1, "a/b": 2 } }, /param key "a": is also the folder of "a\/b"/],
      [{ tags: { "ünï": "x" } }, /tag key "ünï": may only contain/],
      [{ tags: { t: "v".repeat(8001) } }, /at most 8000/],
      [{ test: { "train/loss": 1 } }, /test metric "train\/loss": has the name of a training series/],
      [{ test: { train: 1 } }, /metric key "train": is also the folder of "train\/loss"/],
      [{ test: { "acc?": 1 } }, /metric key "acc\?"/],
      [{ epochs: [{ epoch: 1, trainLoss: 1, validation: { metric: "f1 (macro)", value: 1 } }] }, /metric key "validation\/f1 \(macro\)"/],
      [{ artifacts: [{ from: "/nonexistent/peftlab", to: "x" }] }, /artifact "x": \/nonexistent\/peftlab does not exist/],
      [{ artifacts: [{ from: tmp(), to: "../x" }] }, /artifact "..\/x": must be a plain relative path/],
    ]
    for (const [change, message] of bad) {
      const error = await writeMlflow(root, "exp", [{ ...lora!, ...change }], { time }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(MlflowInputError)
      expect((error as Error).message).toMatch(message)
    }
    await expect(writeMlflow(root, " ", [lora!], { time })).rejects.toThrow(/MLflow needs a name of 1 to 500 characters/)
    await expect(writeMlflow(root, "it's", [lora!], { time })).rejects.toThrow(/cannot look up by name/)
    await expect(writeMlflow(root, "exp", [lora!, { ...lora!, arm: "copy" }], { time })).rejects.toThrow(/share run id/)
    await expect(writeMlflow(root, "exp", [lora!, lora!], { time })).rejects.toBeInstanceOf(TrackedArmError)
    expect(existsSync(root)).toBe(false)
  })
})
