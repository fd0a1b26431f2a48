// A prompt-tuning adapter back from PEFT's files (ours or PEFT's own), checked against the
// model it is loaded onto: every config field is read or refused by name (peft-config.ts), and
// a tensor other than the prompt is refused. readPromptRows is the part every method that saves
// plain virtual-token rows shares (P-tuning's are its prompt encoder's output, saved folded).
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { checkConfigFields, configField, peftTensor, refuseUnusedTensors, type FieldRules, type PeftAdapterFiles } from "@peftlab/adapters-base"
import { Rng } from "@peftlab/core"
import type { BaseModel } from "@peftlab/models"
import { promptTuningFieldRules, savedRowSets } from "./peft-config.ts"
import { createPromptTuning, type PromptTuning } from "./prompt-tuning.ts"

const isPositiveInt = (u: unknown): u is number => Number.isInteger(u) && (u as number) > 0
const promptTensor = "prompt_embeddings"

/** How a method that saves virtual-token rows names itself in its files and messages. */
export interface PromptRowsMethod {
  /** adapter_config.json's peft_type ("PROMPT_TUNING"). */
  readonly peftType: string
  /** PEFT's config class, for refusals of unknown fields ("PromptTuningConfig"). */
  readonly configClass: string
  /** The adapter in a sentence ("a prompt-tuning adapter"). */
  readonly adapter: string
  readonly rules: FieldRules
}

/**
 * The rows [num_virtual_tokens, hidden] a prompt-learning adapter puts before the input, as a new
 * tensor for the caller, with its num_virtual_tokens; the config is checked field by field and
 * any tensor but "prompt_embeddings" refused. An encoder-decoder's second set of rows (PEFT's
 * default) is saved, never read, as in PEFT.
 */
export const readPromptRows = (model: BaseModel, files: PeftAdapterFiles, method: PromptRowsMethod) =>
  Effect.gen(function* () {
    yield* configField(files, "peft_type", JSON.stringify(method.peftType), (u): u is string => u === method.peftType)
    const n = yield* configField(files, "num_virtual_tokens", "a positive integer", isPositiveInt)
    yield* checkConfigFields(files, method.configClass, method.rules)
    const hidden = model.dims.hidden_size
    const saved = yield* peftTensor(files, promptTensor, [n * savedRowSets(files.config), hidden])
    yield* refuseUnusedTensors(files, new Set([promptTensor]), `${method.adapter} reads "${promptTensor}" only`)
    return { numVirtualTokens: n, rows: tf.tensor2d(saved.data.subarray(0, n * hidden), [n, hidden]) }
  })

export const loadPromptTuning = (model: BaseModel, files: PeftAdapterFiles) =>
  Effect.gen(function* () {
    const { numVirtualTokens, rows } = yield* readPromptRows(model, files, {
      peftType: "PROMPT_TUNING",
      configClass: "PromptTuningConfig",
      adapter: "a prompt-tuning adapter",
      rules: promptTuningFieldRules(model),
    })
    const text = files.config["prompt_tuning_init_text"]
    const adapter: PromptTuning = createPromptTuning(
      model,
      {
        numVirtualTokens,
        init: "random",
        ...(typeof text === "string" ? { initText: text } : {}),
      },
      Rng.seeded(0),
    )
    adapter.prompt.assign(rows)
    rows.dispose()
    return adapter
  })
