// An IA3 adapter PEFT saved, onto the run's model: every IA3Config field (PEFT 0.21.2) is read,
// accepted because it cannot change the loaded adapter, or refused by name; every tensor must be
// a targeted module's ia3_l of its shape, and no other tensor may be there.
import { Effect, Schema } from "effect"
import {
  acceptIf, acceptWhere, checkConfigFields, configField, peftConfigRules, refuseUnusedTensors, restorePeftTensors, type FieldRules, type PeftAdapterFiles,
} from "@peftlab/adapters-base"
import type { BaseModel } from "@peftlab/models"
import { createIa3, type Ia3Config } from "./model.ts"

const Names = Schema.Union([Schema.String, Schema.Array(Schema.String)])
const isNames = Schema.is(Names)

const ia3FieldRules = (model: BaseModel): FieldRules => {
  const conv1d = model.architecture === "gpt2"
  return {
    ...peftConfigRules("IA3"),
    target_modules: acceptWhere((value) => isNames(value) && value.length > 0, "module names or a regex"),
    // null: PEFT's per-architecture table decides, which is not read here.
    feedforward_modules: acceptIf(Names, "module names or a regex"),
    exclude_modules: acceptIf(Schema.Null, "null: excluding modules is not implemented"),
    fan_in_fan_out: acceptIf(Schema.Literal(conv1d), `${conv1d}: this ${model.architecture} model's linear modules are ${conv1d ? "Conv1D, stored [in, out]" : "nn.Linear, stored [out, in]"}`),
    modules_to_save: acceptIf(Schema.NullOr(Schema.Tuple([])), "null or []: loading whole modules saved beside the adapter is not implemented"),
    // Only how the vectors started; the saved values are what is loaded.
    init_ia3_weights: acceptIf(Schema.Boolean, "true or false"),
  }
}

/** The IA3 adapter PEFT's files hold, or the refusal of the first field or tensor it cannot honour. */
export const loadIa3 = (model: BaseModel, files: PeftAdapterFiles) =>
  Effect.gen(function* () {
    const config = yield* readIa3(model, files)
    const adapter = createIa3(model, config)
    yield* restorePeftTensors(adapter, files).pipe(Effect.tapError(() => Effect.sync(() => adapter.dispose())))
    yield* refuseUnusedTensors(files, new Set(adapter.peftTensors().keys()), "an IA3 adapter reads one ia3_l per targeted module").pipe(
      Effect.tapError(() => Effect.sync(() => adapter.dispose())),
    )
    return adapter
  })

const readIa3 = (model: BaseModel, files: PeftAdapterFiles) =>
  Effect.gen(function* () {
    yield* configField(files, "peft_type", '"IA3"', (u): u is "IA3" => u === "IA3")
    const targetModules = yield* configField(files, "target_modules", "a module name list or a regex string", isNames)
    yield* checkConfigFields(files, "IA3Config", ia3FieldRules(model))
    const feedforwardModules = yield* configField(files, "feedforward_modules", "a module name list or a regex string", isNames)
    const base = files.config["base_model_name_or_path"]
    const config: Ia3Config = {
      targetModules,
      feedforwardModules,
      ...(typeof base === "string" && { baseModelNameOrPath: base }),
    }
    return config
  })
