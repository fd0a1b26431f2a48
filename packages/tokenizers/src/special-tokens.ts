import { Schema } from "effect"

/** A special token in tokenizer_config.json: a plain string in recent configs, an AddedToken object in older ones. */
export const TokenName = Schema.NullOr(Schema.Union([Schema.String, Schema.Struct({ content: Schema.String })]))

export const tokenContent = (name: NonNullable<typeof TokenName.Type>): string => (typeof name === "string" ? name : name.content)
