// Each epoch's order of training examples, as the spec's training.sampler names it. Batches
// pad to their longest sequence, so "length_grouped" (batches of similar lengths) spares the
// padding; "class_balanced" applies where examples have a class.
import type { TrainingSettings } from "./arm-task.ts"
import { classBalanced, lengthGrouped, shuffled, type Sampler } from "@peftlab/trainer"

export const samplerFor = <A>(settings: Pick<TrainingSettings, "sampler" | "batch_size">, lengthOf: (example: A) => number, classOf?: (example: A) => string): Sampler<A> => {
  if (settings.sampler === "length_grouped") return lengthGrouped(lengthOf, settings.batch_size)
  if (settings.sampler === "class_balanced" && classOf) return classBalanced(classOf)
  return shuffled()
}
