// A prompt-tuning adapter back from PEFT's files (ours or PEFT's own), checked against the
// model it is loaded onto: every config field is read or refused by name (peft-config.ts), and
// a tensor other than the prompt is refused.
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { checkConfigFields, configField, peftTensor, refuseUnusedTensors, type PeftAdapterFiles } from "@peftlab/adapters-base"
import { Rng } from "@peftlab/core"
import type { BaseModel } from "@peftlab/models"
import { promptTuningFieldRules, savedRowSets } from "./peft-config.ts"
import { createPromptTuning, type PromptTuning } from "./prompt-tuning.ts"

const isPositiveInt = (u: unknown): u is number => Number.isInteger(u) && (u as number) > 0
const isPromptTuning = (u: unknown): u is "PROMPT_TUNING" => u === "PROMPT_TUNING"
const promptTensor = "prompt_embeddings"

export const loadPromptTuning = (model: BaseModel, files: PeftAdapterFiles) =>
  Effect.gen(function* () {
    yield* configField(files, "peft_type", '"PROMPT_TUNING"', isPromptTuning)
    const n = yield* configField(files, "num_virtual_tokens", "a positive integer", isPositiveInt)
    yield* checkConfigFields(files, "PromptTuningConfig", promptTuningFieldRules(model))
    const hidden = model.dims.hidden_size
    // An encoder-decoder's second set of rows (PEFT's default) is saved, never read, as in PEFT.
    const saved = yield* peftTensor(files, promptTensor, [n * savedRowSets(files.config), hidden])
    yield* refuseUnusedTensors(files, new Set([promptTensor]), `a prompt-tuning adapter reads "${promptTensor}" only`)
    const text = files.config["prompt_tuning_init_text"]
    const adapter: PromptTuning = createPromptTuning(
      model,
      {
        numVirtualTokens: n,
        init: "random",
        ...(typeof text === "string" ? { initText: text } : {}),
      },
      Rng.seeded(0),
    )
    tf.tidy(() => adapter.prompt.assign(tf.tensor2d(saved.data.subarray(0, n * hidden), [n, hidden])))
    return adapter
  })
