// The tokenizer files a Hugging Face model folder may hold beside config.json: what a random
// checkpoint copies from a real model's folder, so a spec can point at it.
import { copyFileSync, existsSync } from "node:fs"
import { join } from "node:path"

export const tokenizerFiles = [
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "generation_config.json",
  "spiece.model",
  "vocab.txt",
  "vocab.json",
  "merges.txt",
]

/** Copies the tokenizer files `from` holds into `to`; returns the names copied. */
export const copyTokenizerFiles = (from: string, to: string): Array<string> => {
  const copied = tokenizerFiles.filter((name) => existsSync(join(from, name)))
  for (const name of copied) copyFileSync(join(from, name), join(to, name))
  return copied
}
