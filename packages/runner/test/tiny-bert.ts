// A test-sized random BERT encoder beside bert-tiny's real WordPiece tokenizer (from
// PEFTLAB_MODELS), for the tests that need an encoder: span extraction's and BERTScore's.
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { writeRandomCheckpoint } from "@peftlab/models"

export const sharedModels = process.env.PEFTLAB_MODELS

/** bert-tiny's config narrowed to hidden size 32 (2 layers), random weights of seed 5, in a temporary folder. */
export const tinyBert = async (): Promise<string> => {
  const source = join(sharedModels ?? "", "bert-tiny")
  const dir = mkdtempSync(join(tmpdir(), "peftlab-bert-"))
  const config = JSON.parse(readFileSync(join(source, "config.json"), "utf8")) as Record<string, unknown>
  await Effect.runPromise(writeRandomCheckpoint(dir, { ...config, hidden_size: 32, intermediate_size: 64, max_position_embeddings: 72 }, 5))
  for (const file of ["tokenizer.json", "tokenizer_config.json"]) copyFileSync(join(source, file), join(dir, file))
  return dir
}
