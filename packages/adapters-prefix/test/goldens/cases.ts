// The prefix-tuning goldens against PEFT (see @peftlab/testkit/peft-goldens): prefixes PEFT makes,
// without and with prefix_projection, on multi-head (Llama with as many key/value heads as heads,
// GPT-2), grouped-query (Llama) and multi-query attention (Falcon-7B's form, for which PEFT is told
// the single key/value head: it reads num_key_value_heads, which FalconConfig does not have) and on
// T5; and prefixes peftlab makes from a seed that PEFT loads.
import { Rng } from "@peftlab/core"
import type { BaseModel } from "@peftlab/models"
import { goldenBases, paddedBatch, seq2seqBatch, type GoldenBase, type PeftlabMadeCase, type PeftMadeCase } from "@peftlab/testkit/peft-goldens"
import { createPrefixTuning, type PrefixTuningConfig } from "../../src/index.ts"

const { llama: llamaGqa, llamaMha, gpt2, t5, falconMqa } = goldenBases

const causal = { task_type: "CAUSAL_LM", num_virtual_tokens: 3 }
const prefixCase = (name: string, base: GoldenBase, config: Record<string, unknown>, seed: number): PeftMadeCase => ({
  name,
  base,
  batch: base.architecture === "t5" ? seq2seqBatch : paddedBatch,
  method: "PREFIX_TUNING",
  config,
  seed,
})

export const peftMade: ReadonlyArray<PeftMadeCase> = [
  prefixCase("prefix-llama-mha", llamaMha, causal, 61),
  prefixCase("prefix-llama-gqa", llamaGqa, causal, 62),
  prefixCase("prefix-llama-gqa-projection", llamaGqa, { ...causal, prefix_projection: true, encoder_hidden_size: 16 }, 63),
  prefixCase("prefix-gpt2", gpt2, causal, 64),
  prefixCase("prefix-falcon-mqa", falconMqa, { ...causal, num_attention_heads: 1, token_dim: 8 }, 65),
  prefixCase("prefix-t5", t5, { task_type: "SEQ_2_SEQ_LM", num_virtual_tokens: 3 }, 66),
  // Three layers: PEFT's regrouping then gives each layer different entries (0-1, 4-5, 2-3).
  prefixCase("prefix-t5-three-layers", { architecture: "t5", overrides: { num_layers: 3 }, seed: 9 }, { task_type: "SEQ_2_SEQ_LM", num_virtual_tokens: 2 }, 67),
]

const madePrefix = (config: PrefixTuningConfig, seed: number) => (model: BaseModel) => createPrefixTuning(model, config, Rng.seeded(seed))

export const peftlabMade: ReadonlyArray<PeftlabMadeCase> = [
  { name: "peftlab-prefix-llama-gqa", base: llamaGqa, batch: paddedBatch, create: madePrefix({ numVirtualTokens: 3 }, 71) },
  { name: "peftlab-prefix-llama-gqa-projection", base: llamaGqa, batch: paddedBatch, create: madePrefix({ numVirtualTokens: 4, prefixProjection: true, encoderHiddenSize: 10 }, 72) },
  { name: "peftlab-prefix-gpt2", base: gpt2, batch: paddedBatch, create: madePrefix({ numVirtualTokens: 2 }, 73) },
  { name: "peftlab-prefix-falcon-mqa", base: falconMqa, batch: paddedBatch, create: madePrefix({ numVirtualTokens: 3 }, 74) },
  { name: "peftlab-prefix-t5", base: t5, batch: seq2seqBatch, create: madePrefix({ numVirtualTokens: 3 }, 75) },
]
