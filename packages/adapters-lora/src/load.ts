// A LoRA adapter back from PEFT's files (ours or PEFT's own), checked against the model: every
// config field is read or refused by name (peft-config.ts), every module PEFT's matching rules
// pick gets its lora_A and lora_B at its own rank (and with use_dora its lora_magnitude_vector),
// and any tensor left over is refused. init_lora_weights "olora" rebuilds the residual frozen
// weight from the base, as PEFT's from_pretrained re-runs the init before loading the factors.
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { peftTensor, refuseField, refuseUnusedTensors, renderValue, type PeftAdapterFiles } from "@peftlab/adapters-base"
import { Rng } from "@peftlab/core"
import type { BaseModel } from "@peftlab/models"
import { loraTensorNames, targetedModules } from "./config.ts"
import { createLora, type LoraAdapter } from "./lora.ts"
import { readLoraConfig } from "./peft-config.ts"

export const loadLora = (model: BaseModel, files: PeftAdapterFiles) =>
  Effect.gen(function* () {
    const config = yield* readLoraConfig(model, files)
    if (targetedModules(model.linears.keys(), config).length === 0) {
      const detail = `target_modules: ${renderValue(files.config["target_modules"])} is not supported (it must pick at least one of this ${model.architecture} model's linear modules, after exclude_modules and layers_to_transform)`
      return yield* Effect.fail(refuseField(files, "target_modules", detail))
    }
    const adapter: LoraAdapter = createLora(model, config, Rng.seeded(0))
    const used = new Set<string>()
    for (const [name, module] of adapter.modules) {
      const names = loraTensorNames(name)
      const magnitude = module.magnitude
      const [a, b, m] = yield* Effect.all([
        peftTensor(files, names.a, module.loraA.shape),
        peftTensor(files, names.b, module.loraB.shape),
        ...(magnitude ? [peftTensor(files, names.magnitude, magnitude.shape)] : []),
      ]).pipe(Effect.tapError(() => Effect.sync(() => adapter.dispose())))
      used.add(names.a).add(names.b)
      if (magnitude) used.add(names.magnitude)
      tf.tidy(() => {
        module.loraA.assign(tf.tensor2d(a!.data, module.loraA.shape))
        module.loraB.assign(tf.tensor2d(b!.data, module.loraB.shape))
        if (magnitude && m) magnitude.assign(tf.tensor1d(m.data))
      })
    }
    yield* refuseUnusedTensors(files, used, "a LoRA adapter reads lora_A.weight and lora_B.weight of each module its config targets (and lora_magnitude_vector with use_dora)").pipe(
      Effect.tapError(() => Effect.sync(() => adapter.dispose())),
    )
    return adapter
  })
