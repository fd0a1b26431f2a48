// The one shape both trackers read a run in, so the runner maps its records once, and the one
// list of scalar series (names and steps) that TensorBoard and MLflow both show, so the two agree.
import { InputError } from "@peftlab/core"

/** An arm the trackers cannot write as given: a step that is not a whole number, two arms of one name. */
export class TrackedArmError extends InputError("TrackedArmError") {}

// One arm of a run, as the trackers see it (plain data; the runner maps its records to it).
export interface TrackedArm {
  readonly arm: string
  /** Per optimizer step: global step index (as in the run's train_log.jsonl), loss, learning rate. */
  readonly steps: ReadonlyArray<{
    readonly step: number
    readonly epoch: number
    readonly loss: number
    readonly lr: number
    readonly gradNorm?: number
  }>
  /** Per epoch: training loss and the validation metric (and validation loss when measured). */
  readonly epochs: ReadonlyArray<{
    readonly epoch: number
    readonly trainLoss: number
    readonly validation?: { readonly metric: string; readonly value: number; readonly loss?: number }
  }>
  /** Test metrics as in results.csv (column name -> number). */
  readonly test: Readonly<Record<string, number>>
  /** Flattened spec settings for this arm (e.g. "training.lr" -> 0.03, "arm.r" -> 8). */
  readonly params: Readonly<Record<string, string | number | boolean>>
  /** Files or folders to copy into the MLflow run's artifacts, with their path inside artifacts/. */
  readonly artifacts: ReadonlyArray<{ readonly from: string; readonly to: string }>
}

/** One value of a series at one step. */
export interface Scalar {
  readonly series: string
  readonly step: number
  readonly value: number
}

/**
 * The training series of an arm, in the order they happened: `train/loss`, `train/lr` and
 * `train/grad_norm` (when given) at the global step, then per epoch `epoch/train_loss`,
 * `validation/<metric>` and `validation/loss` (when measured) at step = epoch.
 * Test metrics are not here: TensorBoard shows them as `test/<name>`, MLflow under their own name.
 */
export const trainingScalars = (arm: TrackedArm): ReadonlyArray<Scalar> => {
  const scalars: Array<Scalar> = []
  for (const { step, loss, lr, gradNorm } of arm.steps) {
    checkStep(arm.arm, "step", step)
    scalars.push({ series: "train/loss", step, value: loss }, { series: "train/lr", step, value: lr })
    if (gradNorm !== undefined) scalars.push({ series: "train/grad_norm", step, value: gradNorm })
  }
  for (const { epoch, trainLoss, validation } of arm.epochs) {
    checkStep(arm.arm, "epoch", epoch)
    scalars.push({ series: "epoch/train_loss", step: epoch, value: trainLoss })
    if (validation === undefined) continue
    scalars.push({ series: `validation/${validation.metric}`, step: epoch, value: validation.value })
    if (validation.loss !== undefined) scalars.push({ series: "validation/loss", step: epoch, value: validation.loss })
  }
  return scalars
}

/** Throws unless every arm name is used once. */
export const checkDistinctArms = (arms: ReadonlyArray<{ readonly arm: string }>): void => {
  const seen = new Set<string>()
  for (const { arm } of arms) {
    if (seen.has(arm)) throw new TrackedArmError({ source: `arm "${arm}"`, detail: "given twice; each arm is written once" })
    seen.add(arm)
  }
}

// Both formats store steps as 64-bit integers; a fraction or a negative step is a mapping bug.
const checkStep = (arm: string, what: "step" | "epoch", step: number): void => {
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new TrackedArmError({ source: `arm "${arm}"`, detail: `${what} ${step} is not a whole number >= 0` })
  }
}
