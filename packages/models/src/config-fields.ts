// Field schemas every architecture's config.json decoding shares.
import { Schema } from "effect"

export const PositiveInt = Schema.Int.check(Schema.isGreaterThan(0))
export const TokenId = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
