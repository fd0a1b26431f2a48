// Bad input (spec, data, model files, flags) is the user's to fix: the CLI prints these
// errors as they are and exits with code 2. Each package declares its own tagged error
// with `class XError extends InputError("XError") {}` so callers can still match on tags.
// An error that needs more fields extends Data.TaggedError itself and sets the marker.
import { type Cause, Data } from "effect"

export const InputErrorTypeId: unique symbol = Symbol.for("@peftlab/core/InputError")

export interface InputErrorFields {
  /** The file, flag or variable at fault. */
  readonly source: string
  /** What is wrong and what was expected, e.g. `line 12: expected "yes" or "no", got "maybe?"`. */
  readonly detail: string
}

/** An input error: its fields, its tag and the marker `isInputError` looks for. */
export interface InputErrorInstance<Tag extends string> extends Cause.YieldableError, InputErrorFields {
  readonly _tag: Tag
  readonly [InputErrorTypeId]: true
}

// Named, so that declaration files can spell the base class of every `extends InputError(…)`.
export type InputErrorClass<Tag extends string> = new (fields: InputErrorFields) => InputErrorInstance<Tag>

export const InputError = <Tag extends string>(tag: Tag): InputErrorClass<Tag> =>
  class extends Data.TaggedError(tag)<InputErrorFields> {
    readonly [InputErrorTypeId] = true
    override get message(): string {
      return `${this.source}: ${this.detail}`
    }
  }

export type AnyInputError = InputErrorFields & { readonly _tag: string; readonly message: string }

export const isInputError = (u: unknown): u is AnyInputError =>
  typeof u === "object" && u !== null && InputErrorTypeId in u
