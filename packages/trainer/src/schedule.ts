// Learning-rate schedules as transformers defines them (get_linear_schedule_with_warmup,
// get_cosine_schedule_with_warmup): a linear warmup from 0, then a decay to 0 at the end.

export interface ScheduleConfig {
  readonly lr: number
  readonly warmupSteps?: number
  /** Optimizer steps in the whole training. */
  readonly totalSteps: number
  readonly decay?: "constant" | "linear" | "cosine"
}

/** The learning rate for optimizer step `step` (counting from 1). */
export const learningRate = (step: number, config: ScheduleConfig): number => {
  const { lr, warmupSteps = 0, totalSteps, decay = "constant" } = config
  // transformers evaluates its lambda at the 0-based step count before each update.
  const t = step - 1
  if (t < warmupSteps) return (lr * t) / Math.max(1, warmupSteps)
  if (decay === "constant") return lr
  const progress = (t - warmupSteps) / Math.max(1, totalSteps - warmupSteps)
  if (decay === "linear") return lr * Math.max(0, 1 - progress)
  return lr * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)))
}
