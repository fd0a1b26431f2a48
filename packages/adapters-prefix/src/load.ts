// A prefix-tuning adapter back from PEFT's files (ours or PEFT's own), checked against the
// model it is loaded onto. PEFT saves the rows already through any projection, so what comes
// back is always the plain table, as PEFT itself loads it in inference mode. Every config field
// is read or refused by name (peft-config.ts), and a tensor other than the rows is refused.
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { checkConfigFields, configField, peftTensor, refuseUnusedTensors, type PeftAdapterFiles } from "@peftlab/adapters-base"
import type { BaseModel } from "@peftlab/models"
import { prefixDims } from "./layer-prefixes.ts"
import { prefixTuningFieldRules } from "./peft-config.ts"
import { plainEncoder } from "./prefix-encoder.ts"
import { prefixTensorName, prefixTuningWith, type PrefixTuning } from "./prefix-tuning.ts"

const isPositiveInt = (u: unknown): u is number => Number.isInteger(u) && (u as number) > 0
const isPrefixTuning = (u: unknown): u is "PREFIX_TUNING" => u === "PREFIX_TUNING"

export const loadPrefixTuning = (model: BaseModel, files: PeftAdapterFiles) =>
  Effect.gen(function* () {
    yield* configField(files, "peft_type", '"PREFIX_TUNING"', isPrefixTuning)
    const n = yield* configField(files, "num_virtual_tokens", "a positive integer", isPositiveInt)
    yield* checkConfigFields(files, "PrefixTuningConfig", prefixTuningFieldRules(model))
    const dims = prefixDims(model)
    const saved = yield* peftTensor(files, prefixTensorName, [n, dims.width])
    yield* refuseUnusedTensors(files, new Set([prefixTensorName]), `a prefix-tuning adapter reads "${prefixTensorName}" only`)
    const adapter: PrefixTuning = prefixTuningWith(model, { numVirtualTokens: n }, plainEncoder(tf.tensor2d(saved.data, [n, dims.width])))
    return adapter
  })
