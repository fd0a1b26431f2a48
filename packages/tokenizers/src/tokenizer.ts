import { join } from "node:path"
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers"
import { Effect, Schema } from "effect"
import { TokenizerFileError } from "./errors.ts"
import { decodeFile, readJson, readOptionalJson } from "./json-files.ts"
import { TokenName, tokenContent } from "./special-tokens.ts"

export interface Tokenizer {
  /** One more than the largest token id, added tokens included: the embedding table's rows. */
  readonly vocabSize: number
  readonly bosId: number | undefined
  readonly eosId: number | undefined
  /** The pad token if the config names one, else eos, else 0 (masked out either way). */
  readonly padId: number
  /** Token ids; special tokens (e.g. BOS) are added unless `addSpecialTokens` is false. */
  encode(text: string, options?: { readonly addSpecialTokens?: boolean }): Array<number>
  /** Text of `ids`; special tokens are kept unless `skipSpecialTokens` is true. */
  decode(ids: ReadonlyArray<number>, options?: { readonly skipSpecialTokens?: boolean }): string
  /** Ids of `text` as it appears right after a prompt (e.g. " yes" after "Answer:"), no special tokens. */
  continuationIds(text: string): Array<number>
}

// tokenizer.json is handed to @huggingface/tokenizers whole; check only what it cannot do without.
// It implements these model types, and guesses one from the vocabulary for any other name
// (a WordLevel tokenizer would silently become a Unigram one): other types are refused.
const modelTypes = ["BPE", "WordPiece", "Unigram"] as const

const TokenizerJson = Schema.Struct({
  model: Schema.Struct({ type: Schema.Literals(modelTypes) }).pipe(
    Schema.annotateKey({ messageMissingKey: "missing the tokenizer model, expected { type, vocab, ... }" }),
  ),
})

const TokenizerConfig = Schema.Struct({
  bos_token: Schema.optional(TokenName),
  eos_token: Schema.optional(TokenName),
  pad_token: Schema.optional(TokenName),
})

// Text encoded on its own can get different ids than inside a prompt (a normaliser may treat
// the start of input specially). Encoding it after this anchor and dropping the anchor's ids
// gives the ids it has after a prompt ending like "Answer:".
const CONTINUATION_ANCHOR = ":"

const startsWith = (ids: ReadonlyArray<number>, prefix: ReadonlyArray<number>): boolean =>
  prefix.length <= ids.length && prefix.every((id, i) => ids[i] === id)

const wrap = (hf: HfTokenizer, special: { bosId?: number; eosId?: number; padId?: number }): Tokenizer => {
  const encode = (text: string, options: { readonly addSpecialTokens?: boolean } = {}): Array<number> =>
    hf.encode(text, { add_special_tokens: options.addSpecialTokens ?? true }).ids
  const anchorIds = encode(CONTINUATION_ANCHOR, { addSpecialTokens: false })
  return {
    vocabSize: [...hf.get_vocab(true).values()].reduce((max, id) => Math.max(max, id), -1) + 1,
    bosId: special.bosId,
    eosId: special.eosId,
    padId: special.padId ?? special.eosId ?? 0,
    encode,
    // The library rejects an empty id list; its text is simply empty.
    decode: (ids, options = {}) => (ids.length === 0 ? "" : hf.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? false })),
    continuationIds: (text) => {
      const withAnchor = encode(CONTINUATION_ANCHOR + text, { addSpecialTokens: false })
      // If the anchor merged into the text there is no clean boundary: encode the text alone.
      return startsWith(withAnchor, anchorIds) ? withAnchor.slice(anchorIds.length) : encode(text, { addSpecialTokens: false })
    },
  }
}

/** Loads `dir/tokenizer.json` and the optional `dir/tokenizer_config.json` (special tokens). */
export const loadTokenizer = (dir: string): Effect.Effect<Tokenizer, TokenizerFileError> =>
  Effect.gen(function* () {
    const jsonPath = join(dir, "tokenizer.json")
    const configPath = join(dir, "tokenizer_config.json")
    const json = yield* readJson(jsonPath)
    yield* decodeFile(TokenizerJson, jsonPath, json)
    const rawConfig = (yield* readOptionalJson(configPath)) ?? {}
    const config = yield* decodeFile(TokenizerConfig, configPath, rawConfig)
    const hf = yield* Effect.try({
      try: () => new HfTokenizer(json as object, rawConfig as object),
      catch: (e) => new TokenizerFileError({ source: jsonPath, detail: `cannot build a tokenizer from it: ${(e as Error).message}` }),
    })
    const idOf = (field: "bos_token" | "eos_token" | "pad_token") => {
      const name = config[field]
      if (name === undefined || name === null) return Effect.succeed(undefined)
      const content = tokenContent(name)
      const id = hf.token_to_id(content)
      return id === undefined
        ? Effect.fail(new TokenizerFileError({ source: configPath, detail: `${field} ${JSON.stringify(content)} is not in tokenizer.json's vocabulary` }))
        : Effect.succeed(id)
    }
    return wrap(hf, { bosId: yield* idOf("bos_token"), eosId: yield* idOf("eos_token"), padId: yield* idOf("pad_token") })
  })
