// The contract of a PEFT method as a plugin, in the spirit of PEFT's tuners/ (a method is a
// config, a layer and a model, registered once): an arm `kind` a spec names, its options in
// PEFT's field names, how it makes a fresh adapter, how it reads PEFT's saved files back, and
// its line in `peftlab run --dry-run`. Saving needs nothing more: an Adapter already gives its
// adapter_config.json fields and tensors under PEFT's names (savePeftAdapter writes them). The
// built-in methods (prompt, prefix, LoRA/QLoRA) are MethodPlugins too; the optional members are
// what some of them need from the run besides that (virtual tokens, an NF4 base, init_from, ...).
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
  /** The base model's tokenizer, as PEFT's tokenizer(text)["input_ids"] (special tokens included); the run always gives it. */
  readonly encode?: (text: string) => ReadonlyArray<number>
}

/** What checking options against the model may use besides the model. */
export interface CheckContext {
  /** The arm's name as the spec writes it (before sweeps and seeds), for messages. */
  readonly arm: string
  /** The base model's tokenizer, as MethodContext's encode. */
  readonly encode: (text: string) => ReadonlyArray<number>
}

/** One of an arm's options that its own other options rule out (init_text missing with init: text): reported at arms[i].<field>, exit 2. */
export interface OptionsIssue {
  readonly field: string
  readonly expected: string
}

/** An option that an init_from adapter's adapter_config.json must agree with, since the arm builds its adapter from the option. */
export interface AgreeingField {
  readonly field: string
  readonly value: unknown
  /** PEFT's default, for a config that leaves the field out. */
  readonly fallback?: unknown
  /** Equality of the option and the saved value; `===` when omitted. */
  readonly same?: (option: unknown, saved: unknown) => boolean
}

/** An option the model cannot honour (target_modules matching none of its modules): reported at arms[i].<field>, exit 2. */
export interface OptionIssue {
  readonly field: string
  readonly expected: string
  /** The sentence shown; a function gets the option's value as spec errors render it (JSON, shortened). */
  readonly message: string | ((found: string) => string)
}

/** The quantized bases a method may ask for (quantizedBase). */
export type QuantizedBaseKind = "nf4" | "int8"

export interface MethodPlugin<Options = unknown, A extends Adapter = Adapter> {
  /** The arm kind a spec names (`kind: ia3`); also its name in the registry. */
  readonly name: string
  /** PEFT's peft_type of what it saves and loads ("IA3"). */
  readonly peftType: string
  /** The arm's options, in PEFT's field names; a field it does not declare is refused. */
  readonly options: Schema.Decoder<Options>
  /** Options that the arm's other options rule out, checked with the spec's names; none when omitted. */
  readonly checkOptions?: (options: Options) => ReadonlyArray<OptionsIssue>
  /** Options this model cannot honour, checked before any arm runs; none when omitted. */
  readonly check?: (model: MethodModel, options: Options, context: CheckContext) => ReadonlyArray<OptionIssue>
  /** A fresh, trainable adapter on `model`. */
  readonly create: (model: MethodModel, options: Options, context: MethodContext) => A
  /** Turns the trained adapter into its inference form before it is evaluated and saved; nothing when omitted. */
  readonly afterTraining?: (adapter: A) => void
  /** Tokens the adapter puts before every input (they take model positions besides training.max_length); none when omitted. */
  readonly virtualTokens?: (options: Options) => number
  /**
   * The quantization the arm's frozen base needs first: "nf4" (QLoRA) or "int8" (bitsandbytes'
   * LLM.int8()), or undefined for the base as loaded; never quantized when omitted. A method that
   * declares it also says, by declaring it, that adapter arms of its peft_type may run over a quantized base.
   */
  readonly quantizedBase?: (options: Options) => QuantizedBaseKind | undefined
  /** How an arm starts from an existing adapter (its option init_from); only the peft_type is checked when omitted. */
  readonly initFrom?: {
    /** The options the saved adapter_config.json must agree with. */
    readonly agreeing: (options: Options) => ReadonlyArray<AgreeingField>
    /** adapter_config.json fields the options cannot set: a saved adapter that sets one is not the one the arm builds. */
    readonly unsettable?: ReadonlyArray<string>
  }
  /** An adapter PEFT saved (peft_type `peftType`) onto `model`, refusing config fields it cannot honour by name. */
  readonly load: (model: MethodModel, files: PeftAdapterFiles) => Effect.Effect<Adapter, AnyInputError>
  /** What `peftlab run --dry-run` prints for an arm with these options. */
  readonly describe: (options: Options) => string
}

/** The part of the run's registry a method plugin's `register` uses. */
export interface MethodRegistry {
  readonly add: (category: "methods", method: MethodPlugin<any, any>) => void
}

/** Types a method's options against its functions (a MethodPlugin<Options> in, unchanged). */
export const defineMethod = <Options, A extends Adapter = Adapter>(method: MethodPlugin<Options, A>): MethodPlugin<Options, A> => method
