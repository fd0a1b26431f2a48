// Every field of a PEFT adapter_config.json is read, accepted because it cannot change a loaded
// adapter, or refused by name, and every tensor of adapter_model.safetensors is used or refused:
// an adapter PEFT saved with a feature peftlab does not implement (DoRA, a trained bias, another
// variant) must never load silently as something else. Each adapter kind lists its fields (from
// PEFT's config classes, see peftVersionFollowed); this file holds the shared machinery and the
// fields of PEFT's PeftConfig and PromptLearningConfig that every kind inherits.
import { join } from "node:path"
import { Data, Effect, Schema } from "effect"
import { InputErrorTypeId } from "@peftlab/core"
import { adapterConfigFile, adapterWeightsFile, type PeftAdapterFiles } from "./peft-files.ts"

/**
 * The PEFT release whose config fields the rules follow: 0.21.2 writes the fields 0.20.0 did, with
 * LoraConfig's kasa_config added (every adapter kind's goldens load what it saves).
 */
export const peftVersionFollowed = "0.21.2"

/** A config field whose value peftlab cannot honour, or does not know. */
export class AdapterFieldRefused extends Data.TaggedError("AdapterFieldRefused")<{
  /** The adapter_config.json at fault. */
  readonly source: string
  readonly field: string
  readonly value: unknown
  readonly detail: string
}> {
  readonly [InputErrorTypeId] = true
  override get message(): string {
    return `${this.source}: ${this.detail}`
  }
}

/** Tensors of adapter_model.safetensors that the loaded adapter does not use. */
export class AdapterTensorsUnused extends Data.TaggedError("AdapterTensorsUnused")<{
  readonly source: string
  readonly tensors: ReadonlyArray<string>
  readonly detail: string
}> {
  readonly [InputErrorTypeId] = true
  override get message(): string {
    return `${this.source}: ${this.detail}`
  }
}

type Config = Readonly<Record<string, unknown>>

/** What a field may hold; `supported` ends the refusal: "use_dora: true is not supported (<supported>)". */
export interface FieldRule {
  readonly accepts: (value: unknown, config: Config) => boolean
  readonly supported: string
}
export type FieldRules = Readonly<Record<string, FieldRule>>

/** A rule from the effect Schema of the values peftlab accepts. */
export const acceptIf = <S extends Schema.Constraint>(schema: S, supported: string): FieldRule => {
  const is = Schema.is(schema)
  return { accepts: (value) => is(value), supported }
}
/** A rule that also looks at the value's neighbours in the config. */
export const acceptWhere = (accepts: FieldRule["accepts"], supported: string): FieldRule => ({ accepts, supported })

/** A value as the refusal shows it: JSON, shortened. */
export const renderValue = (value: unknown): string => {
  const json = JSON.stringify(value) ?? String(value)
  return json.length > 80 ? `${json.slice(0, 77)}...` : json
}

export const refuseField = (files: PeftAdapterFiles, field: string, detail: string) =>
  new AdapterFieldRefused({ source: join(files.dir, adapterConfigFile), field, value: files.config[field], detail })

/**
 * Every field present in the config checked against `rules`: a field with no rule is unknown
 * (a newer PEFT's, or another method's) and refused like an unsupported value. An absent field
 * takes PEFT's default, which every rule accepts.
 */
export const checkConfigFields = (files: PeftAdapterFiles, configClass: string, rules: FieldRules): Effect.Effect<void, AdapterFieldRefused> =>
  Effect.gen(function* () {
    for (const [field, value] of Object.entries(files.config)) {
      const rule = rules[field]
      if (rule === undefined) {
        const known = Object.keys(rules).join(", ")
        return yield* Effect.fail(
          refuseField(files, field, `${field}: ${renderValue(value)} is not supported (not a field of PEFT ${peftVersionFollowed}'s ${configClass}; peftlab reads ${known})`),
        )
      }
      if (!rule.accepts(value, files.config)) {
        return yield* Effect.fail(refuseField(files, field, `${field}: ${renderValue(value)} is not supported (${rule.supported})`))
      }
    }
  })

/** Refuses the files when a tensor in them is not among `used`; `reads` says what the adapter reads. */
export const refuseUnusedTensors = (files: PeftAdapterFiles, used: ReadonlySet<string>, reads: string): Effect.Effect<void, AdapterTensorsUnused> => {
  const unused = [...files.tensors.keys()].filter((name) => !used.has(name))
  if (unused.length === 0) return Effect.void
  const shown = unused.slice(0, 5).map((name) => `"${name}"`).join(", ") + (unused.length > 5 ? ` and ${unused.length - 5} more` : "")
  const detail = `${unused.length === 1 ? "tensor" : `${unused.length} tensors`} ${shown} ${unused.length === 1 ? "is" : "are"} not used (${reads})`
  return Effect.fail(new AdapterTensorsUnused({ source: join(files.dir, adapterWeightsFile), tensors: unused, detail }))
}

const NullOrString = Schema.NullOr(Schema.String)

/** PeftConfigMixin's and PeftConfig's fields: what the adapter was made from, never how it computes. */
export const peftConfigRules = (peftType: string): FieldRules => ({
  peft_type: acceptIf(Schema.Literal(peftType), `this loader reads "${peftType}"`),
  task_type: acceptIf(NullOrString, "a task type name or null"),
  auto_mapping: acceptIf(Schema.Unknown, "any value"),
  peft_version: acceptIf(NullOrString, "a version string or null"),
  base_model_name_or_path: acceptIf(NullOrString, "a model name or null"),
  revision: acceptIf(NullOrString, "a revision or null"),
  inference_mode: acceptIf(Schema.Boolean, "true or false"),
})

/** The base model's sizes a prompt-learning adapter's config must agree with (undefined: not checked). */
export interface PromptLearningShape {
  readonly tokenDim: number
  readonly numLayers?: number
  readonly numAttentionHeads?: number
}

const nullOr = (expected: number | undefined, what: string): FieldRule =>
  expected === undefined
    ? acceptIf(Schema.NullOr(Schema.Number), "a number or null")
    : acceptWhere((value) => value === null || value === expected, `${expected}, this model's ${what}, or null`)

/** PromptLearningConfig's fields, shared by prompt and prefix tuning, checked against the model. */
export const promptLearningRules = (shape: PromptLearningShape): FieldRules => ({
  num_virtual_tokens: acceptWhere((value) => Number.isInteger(value) && (value as number) > 0, "a positive integer"),
  token_dim: nullOr(shape.tokenDim, "width"),
  num_layers: nullOr(shape.numLayers, "number of layers"),
  num_attention_heads: nullOr(shape.numAttentionHeads, "number of key/value heads"),
  // 2 (PEFT's default for SEQ_2_SEQ_LM) also puts virtual tokens before the decoder's inputs.
  num_transformer_submodules: acceptWhere(
    (value, config) => value === 1 || (value === null && config["task_type"] !== "SEQ_2_SEQ_LM"),
    'virtual tokens in one transformer submodule: 1 (or null when task_type is not "SEQ_2_SEQ_LM")',
  ),
  modules_to_save: acceptIf(Schema.NullOr(Schema.Tuple([])), "null or []: loading whole modules saved beside the adapter is not implemented"),
})
