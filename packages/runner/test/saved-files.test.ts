// What a run reads back from its results folder (result.json, trained.json, manifest.json,
// selection.json, a checkpoint's state.json) is decoded by a Schema: the round trips keep every
// field, and a corrupted file is an OutputFolderError (exit 2) naming the file and the field.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import type { TrainCheckpoint } from "@peftlab/trainer"
import { loadCheckpoint, saveCheckpoint } from "../src/checkpoint-files.ts"
import { armResultFile, armTrainedFile, checkOutputFolder, finishedArm, trainedArm, type FinishedArm } from "../src/output-folder.ts"
import { runFromFolder } from "../src/report-folder.ts"
import { selectionFile } from "../src/selection.ts"
import { reportManifest as manifest, writeJson } from "./saved-folder.ts"

const folder = () => mkdtempSync(join(tmpdir(), "peftlab-saved-"))

const validation = { metric: "macro_f1", value: 0.5, higherIsBetter: true, loss: 0.7 }
const training = {
  bestEpoch: 1,
  trainMs: 12,
  epochs: [{ epoch: 1, trainLoss: 0.9, validation, best: true }],
  steps: [{ epoch: 1, step: 1, loss: 0.9, lr: 0.03, gradNorm: 1.5, tokens: 40, ms: 3 }],
}

const finished: FinishedArm = {
  fingerprint: "f1",
  result: { arm: "lora", kind: "lora", n: 2, accuracy: 0.5, macroF1: Number.NaN, perClassF1: { yes: 0.5, no: 0 }, latencyMeanMs: 1, latencyP95Ms: 2, trainableParams: 10, metrics: { roc_auc: 0.4 } },
  predictions: [{ id: "a", gold: "yes", pred: "no", score: 0.6 }],
  confusion: [[0, 1], [0, 1]],
  training,
}

const errorOf = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(Effect.flip(effect))

describe("result.json and trained.json", () => {
  it("read back as written, a NaN (written as null) as NaN", async () => {
    const out = folder()
    writeJson(armResultFile(out, "lora"), finished)
    expect(await Effect.runPromise(finishedArm(out, "lora", "f1"))).toStrictEqual(finished)
    const trained = { fingerprint: "f1", arm: "lora", training }
    writeJson(armTrainedFile(out, "lora"), trained)
    expect(await Effect.runPromise(trainedArm(out, "lora", "f1"))).toStrictEqual(trained)
    expect(await Effect.runPromise(finishedArm(out, "other", "f1"))).toBeUndefined()
  })

  it("name the file and field when corrupted", async () => {
    const out = folder()
    writeJson(armResultFile(out, "lora"), { ...finished, result: { ...finished.result, accuracy: "high" } })
    const error = await errorOf(finishedArm(out, "lora", "f1"))
    expect(error).toMatchObject({ _tag: "OutputFolderError", source: armResultFile(out, "lora") })
    expect(error.detail).toBe('field "result.accuracy": Expected number | null, got "high"; delete it to start over')
    const { predictions: _dropped, ...partial } = finished
    writeJson(armResultFile(out, "lora"), partial)
    expect((await errorOf(finishedArm(out, "lora", "f1"))).detail).toContain('field "predictions": Missing key')
    writeJson(armTrainedFile(out, "lora"), { fingerprint: "f1", arm: "lora", training: { ...training, steps: [{ step: 1 }] } })
    expect((await errorOf(trainedArm(out, "lora", "f1"))).detail).toContain('field "training.steps[0].epoch": Missing key')
  })
})

describe("manifest.json", () => {
  it("a run refuses a folder whose manifest has no fingerprint, naming the field", async () => {
    const out = folder()
    writeJson(join(out, "manifest.json"), { fingerprint_inputs: {} })
    expect(await errorOf(checkOutputFolder(out, {}))).toMatchObject({ source: join(out, "manifest.json"), detail: 'field "fingerprint": Missing key; delete it to start over' })
  })

  it("peftlab report names the manifest's field at fault, and a corrupted result.json or selection.json", async () => {
    const out = folder()
    writeJson(join(out, "manifest.json"), { ...manifest, spec: { ...manifest.spec, arms: [{ name: 3, kind: "base", group: "base", config: "base" }] } })
    expect(await errorOf(runFromFolder(out))).toMatchObject({ source: join(out, "manifest.json"), detail: 'field "spec.arms[0].name": Expected string, got 3' })
    writeJson(join(out, "manifest.json"), { ...manifest, data: {} })
    expect((await errorOf(runFromFolder(out))).detail).toBe('field "data.labels": Missing key')

    writeJson(join(out, "manifest.json"), manifest)
    writeJson(armResultFile(out, "base"), { ...finished, result: { ...finished.result, arm: "base" }, confusion: "none" })
    expect(await errorOf(runFromFolder(out))).toMatchObject({ source: armResultFile(out, "base"), detail: expect.stringContaining('field "confusion": Expected array, got "none"') })

    writeJson(armResultFile(out, "base"), { ...finished, result: { ...finished.result, arm: "base" } })
    writeJson(selectionFile(out), [{ group: "lora", metric: "macro_f1", higherIsBetter: "yes", chosen: "lora", configs: [] }])
    expect(await errorOf(runFromFolder(out))).toMatchObject({ source: selectionFile(out), detail: 'field "[0].higherIsBetter": Expected boolean, got "yes"' })
  })
})

describe("an arm's preds file, as peftlab report finds it", () => {
  const folderWith = (name: string, text: string) => {
    const out = folder()
    writeJson(join(out, "manifest.json"), manifest)
    writeJson(armResultFile(out, "base"), { ...finished, result: { ...finished.result, arm: "base", n: 2 } })
    writeJson(join(out, name), text)
    return out
  }
  const csv = "id,gold,pred,score\na,yes,no,0.6\nb,no,no,0.9\n"
  const jsonl = '{"id":"a","text":"x"}\n{"id":"b","text":"y"}\n'

  it("is accepted whole, one row per test example", async () => {
    expect((await Effect.runPromise(runFromFolder(folderWith("preds_base_test.csv", csv)))).finished).toHaveLength(1)
    expect((await Effect.runPromise(runFromFolder(folderWith("preds_base_test.jsonl", jsonl)))).finished).toHaveLength(1)
  })

  it.each([
    ["preds_base_test.csv", csv.slice(0, -5), "line 3: the last row ends without a line break"],
    ["preds_base_test.csv", "id,gold,pred,score\na,yes\nb,no,no,0.9\n", "line 2: 2 fields, where the header has 4"],
    ["preds_base_test.csv", 'id,gold,pred,score\na,"yes', "line 2: the quoted field at column 3 never closes"],
    ["preds_base_test.csv", "id,gold,pred,score\na,yes,no,0.6\n", "1 rows, but result.json counts 2 test examples"],
    ["preds_base_test.jsonl", jsonl.slice(0, -8), "line 2: the last line ends without a line break"],
    ["preds_base_test.jsonl", '{"id":"a","te\n{"id":"b","text":"y"}\n', "line 1: not a JSON object"],
    ["preds_base_test.jsonl", '{"id":"a","text":"x"}\n', "1 lines, but result.json counts 2 test examples"],
  ])("cut short (%s: %s) is refused naming the file and the line or the count", async (name, text, detail) => {
    const out = folderWith(name, text)
    expect(await errorOf(runFromFolder(out))).toMatchObject({
      _tag: "OutputFolderError",
      source: join(out, name),
      detail: `${detail}; it was cut short or edited: restore it, or delete arms/base/result.json and run again to redo the arm`,
    })
  })
})

describe("a checkpoint's state.json", () => {
  const checkpoint: TrainCheckpoint = {
    epoch: 2,
    stepsDoneInEpoch: 1,
    epochRng: [1, 2, 3, 4],
    rng: [5, 6, 7, 8],
    lossSumInEpoch: 0.5,
    sinceBest: 0,
    steps: training.steps,
    epochs: training.epochs,
    best: { epoch: 1, validation, values: [new Float32Array([1, 2])] },
    variables: [new Float32Array([3, 4])],
    optimizer: { t: 1, m: [new Float32Array([0.1, 0.2])], s: [new Float32Array([0.3, 0.4])] },
  }

  it("reads back as saved", async () => {
    const dir = folder()
    await Effect.runPromise(saveCheckpoint(dir, checkpoint))
    expect(await Effect.runPromise(loadCheckpoint(dir))).toStrictEqual(checkpoint)
  })

  it("fails a save the disk refuses as a typed error naming the file, not a crash", async () => {
    const dir = folder()
    // A folder where state.json goes: the tensors are written, then state.json cannot be.
    mkdirSync(join(dir, "state.json", "in-the-way"), { recursive: true })
    expect(await errorOf(saveCheckpoint(dir, checkpoint))).toMatchObject({
      _tag: "FileSystemError",
      source: join(dir, "state.json"),
      detail: expect.stringMatching(/^cannot rename \((EISDIR|ENOTEMPTY)\): /),
    })
    // The checkpoint folder replaced by a file (removed mid-run, another process in its place).
    const gone = join(folder(), "checkpoint")
    writeFileSync(gone, "")
    expect(await errorOf(saveCheckpoint(gone, checkpoint))).toMatchObject({ _tag: "ModelFileError", source: join(gone, "tensors-1.safetensors"), detail: expect.stringMatching(/^cannot mkdir \((ENOTDIR|EEXIST)\): /) })
  })

  it("names the field of a corrupted one", async () => {
    const dir = folder()
    writeJson(join(dir, "state.json"), { epoch: 2 })
    const error = await errorOf(loadCheckpoint(dir))
    expect(error).toMatchObject({ _tag: "OutputFolderError", source: join(dir, "state.json") })
    expect(error.detail).toContain('field "stepsDoneInEpoch": Missing key')
    expect(error.detail).toMatch(/; delete the folder to restart this arm$/)
  })
})
