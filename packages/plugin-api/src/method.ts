// The contract of a PEFT method as a plugin, in the spirit of PEFT's tuners/ (a method is a
// config, a layer and a model, registered once): an arm `kind` a spec names, its options in
// PEFT's field names, how it makes a fresh adapter, how it reads PEFT's saved files back, and
// its line in `peftlab run --dry-run`. Saving needs nothing more: an Adapter already gives its
// adapter_config.json fields and tensors under PEFT's names (savePeftAdapter writes them).
import type { Effect, Schema } from "effect"
import type { Adapter, PeftAdapterFiles } from "@peftlab/adapters-base"
import type { AnyInputError, Rng } from "@peftlab/core"

/** The base model a method adapts (every Adapter is injected into one). */
export type MethodModel = Parameters<Adapter["inject"]>[0]

/** What making an adapter may use besides the model and the arm's options. */
export interface MethodContext {
  readonly rng: Rng
  /** The base model's folder, for adapter_config.json's base_model_name_or_path. */
  readonly modelPath: string
}

/** An option the model cannot honour (target_modules matching none of its modules): reported at arms[i].<field>, exit 2. */
export interface OptionIssue {
  readonly field: string
  readonly expected: string
  readonly message: string
}

export interface MethodPlugin<Options = unknown> {
  /** The arm kind a spec names (`kind: ia3`); also its name in the registry. */
  readonly name: string
  /** PEFT's peft_type of what it saves and loads ("IA3"). */
  readonly peftType: string
  /** The arm's options, in PEFT's field names; a field it does not declare is refused. */
  readonly options: Schema.Decoder<Options>
  /** Options this model cannot honour, checked before any arm runs; none when omitted. */
  readonly check?: (model: MethodModel, options: Options) => ReadonlyArray<OptionIssue>
  /** A fresh, trainable adapter on `model`. */
  readonly create: (model: MethodModel, options: Options, context: MethodContext) => Adapter
  /** An adapter PEFT saved (peft_type `peftType`) onto `model`, refusing config fields it cannot honour by name. */
  readonly load: (model: MethodModel, files: PeftAdapterFiles) => Effect.Effect<Adapter, AnyInputError>
  /** What `peftlab run --dry-run` prints for an arm with these options. */
  readonly describe: (options: Options) => string
}

/** The part of the run's registry a method plugin's `register` uses. */
export interface MethodRegistry {
  readonly add: (category: "methods", method: MethodPlugin<any>) => void
}

/** Types a method's options against its functions (a MethodPlugin<Options> in, unchanged). */
export const defineMethod = <Options>(method: MethodPlugin<Options>): MethodPlugin<Options> => method
