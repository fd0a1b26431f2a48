// The experiment spec as an effect Schema. Every field carries an `expected` key annotation:
// the phrase error messages use ("expected a positive integer, got ..."). Optional fields
// decode with their documented defaults, so the decoded spec is complete.
import { Effect, Schema } from "effect"

/** Attaches the phrase that errors about this field use after "expected". */
const expecting =
  (expected: string) =>
  <S extends Schema.Top>(schema: S): S["Rebuild"] =>
    schema.pipe(Schema.annotateKey({ expected }))

/** An optional field that decodes to `value` when absent. */
const withDefault = <S extends Schema.Top>(value: S["Encoded"]) => Schema.withDecodingDefaultKey<S>(Effect.succeed(value))

const oneOf = (values: ReadonlyArray<string>): string => `one of ${values.join(", ")}`

const NonEmptyText = Schema.String.check(Schema.isNonEmpty())
const PositiveInt = Schema.Int.check(Schema.isGreaterThan(0))
const NonNegativeInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
const PositiveNumber = Schema.Finite.check(Schema.isGreaterThan(0))
const Fraction = Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 }))

const literals = <const L extends ReadonlyArray<string>>(values: L) => Schema.Literals(values).pipe(expecting(oneOf(values)))

/** The arm kinds the spec itself defines; any other kind is a method's (prompt, prefix, lora built in, others from plugins). */
export const armKinds = ["base", "fine-tune", "adapter"] as const
/** Every arm kind peftlab ships, in the order errors list them (the runner's built-in methods among the spec's own kinds). */
export const armKindOrder = ["base", "fine-tune", "prompt", "prefix", "p-tuning", "lora", "adapter"] as const
export const quantizations = ["none", "nf4", "int8"] as const
export const selectionMetrics = ["macro_f1", "accuracy", "micro_f1", "loss"] as const
export const lrSchedules = ["constant", "linear", "cosine"] as const
export const samplers = ["shuffled", "class_balanced", "length_grouped"] as const
export const evaluationModes = ["label-score", "generate", "extract"] as const
export const selections = ["best", "all"] as const
export const promptFormats = ["plain", "instruction", "chat"] as const
export const truncationPolicies = ["cut", "error"] as const

/** Built-in data kinds that read a folder tree (MedQuAD's XML files) rather than one file. */
export const dataFolderKinds = ["medquad"] as const

/** What `data.fields` holds when `data.kind` is pubmedqa and the spec leaves a field out. */
export const pubmedqaFields = { question: "QUESTION", context: "CONTEXTS", label: "final_decision" } as const

// Which source field holds each part of an example. Which of them a data kind reads (and
// needs) is the kind's own business, checked once the kinds are registered.
const fieldName = Schema.optionalKey(NonEmptyText).pipe(expecting("a non-empty source field name"))
const DataFields = Schema.Struct({ question: fieldName, context: fieldName, label: fieldName, id: fieldName })

const Cleaning = Schema.Struct({
  drop_labels: Schema.Array(Schema.String.pipe(expecting("a label string"))).pipe(
    withDefault(["maybe"]),
    expecting("a list of label strings"),
  ),
  lowercase_labels: Schema.Boolean.pipe(withDefault(true), expecting("true or false")),
  dedupe: Schema.Boolean.pipe(withDefault(true), expecting("true or false")),
  drop_empty: Schema.Boolean.pipe(withDefault(true), expecting("true or false")),
})

const Split = Schema.Struct({
  train: Fraction.pipe(expecting("a fraction between 0 and 1")),
  val: Fraction.pipe(expecting("a fraction between 0 and 1")),
  test: Fraction.pipe(expecting("a fraction between 0 and 1")),
  stratify: Schema.Boolean.pipe(expecting("true or false")),
  // Absent means the top-level seed; loadSpec fills it in.
  seed: Schema.optionalKey(NonNegativeInt).pipe(expecting("an integer >= 0")),
})

const Limit = Schema.Struct({
  train: Schema.optionalKey(PositiveInt).pipe(expecting("a positive integer")),
  val: Schema.optionalKey(PositiveInt).pipe(expecting("a positive integer")),
  test: Schema.optionalKey(PositiveInt).pipe(expecting("a positive integer")),
})

// Kinds, metrics and backends are names in a registry that plugins extend, so they are only
// checked to be names here; the runner checks them against the registry (checkRegisteredNames).
const registeredName = (what: string) => NonEmptyText.pipe(expecting(what))

const Data = Schema.Struct({
  kind: registeredName("a data kind name"),
  path: NonEmptyText.pipe(expecting("a path to the data file")),
  fields: DataFields.pipe(withDefault({}), expecting("a mapping of question, context, label and id field names")),
  cleaning: Cleaning.pipe(withDefault({}), expecting("a mapping of cleaning options")),
  split: Split.pipe(expecting("a mapping with train, val, test, stratify")),
  limit: Schema.optionalKey(Limit).pipe(expecting("a mapping of per-split subset sizes")),
  // Bounds on what the data may hold; absent means the default (the runner's data-limits.ts, the hub's extract-archive.ts).
  max_text_chars: Schema.optionalKey(PositiveInt).pipe(expecting("a positive integer (characters)")),
  max_archive_bytes: Schema.optionalKey(PositiveInt).pipe(expecting("a positive integer (bytes)")),
})

const Model = Schema.Struct({
  path: NonEmptyText.pipe(expecting("a path to a model folder")),
})

export const taskKinds = ["classification", "generative-qa", "span-extraction"] as const

/** Classification through the LM head: the default task when `kind` is absent. */
const ClassificationTask = Schema.Struct({
  kind: Schema.optionalKey(Schema.Literal("classification")),
  template: NonEmptyText.pipe(expecting("a non-empty prompt template")),
  // plain: the template as written (T5's text-to-text prompts are plain templates, e.g.
  // "question: {question} context: {context}"); instruction: it becomes the instruction of a
  // "### Instruction / ### Response" prompt; chat: the user message of the model's chat template.
  format: literals(promptFormats).pipe(withDefault("plain")),
  labels: Schema.Record(Schema.String, NonEmptyText.pipe(expecting("a non-empty verbalizer text")))
    .check(Schema.isMinProperties(2))
    .pipe(expecting("a mapping of at least two labels to verbalizer texts")),
})

/**
 * Generative question answering: the template (with {question}) is the instruction of a
 * "### Instruction / ### Response" prompt and the reference answer is the response.
 */
const GenerativeQaTask = Schema.Struct({
  kind: Schema.Literal("generative-qa"),
  template: NonEmptyText.pipe(expecting("a non-empty instruction template")),
  // Cap on the reference answer's tokens (end token included) when training.
  max_answer_tokens: Schema.optionalKey(PositiveInt).pipe(expecting("a positive integer")),
})

export type GenerativeQaTaskSpec = typeof GenerativeQaTask.Type

/** The placeholders of a relation question (datasets' relationPlaceholders), and its default. */
export const relationQuestionPlaceholders = ["relation", "head", "head_type", "tail_type"] as const
export const defaultRelationQuestion = "Which {tail_type} is {relation} of {head}?"

const entityType = NonEmptyText.pipe(expecting("an entity type"))
const relationQuestion = NonEmptyText.pipe(expecting("a question with {head} (and optionally {relation}, {head_type}, {tail_type})"))

/** Relation types (n2c2 2018's ADE-Drug: head Drug, tail ADE) and the question each head entity is asked. */
const RelationsSpec = Schema.Struct({
  types: Schema.Record(
    NonEmptyText,
    Schema.Struct({ head: entityType, tail: entityType, question: Schema.optionalKey(relationQuestion) }).pipe(
      expecting("a mapping with head and tail entity types (and optionally question)"),
    ),
  )
    .check(Schema.isMinProperties(1))
    .pipe(expecting("a mapping of relation types to their head and tail entity types")),
  question_template: relationQuestion.pipe(withDefault(defaultRelationQuestion)),
}).pipe(expecting("a mapping with types (and optionally question_template)"))

/**
 * Concept extraction as reading comprehension on an encoder: one question per sentence and
 * entity type, answered by start and end classifiers over the sentence's tokens.
 */
const SpanExtractionTask = Schema.Struct({
  kind: Schema.Literal("span-extraction"),
  // The hard prompts: a hand-written question per entity type; other types use question_template.
  questions: Schema.Record(Schema.String, NonEmptyText.pipe(expecting("a non-empty question")))
    .pipe(withDefault({}), expecting("a mapping of entity types to questions")),
  question_template: NonEmptyText.pipe(withDefault("Which {type} entities are mentioned?"), expecting("a question with {type}")),
  // A token starts (ends) an answer when its start (end) probability is above this.
  threshold: Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1, exclusiveMinimum: true, exclusiveMaximum: true }))
    .pipe(withDefault(0.5), expecting("a probability strictly between 0 and 1")),
  max_span_tokens: PositiveInt.pipe(withDefault(30), expecting("a positive integer")),
  // Relation extraction after the entities: each entity of a relation type's head type is asked
  // question_template (or the type's own question) and its tail spans are extracted by the same head.
  relations: Schema.optionalKey(RelationsSpec),
})

export type SpanExtractionTaskSpec = typeof SpanExtractionTask.Type

const Task = Schema.Union([ClassificationTask, GenerativeQaTask, SpanExtractionTask])

const armName = NonEmptyText.pipe(expecting("a non-empty arm name"))

/** The training settings one arm may set for itself (a sweep varies them as `training.lr` and so on). */
export const trainingOverrideKeys = ["lr", "epochs", "batch_size", "weight_decay", "warmup_steps", "gradient_accumulation", "train_examples"] as const

// Few-shot: the arm trains on a seeded subset of this many training examples (sentences, for
// span extraction), drawn with data.split.seed so every arm with the same size sees the same ones.
const trainExamples = Schema.optionalKey(PositiveInt).pipe(expecting("a positive integer (training examples)"))

const TrainingOverrides = Schema.Struct({
  lr: Schema.optionalKey(PositiveNumber).pipe(expecting("a positive number")),
  epochs: Schema.optionalKey(PositiveInt).pipe(expecting("a positive integer")),
  batch_size: Schema.optionalKey(PositiveInt).pipe(expecting("a positive integer")),
  weight_decay: Schema.optionalKey(Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))).pipe(expecting("a number >= 0")),
  warmup_steps: Schema.optionalKey(NonNegativeInt).pipe(expecting("an integer >= 0")),
  gradient_accumulation: Schema.optionalKey(PositiveInt).pipe(expecting("a positive integer")),
  train_examples: trainExamples,
})

const SweepValue = Schema.Union([Schema.Finite, Schema.String, Schema.Boolean])
/**
 * A grid over some of the arm's own fields (`r`) and its training settings (`training.lr`):
 * every combination becomes an arm named after its values (see expandArms).
 */
const Sweep = Schema.Record(
  NonEmptyText,
  Schema.Array(SweepValue).check(Schema.isMinLength(1)).pipe(expecting("a non-empty list of values")),
).pipe(expecting("a mapping of field names to lists of values"))

/** Fields every arm may carry besides its method's own. */
const armCommon = {
  name: armName,
  training: Schema.optionalKey(TrainingOverrides).pipe(expecting(`a mapping of training settings (${trainingOverrideKeys.join(", ")})`)),
  sweep: Schema.optionalKey(Sweep),
}

/** An existing PEFT adapter: a folder holding adapter_config.json, or a Hugging Face id found offline. */
const adapterLocation = NonEmptyText.pipe(expecting("a PEFT adapter folder (with adapter_config.json) or a Hugging Face id (org/name)"))

export const BaseArm = Schema.Struct({
  name: armName,
  kind: Schema.Literal("base"),
})

/** Full fine-tuning: every base weight trains. */
export const FineTuneArm = Schema.Struct({
  ...armCommon,
  kind: Schema.Literal("fine-tune"),
  // Span extraction: ask the task's natural-language question (true) or only the entity type's
  // name (false, plain fine-tuning); other tasks ignore it.
  hard_prompt: Schema.Boolean.pipe(withDefault(true), expecting("true or false")),
})

export type FineTuneArmSpec = typeof FineTuneArm.Type

/**
 * An existing PEFT adapter (of a method's peft_type: LoRA, prompt or prefix tuning, or a plugin's),
 * evaluated on the spec's task without training.
 */
export const AdapterArm = Schema.Struct({
  name: armName,
  kind: Schema.Literal("adapter"),
  path: adapterLocation,
  // nf4: a LoRA adapter over a 4-bit NormalFloat base, as QLoRA trained it; int8: over an 8-bit (LLM.int8()) base.
  quantize: literals(quantizations).pipe(withDefault("none")),
})

export type AdapterArmSpec = typeof AdapterArm.Type

const builtinKind = (kind: string): boolean => (armKinds as ReadonlyArray<string>).includes(kind)

/**
 * An arm of a PEFT method's kind (prompt, prefix and lora, built into the runner, or ia3 from a
 * plugin): its name, training and sweep as every arm's, and its method's options as written,
 * decoded by the method's own options Schema in the runner's registry (registry/methods.ts), once
 * the spec's plugins have loaded. A kind of the spec's own never decodes as one, so those arms
 * keep their strict fields (schema-issues.ts keeps its issues out of theirs).
 */
const MethodArmFields = Schema.Struct({
  ...armCommon,
  kind: NonEmptyText.check(Schema.makeFilter((kind: string) => !builtinKind(kind))).pipe(expecting("an arm kind that a plugin registers")),
})

export const MethodArm = Schema.StructWithRest(MethodArmFields, [Schema.Record(Schema.String, Schema.Unknown)]).annotate({ methodArm: true })

/** A method arm as code sees it: its options are read with methodArmOptions (and decoded by its method), never as typed fields. */
export type MethodArmSpec = typeof MethodArmFields.Type

export const ArmSpec = Schema.Union([BaseArm, FineTuneArm, AdapterArm, MethodArm]).pipe(expecting(`an arm with kind ${oneOf(armKindOrder)}`))
export type BuiltinArmSpec = typeof BaseArm.Type | FineTuneArmSpec | AdapterArmSpec
export type ArmSpec = BuiltinArmSpec | MethodArmSpec

/** The members of an arm union whose kind is a literal: the spec's own kinds. */
export type BuiltinOf<A extends { readonly kind: string }> = A extends unknown ? (string extends A["kind"] ? never : A) : never

/** Whether an arm is of one of the spec's own kinds (base, fine-tune, adapter), so its fields are the typed ones of that kind; else a method's. */
export const isBuiltinArm = <A extends { readonly kind: string }>(arm: A): arm is BuiltinOf<A> => builtinKind(arm.kind)

/** A method arm's options as written: every field but those all arms share (and what expansion adds). */
export const methodArmOptions = (arm: { readonly kind: string }): Record<string, unknown> => {
  const { name: _name, kind: _kind, training: _training, sweep: _sweep, group: _group, config: _config, seed: _seed, ...options } = arm as Record<string, unknown>
  return options
}

const Training = Schema.Struct({
  epochs: PositiveInt.pipe(expecting("a positive integer")),
  lr: PositiveNumber.pipe(expecting("a positive number")),
  batch_size: PositiveInt.pipe(expecting("a positive integer")),
  max_length: PositiveInt.pipe(expecting("a positive integer")),
  // An input longer than max_length: "cut" shortens its context (the template's named field)
  // from the end and reports how many were cut; "error" refuses the run (exit 2) before any arm trains.
  truncation: literals(truncationPolicies).pipe(withDefault("cut")),
  weight_decay: Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0)).pipe(withDefault(0), expecting("a number >= 0")),
  select_by: literals(selectionMetrics).pipe(withDefault("macro_f1")),
  gradient_accumulation: PositiveInt.pipe(withDefault(1), expecting("a positive integer")),
  workers: PositiveInt.pipe(withDefault(1), expecting("a positive integer (worker threads that train data-parallel and share the test pass)")),
  // Recompute each layer's activations in the backward pass instead of keeping them (less memory, one more forward per step).
  gradient_checkpointing: Schema.Boolean.pipe(withDefault(false), expecting("true or false")),
  // MiB of hidden states kept on the host per arm so the frozen layers below the lowest adapted
  // one run once per example, not once per epoch (0: off). Results are the same either way.
  activation_cache_mb: NonNegativeInt.pipe(withDefault(1024), expecting("an integer >= 0 (MiB; 0 turns the frozen-activation cache off)")),
  warmup_steps: NonNegativeInt.pipe(withDefault(0), expecting("an integer >= 0")),
  lr_schedule: literals(lrSchedules).pipe(withDefault("constant")),
  max_grad_norm: Schema.optionalKey(PositiveNumber).pipe(expecting("a positive number")),
  patience: Schema.optionalKey(PositiveInt).pipe(expecting("a positive integer")),
  sampler: literals(samplers).pipe(withDefault("shuffled")),
  checkpoint_every: Schema.optionalKey(PositiveInt).pipe(expecting("a positive integer (optimizer steps)")),
  train_examples: trainExamples,
})

// An evaluation-only data source (train on one site, test on another) for every task kind: every
// arm is also evaluated on it, read and cleaned as data is (data.kind and data.fields unless given
// here; the registry checks its fields against its kind as it does data.fields).
const ExternalTest = Schema.Struct({
  path: NonEmptyText.pipe(expecting("a path to the external test data file (a folder, for medquad)")),
  kind: Schema.optionalKey(registeredName("a data kind name")),
  fields: Schema.optionalKey(DataFields).pipe(expecting("a mapping of question, context, label and id field names")),
}).pipe(expecting("a mapping with path (and optionally kind, fields)"))

const Evaluation = Schema.Struct({
  mode: literals(evaluationModes),
  metrics: Schema.Array(registeredName("a metric name")).pipe(expecting("a list of metric names")),
  max_new_tokens: Schema.optionalKey(PositiveInt).pipe(expecting("a positive integer")),
  // ROUGE of generated answers with rouge-score's Porter stemmer (its use_stemmer); off, as rouge-score's default.
  rouge_stemmer: Schema.Boolean.pipe(withDefault(false), expecting("true or false")),
  // BERTScore of generated answers as bert-score 0.3.13 computes it, with this encoder's layer `layer`
  // (bert-score's num_layers), idf weights over the references, and optionally its rescale baseline file.
  bertscore: Schema.optionalKey(
    Schema.Struct({
      model: NonEmptyText.pipe(expecting("an encoder model folder or Hugging Face id")),
      layer: NonNegativeInt.pipe(expecting("an integer >= 0 (the encoder layer whose hidden states are matched; 0 is the embeddings)")),
      idf: Schema.Boolean.pipe(withDefault(false), expecting("true or false")),
      baseline: Schema.optionalKey(NonEmptyText.pipe(expecting("a bert-score rescale baseline file (.tsv)"))),
    }).pipe(expecting("a mapping with model and layer (and optionally idf, baseline)")),
  ),
  external_test: Schema.optionalKey(ExternalTest),
})

const Stats = Schema.Struct({
  baseline: NonEmptyText.pipe(expecting("the name of an arm")),
  mcnemar: Schema.Boolean.pipe(expecting("true or false")),
  bootstrap: Schema.Struct({
    B: PositiveInt.pipe(expecting("a positive integer")),
    seed: NonNegativeInt.pipe(expecting("an integer >= 0")),
  }).pipe(expecting("a mapping with B and seed")),
  // Approximate randomization (Noreen 1989) beside the bootstrap, the i2b2/n2c2 convention: R shuffles; absent, not run.
  randomization: Schema.optionalKey(
    Schema.Struct({
      R: PositiveInt.pipe(expecting("a positive integer")),
      seed: NonNegativeInt.pipe(expecting("an integer >= 0")),
    }).pipe(expecting("a mapping with R and seed")),
  ),
})

export const ExperimentSpec = Schema.Struct({
  name: NonEmptyText.pipe(expecting("a non-empty name")),
  seed: NonNegativeInt.pipe(expecting("an integer >= 0")),
  backend: registeredName("a backend name").pipe(withDefault("wasm")),
  // Modules that register more data kinds, metrics, reporters, adapters or backends: paths
  // relative to this file, or npm package names.
  plugins: Schema.Array(NonEmptyText.pipe(expecting("a module path or npm package name"))).pipe(
    withDefault([]),
    expecting("a list of plugin modules (paths relative to the spec file, or npm package names)"),
  ),
  data: Data.pipe(expecting("a mapping with kind, path, split")),
  model: Model.pipe(expecting("a mapping with path")),
  task: Task.pipe(expecting("a mapping with template and labels (or kind generative-qa and template, or kind span-extraction)")),
  // The union's own Type would give every arm the plugin arm's index signature; code reads ArmSpec.
  arms: Schema.Array(ArmSpec as Schema.Codec<ArmSpec, unknown>).check(Schema.isNonEmpty()).pipe(expecting("a non-empty list of arms")),
  // Every trained arm once per seed (named ...-seed1); results average them (mean ± sd).
  seeds: Schema.optionalKey(Schema.Array(NonNegativeInt).check(Schema.isMinLength(1))).pipe(expecting("a non-empty list of integers >= 0")),
  // best: of each swept arm, only the configuration with the best validation training.select_by
  // (averaged over seeds) is evaluated on test; all: every configuration is.
  selection: literals(selections).pipe(withDefault("best")),
  training: Training.pipe(expecting("a mapping with epochs, lr, batch_size, max_length")),
  evaluation: Evaluation.pipe(expecting("a mapping with mode and metrics")),
  stats: Stats.pipe(expecting("a mapping with baseline, mcnemar, bootstrap (and optionally randomization)")),
  // Where the trackers' copies go: by default inside the results folder (tensorboard/, mlruns/);
  // name a shared folder to gather several runs in one TensorBoard log dir or MLflow store.
  output: Schema.Struct({
    dir: NonEmptyText.pipe(expecting("a path to the results folder")),
    tensorboard: Schema.optionalKey(NonEmptyText).pipe(expecting("a path to a TensorBoard log folder")),
    mlflow: Schema.optionalKey(NonEmptyText).pipe(expecting("a path to an MLflow file store (its mlruns folder)")),
  }).pipe(expecting("a mapping with dir (and optionally tensorboard, mlflow)")),
  // Where the arms run: queue, a Redis URL (redis://HOST:PORT[/DB]) whose workers (`peftlab worker`)
  // take one job per arm, as `run --queue` does; absent, every arm runs in the run's own process.
  execution: Schema.optionalKey(
    Schema.Struct({
      queue: Schema.optionalKey(NonEmptyText.pipe(expecting("a Redis URL, redis://HOST:PORT[/DB]"))),
    }).pipe(expecting("a mapping with queue")),
  ),
}).pipe(expecting("a mapping of spec fields"))

/** The spec as the schema decodes it, before loadSpec resolves `data.split.seed`. */
export type DecodedSpec = typeof ExperimentSpec.Type
type DecodedData = DecodedSpec["data"]

export type ClassificationTaskSpec = Exclude<DecodedSpec["task"], GenerativeQaTaskSpec | SpanExtractionTaskSpec>

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** One arm as the runner runs it (sweep.ts expands them): concrete values, the spec arm it came from, its seed. */
export type ConcreteArm = DistributiveOmit<ArmSpec, "sweep"> & {
  /** The spec arm's name: arms of one sweep (and their seeds) share it. */
  readonly group: string
  /** The name without the seed suffix: one configuration of the group. */
  readonly config: string
  /** Set when the spec lists seeds: this arm's own seed for initialisation and training. */
  readonly seed?: number
}

/**
 * The decoded spec, with `data.split.seed` resolved (it defaults to the top-level seed) and
 * its arms expanded over sweeps and seeds (see expandArms).
 */
export type ExperimentSpec = Omit<DecodedSpec, "data" | "arms"> & {
  readonly data: Omit<DecodedData, "split"> & { readonly split: DecodedData["split"] & { readonly seed: number } }
  readonly arms: ReadonlyArray<ConcreteArm>
}
