import type { CharRange } from "./span-sentence.ts"

// BERT's pre-tokenizer (the BasicTokenizer; @huggingface/tokenizers' BertPreTokenizer uses this
// very pattern): runs of characters that are neither whitespace nor punctuation, and single
// punctuation characters, where punctuation is Unicode P* plus ASCII symbols such as $ + < = > ^ ` | ~.
const PUNCTUATION = "\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E"
const WORD = new RegExp(`[^\\s${PUNCTUATION}]+|[${PUNCTUATION}]`, "gu")

/**
 * Character ranges of the words BERT's pre-tokenizer splits `text` into. WordPiece encodes
 * each word on its own, so encoding the words one by one gives the ids of the whole text,
 * and each id belongs to one known word.
 */
export const wordRanges = (text: string): Array<CharRange> =>
  [...text.matchAll(WORD)].map((m) => ({ start: m.index, end: m.index + m[0].length }))
