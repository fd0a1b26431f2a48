// Loads a Hugging Face model folder (config.json + model.safetensors) onto the current tfjs backend.
import { join } from "node:path"
import { Effect } from "effect"
import type { CausalLM } from "./causal-lm.ts"
import { readLlamaConfig } from "./config.ts"
import { loadParameters } from "./llama/load-parameters.ts"
import { llamaCausalLM } from "./llama/model.ts"
import type { ModelFileError } from "./model-file-error.ts"
import { readSafetensors } from "./safetensors/index.ts"

export const loadCausalLM = (dir: string): Effect.Effect<CausalLM, ModelFileError> =>
  Effect.gen(function* () {
    const config = yield* readLlamaConfig(dir)
    const checkpointPath = join(dir, "model.safetensors")
    const checkpoint = yield* readSafetensors(checkpointPath)
    const parameters = yield* loadParameters(config, checkpoint, checkpointPath)
    return llamaCausalLM(config, parameters)
  })
