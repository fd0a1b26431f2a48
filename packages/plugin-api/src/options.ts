// What a method's options Schema is built from, so that every method's fields read alike in spec
// errors: the phrase after "expected", decoding defaults, and init_from (an existing adapter to
// start from), which the built-in methods share.
import { Effect, Schema } from "effect"

/** Attaches the phrase that spec errors about this option use after "expected". */
export const expecting =
  (expected: string) =>
  <S extends Schema.Top>(schema: S): S["Rebuild"] =>
    schema.pipe(Schema.annotateKey({ expected }))

/** An optional option that decodes to `value` when absent. */
export const withDefault = <S extends Schema.Top>(value: S["Encoded"]) => Schema.withDecodingDefaultKey<S>(Effect.succeed(value))

/** `one of a, b`, the expectation of a set of names. */
export const literals = <const L extends ReadonlyArray<string>>(values: L) => Schema.Literals(values).pipe(expecting(`one of ${values.join(", ")}`))

export const PositiveInt = Schema.Int.check(Schema.isGreaterThan(0))
export const NonEmptyText = Schema.String.check(Schema.isNonEmpty())

/** An existing PEFT adapter whose weights a trainable arm starts from; its config must agree with the arm's options (MethodPlugin.initFrom). */
export const initFrom = {
  init_from: Schema.optionalKey(NonEmptyText).pipe(expecting("a PEFT adapter folder (with adapter_config.json) or a Hugging Face id (org/name)")),
}
