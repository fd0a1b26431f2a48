// training.gradient_checkpointing: switched on for the loaded model (main thread and each
// data-parallel worker alike) before any arm trains, or refused by name, before anything runs,
// for an architecture registered without it. It changes memory only: forward values are the same, and the
// gradients equal those without it (see @peftlab/models' layers/checkpoint.ts).
import { Effect } from "effect"
import type { BaseModel } from "@peftlab/models"
import type { ExperimentSpec } from "@peftlab/spec"
import { SpecDataMismatch } from "./spec-data-mismatch.ts"

export const applyGradientCheckpointing = (spec: ExperimentSpec, model: BaseModel, modelDir: string): Effect.Effect<void, SpecDataMismatch> => {
  if (!spec.training.gradient_checkpointing) return Effect.void
  const toggle = model.gradientCheckpointing
  if (toggle === undefined) {
    const detail = `the "${model.architecture}" model in ${modelDir} has no gradient checkpointing (every built-in architecture has it; this one was registered without it); set it to false`
    return Effect.fail(new SpecDataMismatch({ source: "training.gradient_checkpointing", detail }))
  }
  return Effect.sync(() => {
    toggle.enabled = true
  })
}
