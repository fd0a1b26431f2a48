// The prompt-tuning goldens against PEFT (see @peftlab/testkit/peft-goldens): prompts PEFT makes
// with random and with text init (stories260k's tokenizer over a base of its vocabulary size) on
// Llama, GPT-2, multi-query Falcon and T5 (virtual tokens before the encoder's input only: num_transformer_submodules
// 1, and PEFT's default 2, whose second set of rows its forward never reads), and prompts peftlab
// makes from a seed that PEFT loads. PEFT's prompt-tuning forward ignores position ids, so the
// batches are unpadded.
import { Rng } from "@peftlab/core"
import type { BaseModel } from "@peftlab/models"
import { goldenBases, seq2seqBatch, unpaddedBatch, type GoldenBase, type PeftlabMadeCase, type PeftMadeCase } from "@peftlab/testkit/peft-goldens"
import { createPromptTuning, type PromptTuningConfig } from "../../src/index.ts"

const { llama, gpt2, t5, falconMqa } = goldenBases
const llamaStoriesVocab: GoldenBase = { architecture: "llama", overrides: { vocab_size: 512 }, seed: 6 }

export const textInit = { text: "Once upon a time", tokenizer: "packages/quickstart-assets/models/stories260k" }

const causal = { task_type: "CAUSAL_LM", num_virtual_tokens: 4 }

export const peftMade: ReadonlyArray<PeftMadeCase> = [
  { name: "prompt-llama", base: llama, batch: unpaddedBatch, method: "PROMPT_TUNING", config: causal, seed: 41 },
  {
    name: "prompt-llama-text",
    base: llamaStoriesVocab,
    batch: unpaddedBatch,
    method: "PROMPT_TUNING",
    config: { ...causal, num_virtual_tokens: 6, prompt_tuning_init: "TEXT", prompt_tuning_init_text: textInit.text, tokenizer_name_or_path: textInit.tokenizer },
    seed: 42,
  },
  { name: "prompt-gpt2", base: gpt2, batch: unpaddedBatch, method: "PROMPT_TUNING", config: causal, seed: 43 },
  { name: "prompt-falcon-mqa", base: falconMqa, batch: unpaddedBatch, method: "PROMPT_TUNING", config: causal, seed: 46 },
  {
    name: "prompt-t5",
    base: t5,
    batch: seq2seqBatch,
    method: "PROMPT_TUNING",
    config: { task_type: "SEQ_2_SEQ_LM", num_virtual_tokens: 4, num_transformer_submodules: 1 },
    seed: 44,
  },
  // PEFT's default for T5: two sets of rows saved, the first before the encoder's input.
  { name: "prompt-t5-two-submodules", base: t5, batch: seq2seqBatch, method: "PROMPT_TUNING", config: { task_type: "SEQ_2_SEQ_LM", num_virtual_tokens: 3 }, seed: 45 },
]

const madePrompt = (config: PromptTuningConfig, seed: number) => (model: BaseModel) => createPromptTuning(model, config, Rng.seeded(seed))

export const peftlabMade: ReadonlyArray<PeftlabMadeCase> = [
  { name: "peftlab-prompt-llama", base: llama, batch: unpaddedBatch, create: madePrompt({ numVirtualTokens: 4, init: "random" }, 51) },
  {
    name: "peftlab-prompt-llama-text",
    base: llama,
    batch: unpaddedBatch,
    create: madePrompt({ numVirtualTokens: 5, init: "text", initIds: [7, 30, 12], initText: "three tokens", baseModelNameOrPath: "peftlab-tiny-llama-seed-3" }, 52),
  },
  { name: "peftlab-prompt-gpt2", base: gpt2, batch: unpaddedBatch, create: madePrompt({ numVirtualTokens: 3, init: "random" }, 53) },
  { name: "peftlab-prompt-t5", base: t5, batch: seq2seqBatch, create: madePrompt({ numVirtualTokens: 3, init: "random" }, 54) },
]
