// An ia3 arm's options, in PEFT's IA3Config field names (PEFT 0.21.2). target_modules get a
// learned vector scaling their output; those also in feedforward_modules (an MLP's down
// projection) scale their input instead.
import { Effect, Schema } from "effect"

/** The phrase spec errors about this option use after "expected". */
const expecting =
  (expected: string) =>
  <S extends Schema.Top>(schema: S): S["Rebuild"] =>
    schema.pipe(Schema.annotateKey({ expected }))
const withDefault = <S extends Schema.Top>(value: S["Encoded"]) => Schema.withDecodingDefaultKey<S>(Effect.succeed(value))

const ModuleNames = Schema.Union([Schema.Array(Schema.String.check(Schema.isNonEmpty())).check(Schema.isMinLength(1)), Schema.String.check(Schema.isNonEmpty())])
const MaybeModuleNames = Schema.Union([Schema.Array(Schema.String.check(Schema.isNonEmpty())), Schema.String.check(Schema.isNonEmpty())])

export const Ia3Options = Schema.Struct({
  // A list of module names (k_proj) or one regex over full module names, as in PEFT.
  target_modules: ModuleNames.pipe(expecting("a non-empty list of module names, or a regex string")),
  // PEFT fills this from its per-architecture table when absent; here absent means none.
  feedforward_modules: MaybeModuleNames.pipe(
    withDefault([]),
    expecting("a list of module names among target_modules, or a regex string"),
  ),
  fan_in_fan_out: Schema.Boolean.pipe(withDefault(false), expecting("true or false (true only for GPT-2's Conv1D modules)")),
  // PEFT's false leaves the vectors random; only its default, ones (the base model unchanged), is implemented.
  init_ia3_weights: Schema.Literal(true).pipe(withDefault(true), expecting("true (vectors start at ones; random init is not implemented)")),
  modules_to_save: Schema.Tuple([]).pipe(withDefault([]), expecting("[] (training whole modules beside the adapter is not implemented)")),
})

export type Ia3Options = typeof Ia3Options.Type
