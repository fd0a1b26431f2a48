// An existing PEFT adapter folder onto the run's model, by the peft_type its adapter_config.json
// names: LoRA, prompt tuning or prefix tuning, each through its package's strict loader (which
// refuses unsupported config fields by name and checks every tensor's shape against the model);
// another peft_type by the `load` of a method plugin that the caller passes (see registry/methods.ts).
import { join } from "node:path"
import { Effect } from "effect"
import { AdapterFileError, adapterConfigFile, readPeftAdapter, type Adapter, type PeftAdapterFiles } from "@peftlab/adapters-base"
import type { AnyInputError } from "@peftlab/core"
import { loadLora } from "@peftlab/adapters-lora"
import { loadPrefixTuning } from "@peftlab/adapters-prefix"
import { loadPromptTuning } from "@peftlab/adapters-prompt"
import type { BaseModel } from "@peftlab/models"
import type { MethodPlugin } from "@peftlab/plugin-api"

const loaders: Readonly<Record<string, (model: BaseModel, files: PeftAdapterFiles) => Effect.Effect<Adapter, AnyInputError>>> = {
  LORA: loadLora,
  PROMPT_TUNING: loadPromptTuning,
  PREFIX_TUNING: loadPrefixTuning,
}

/** The peft_types an adapter arm (and `peftlab predict`) loads. */
export const loadablePeftTypes = Object.keys(loaders)

export const loadPeftFolder = (model: BaseModel, dir: string, methods: ReadonlyArray<MethodPlugin<any>> = []) =>
  Effect.gen(function* () {
    const files = yield* readPeftAdapter(dir)
    const type = files.config["peft_type"]
    const load = typeof type === "string" ? (loaders[type] ?? methods.find((method) => method.peftType === type)?.load) : undefined
    if (load === undefined) {
      const types = [...loadablePeftTypes, ...methods.map((method) => method.peftType)]
      const detail = `field "peft_type": expected ${types.map((t) => JSON.stringify(t)).join(", ")}, got ${JSON.stringify(type) ?? "nothing"}`
      return yield* Effect.fail(new AdapterFileError({ source: join(dir, adapterConfigFile), detail }))
    }
    return yield* load(model, files)
  })
