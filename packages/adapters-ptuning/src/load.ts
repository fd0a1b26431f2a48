// A P-tuning adapter back from PEFT's files (ours or PEFT's own), checked against the model it is
// loaded onto. PEFT saves the rows already through the prompt encoder, so what comes back is the
// folded table, as PEFT itself loads it in inference mode; the rows are read as prompt tuning reads
// its own (@peftlab/adapters-prompt's readPromptRows: every config field read or refused by name,
// any tensor but "prompt_embeddings" refused).
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import type { PeftAdapterFiles } from "@peftlab/adapters-base"
import { readPromptRows } from "@peftlab/adapters-prompt"
import type { BaseModel } from "@peftlab/models"
import type { PTuningConfig, ReparameterizationType } from "./config.ts"
import { pTuningFieldRules } from "./peft-config.ts"
import { pTuningWith, type PTuning } from "./p-tuning.ts"

export const loadPTuning = (model: BaseModel, files: PeftAdapterFiles) =>
  Effect.gen(function* () {
    const { numVirtualTokens, rows } = yield* readPromptRows(model, files, {
      peftType: "P_TUNING",
      configClass: "PromptEncoderConfig",
      adapter: "a P-tuning adapter",
      rules: pTuningFieldRules(model),
    })
    const field = <T>(name: string) => files.config[name] as T | null | undefined
    // What the rows were trained with, recorded again when the adapter is saved.
    const config: PTuningConfig = {
      numVirtualTokens,
      encoderReparameterizationType: field<ReparameterizationType>("encoder_reparameterization_type") ?? "MLP",
      ...(typeof files.config["encoder_hidden_size"] === "number" && { encoderHiddenSize: field<number>("encoder_hidden_size") as number }),
      ...(typeof files.config["encoder_num_layers"] === "number" && { encoderNumLayers: field<number>("encoder_num_layers") as number }),
      ...(typeof files.config["encoder_dropout"] === "number" && { encoderDropout: field<number>("encoder_dropout") as number }),
      ...(typeof files.config["base_model_name_or_path"] === "string" && { baseModelNameOrPath: files.config["base_model_name_or_path"] as string }),
    }
    const table = tf.variable(rows, true) as tf.Variable<tf.Rank.R2>
    rows.dispose()
    const adapter: PTuning = pTuningWith(model, config, table)
    return adapter
  })
