// Tiny tokenizer folders written to a fresh temp dir, so loader tests need no shared models.
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A lowercase WordPiece tokenizer over a handful of words. */
export const wordPieceJson = {
  version: "1.0",
  added_tokens: [
    { id: 0, content: "[UNK]", special: true, normalized: false, lstrip: false, rstrip: false, single_word: false },
    { id: 1, content: "[PAD]", special: true, normalized: false, lstrip: false, rstrip: false, single_word: false },
    { id: 2, content: "[BOS]", special: true, normalized: false, lstrip: false, rstrip: false, single_word: false },
  ],
  normalizer: { type: "Lowercase" },
  pre_tokenizer: { type: "Whitespace" },
  post_processor: null,
  decoder: { type: "WordPiece", prefix: "##", cleanup: true },
  model: {
    type: "WordPiece",
    unk_token: "[UNK]",
    continuing_subword_prefix: "##",
    max_input_chars_per_word: 100,
    vocab: { "[UNK]": 0, "[PAD]": 1, "[BOS]": 2, hello: 3, world: 4, "##s": 5, ":": 6 },
  },
}

/** Writes the given files (objects as JSON, strings as is) into a new folder and returns it. */
export const tokenizerDir = (files: Record<string, unknown>): string => {
  const dir = mkdtempSync(join(tmpdir(), "peftlab-tokenizers-"))
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === "string" ? content : JSON.stringify(content))
  }
  return dir
}
