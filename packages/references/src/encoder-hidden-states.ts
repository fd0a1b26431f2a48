// Runs python/encoder_hidden_states.py (tokenizers, transformers and sentence-transformers) in the
// goldens venv on a real encoder folder: the live side of the pretrained-model checks (all-MiniLM-L6-v2).
import { execFile } from "node:child_process"
import { join } from "node:path"
import { promisify } from "node:util"

const run = promisify(execFile)

export interface EncoderStatesAnswer {
  readonly transformers: string
  readonly torch: string
  readonly tokenizers: string
  readonly sentence_transformers: string
  /** tokenizer.json's ids of each text, [CLS] and [SEP] added, unpadded. */
  readonly ids: ReadonlyArray<ReadonlyArray<number>>
  /** Last hidden states of each text run alone, [time][hidden]. */
  readonly hidden: ReadonlyArray<ReadonlyArray<ReadonlyArray<number>>>
  /** SentenceTransformer(dir).encode(texts): the folder's modules.json pipeline (pooling, normalising). */
  readonly sentence_embedding: ReadonlyArray<ReadonlyArray<number>>
}

/** The Hugging Face stack's ids, float32 hidden states and sentence embeddings of `texts`, in one python process. */
export const encoderHiddenStates = async (python: string, dir: string, texts: ReadonlyArray<string>): Promise<EncoderStatesAnswer> => {
  const child = run(python, [join(import.meta.dirname, "..", "python", "encoder_hidden_states.py")], {
    maxBuffer: 256 << 20,
    env: { ...process.env, HF_HUB_OFFLINE: "1", TOKENIZERS_PARALLELISM: "false" },
  })
  child.child.stdin!.end(JSON.stringify({ dir, texts }))
  const { stdout } = await child
  return JSON.parse(stdout) as EncoderStatesAnswer
}
