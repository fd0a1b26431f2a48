import { InputError } from "@peftlab/core"

/** A tokenizer.json or tokenizer_config.json that is missing, not JSON, or unusable. */
export class TokenizerFileError extends InputError("TokenizerFileError") {}

/** A prompt template, its fields or its length limit that cannot produce a prompt. */
export class TemplateError extends InputError("TemplateError") {}
