// A LoRA adapter back from PEFT's files (ours or PEFT's own), checked against the model.
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { configField, peftTensor, type PeftAdapterFiles } from "@peftlab/adapters-base"
import { Rng } from "@peftlab/core"
import type { BaseModel } from "@peftlab/models"
import { createLora, type LoraAdapter } from "./lora.ts"

const isLora = (u: unknown): u is "LORA" => u === "LORA"
const isPositiveInt = (u: unknown): u is number => Number.isInteger(u) && (u as number) > 0
const isPositive = (u: unknown): u is number => typeof u === "number" && u > 0
const isTargets = (u: unknown): u is string | Array<string> =>
  (typeof u === "string" && u.length > 0) || (Array.isArray(u) && u.length > 0 && u.every((t) => typeof t === "string"))

export const loadLora = (model: BaseModel, files: PeftAdapterFiles) =>
  Effect.gen(function* () {
    yield* configField(files, "peft_type", '"LORA"', isLora)
    const r = yield* configField(files, "r", "a positive integer", isPositiveInt)
    const loraAlpha = yield* configField(files, "lora_alpha", "a positive number", isPositive)
    const targetModules = yield* configField(files, "target_modules", "a module name list or a regex string", isTargets)
    const dropout = files.config["lora_dropout"]
    const adapter: LoraAdapter = createLora(
      model,
      {
        r,
        loraAlpha,
        loraDropout: typeof dropout === "number" ? dropout : 0,
        targetModules,
        useRslora: files.config["use_rslora"] === true,
        bias: "none",
      },
      Rng.seeded(0),
    )
    for (const [name, module] of adapter.modules) {
      const a = yield* peftTensor(files, `base_model.model.${name}.lora_A.weight`, module.loraA.shape)
      const b = yield* peftTensor(files, `base_model.model.${name}.lora_B.weight`, module.loraB.shape)
      tf.tidy(() => {
        module.loraA.assign(tf.tensor2d(a.data, module.loraA.shape))
        module.loraB.assign(tf.tensor2d(b.data, module.loraB.shape))
      })
    }
    return adapter
  })
