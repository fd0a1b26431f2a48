// Two arms as the runner would hand them over, with values float32 cannot hold exactly, a grad
// norm on one arm only, a validation loss on some epochs, and artifacts (a file and a folder).
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type { MlflowRun } from "../src/mlflow/write-mlflow.ts"
import type { TrackedArm } from "../src/tracked-arm.ts"

/** The fixture's arms, their artifacts written under `dir`. */
export const fixtureArms = (dir: string): Array<MlflowRun> => {
  mkdirSync(join(dir, "src", "adapter"), { recursive: true })
  writeFileSync(join(dir, "src", "adapter", "adapter_config.json"), '{"r": 8}\n')
  writeFileSync(join(dir, "src", "adapter", "weights.bin"), "0123")
  writeFileSync(join(dir, "src", "preds_lora_test.csv"), "id,gold,pred,score\n1,yes,yes,0.9\n")
  return [
    {
      arm: "lora",
      runIdSeed: "fp-1234\0lora",
      tags: { "peftlab.fingerprint": "fp-1234", "peftlab.spec": "specs/quickstart.yaml" },
      steps: [
        { step: 0, epoch: 1, loss: 0.6931471805599453, lr: 0.03, gradNorm: 1.2345678 },
        { step: 1, epoch: 1, loss: 0.5, lr: 0.029, gradNorm: 0 },
        { step: 2, epoch: 2, loss: 0.1 + 0.2, lr: 1e-7, gradNorm: 0.75 },
        { step: 3, epoch: 2, loss: 0, lr: 0, gradNorm: 3.4e38 },
      ],
      epochs: [
        { epoch: 1, trainLoss: 0.59, validation: { metric: "macro_f1", value: 0.7123456789, loss: 0.61 } },
        { epoch: 2, trainLoss: 0.2, validation: { metric: "macro_f1", value: 0.8 } },
      ],
      test: { accuracy: 0.85, macro_f1: 0.8497, f1_yes: 0.842, latency_mean_ms: 13.2 },
      params: { "training.lr": 0.03, "training.epochs": 2, "arm.kind": "lora", "arm.r": 8, "data.balanced": true },
      artifacts: [
        { from: join(dir, "src", "adapter"), to: "adapter" },
        { from: join(dir, "src", "preds_lora_test.csv"), to: "predictions/preds_lora_test.csv" },
      ],
    },
    {
      arm: "prompt-tuning_v1.2",
      runIdSeed: "fp-1234\0prompt-tuning_v1.2",
      steps: [
        { step: 0, epoch: 0, loss: 2.5, lr: 0.3 },
        { step: 1, epoch: 0, loss: 2.25, lr: 0.3 },
      ],
      epochs: [{ epoch: 0, trainLoss: 2.375 }],
      test: { accuracy: 0.5 },
      params: { "arm.kind": "prompt-tuning", "arm.virtual tokens": 20 },
      artifacts: [],
    },
  ]
}

/** The scalars TensorBoard should show for an arm: tag -> [step, value as float32], in order. */
export const expectedScalars = (arm: TrackedArm): Record<string, Array<[number, number]>> => {
  const f = Math.fround
  const out: Record<string, Array<[number, number]>> = {}
  const add = (tag: string, step: number, value: number) => (out[tag] ??= []).push([step, f(value)])
  for (const s of arm.steps) {
    add("train/loss", s.step, s.loss)
    add("train/lr", s.step, s.lr)
    if (s.gradNorm !== undefined) add("train/grad_norm", s.step, s.gradNorm)
  }
  for (const e of arm.epochs) {
    add("epoch/train_loss", e.epoch, e.trainLoss)
    if (e.validation) add(`validation/${e.validation.metric}`, e.epoch, e.validation.value)
    if (e.validation?.loss !== undefined) add("validation/loss", e.epoch, e.validation.loss)
  }
  for (const [name, value] of Object.entries(arm.test)) add(`test/${name}`, 0, value)
  return out
}

