import { InputError } from "@peftlab/core"

/** A tokenizer or length limit that cannot encode span questions (no single [CLS]/[SEP] token, no room for the sentence). */
export class SpanEncodingError extends InputError("SpanEncodingError") {}
