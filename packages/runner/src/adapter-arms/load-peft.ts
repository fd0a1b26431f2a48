// An existing PEFT adapter folder onto the run's model, by the peft_type its adapter_config.json
// names, through the `load` of the method registered for it: LoRA, prompt tuning and prefix tuning
// built in (each its package's strict loader, which refuses unsupported config fields by name and
// checks every tensor's shape against the model), others from method plugins (registry/methods.ts).
import { join } from "node:path"
import { Effect } from "effect"
import { AdapterFileError, adapterConfigFile, readPeftAdapter } from "@peftlab/adapters-base"
import type { BaseModel } from "@peftlab/models"
import type { MethodPlugin } from "@peftlab/plugin-api"
import { builtinMethods } from "../registry/builtin-methods.ts"

/** The peft_types an adapter arm (and `peftlab predict`) loads with these methods. */
export const loadablePeftTypes = (methods: ReadonlyArray<MethodPlugin<any, any>>): ReadonlyArray<string> => methods.map((method) => method.peftType)

export const loadPeftFolder = (model: BaseModel, dir: string, methods: ReadonlyArray<MethodPlugin<any, any>> = builtinMethods) =>
  Effect.gen(function* () {
    const files = yield* readPeftAdapter(dir)
    const type = files.config["peft_type"]
    const method = methods.find((m) => m.peftType === type)
    if (method === undefined) {
      const detail = `field "peft_type": expected ${loadablePeftTypes(methods).map((t) => JSON.stringify(t)).join(", ")}, got ${JSON.stringify(type) ?? "nothing"}`
      return yield* Effect.fail(new AdapterFileError({ source: join(dir, adapterConfigFile), detail }))
    }
    return yield* method.load(model, files)
  })
