// The P-tuning goldens against PEFT (see @peftlab/testkit/peft-goldens; written by
// node tools/goldens/ptuning.ts): adapters PEFT makes with its MLP and LSTM prompt encoders on
// Llama, GPT-2 and T5 (virtual tokens before the encoder's input only: num_transformer_submodules
// 1, and PEFT's default 2, whose encoder runs over both sets of rows and whose forward reads the
// first), each saved with its encoder's parameters beside it (encoders/<case>.safetensors) so
// peftlab's encoder is checked against PEFT's output; and adapters peftlab makes from a seed, some
// trained a few steps through the encoder (LSTM dropout on), some folded, that PEFT loads. PEFT's
// prompt-learning forward ignores position ids, so the batches are unpadded.
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { causalLogits } from "@peftlab/adapters-base"
import { Rng } from "@peftlab/core"
import type { BaseModel, CausalLM } from "@peftlab/models"
import { goldenBases, seq2seqBatch, unpaddedBatch, type PeftlabMadeCase, type PeftMadeCase } from "@peftlab/testkit/peft-goldens"
import { createPTuning, type PTuning, type PTuningConfig } from "../../src/index.ts"

const { llama, gpt2, t5 } = goldenBases

/** PEFT's parameters of a PEFT-made case's prompt encoder, by torch name. */
export const encoderFile = (name: string): string => join(import.meta.dirname, "encoders", `${name}.safetensors`)

const causal = { task_type: "CAUSAL_LM" }
const seq2seq = { task_type: "SEQ_2_SEQ_LM" }

export const peftMade: ReadonlyArray<PeftMadeCase> = [
  { name: "ptuning-llama-mlp", base: llama, batch: unpaddedBatch, method: "P_TUNING", config: { ...causal, num_virtual_tokens: 4, encoder_hidden_size: 16 }, seed: 61 },
  {
    name: "ptuning-llama-lstm",
    base: llama,
    batch: unpaddedBatch,
    method: "P_TUNING",
    config: { ...causal, num_virtual_tokens: 5, encoder_reparameterization_type: "LSTM", encoder_hidden_size: 12, encoder_num_layers: 2, encoder_dropout: 0.1 },
    seed: 62,
  },
  // encoder_hidden_size left to PEFT's default, the model's width.
  { name: "ptuning-gpt2-mlp", base: gpt2, batch: unpaddedBatch, method: "P_TUNING", config: { ...causal, num_virtual_tokens: 3 }, seed: 63 },
  { name: "ptuning-t5-mlp", base: t5, batch: seq2seqBatch, method: "P_TUNING", config: { ...seq2seq, num_virtual_tokens: 4, num_transformer_submodules: 1 }, seed: 64 },
  // PEFT's default for T5: two sets of rows, the LSTM over all six, the first three before the encoder's input.
  {
    name: "ptuning-t5-lstm-two-submodules",
    base: t5,
    batch: seq2seqBatch,
    method: "P_TUNING",
    config: { ...seq2seq, num_virtual_tokens: 3, encoder_reparameterization_type: "LSTM", encoder_num_layers: 1, encoder_hidden_size: 8 },
    seed: 65,
  },
]

/** Made from `seed`, then `steps` Adam steps through the encoder (training mode: the LSTM's dropout on), then folded if asked. */
const made =
  (config: PTuningConfig, seed: number, after: { steps?: number; fold?: boolean } = {}) =>
  (model: BaseModel): PTuning => {
    const adapter = createPTuning(model, config, Rng.seeded(seed))
    if (after.steps) {
      const ids = tf.tensor2d(unpaddedBatch.ids as number[][], undefined, "int32")
      const mask = tf.tensor2d(unpaddedBatch.mask as number[][], undefined, "int32")
      const optimizer = tf.train.adam(0.05)
      adapter.setTraining?.(true)
      for (let step = 0; step < after.steps; step++) {
        // Any loss that moves every parameter: the logits' mean square.
        optimizer.minimize(() => tf.mean(tf.square(causalLogits(model as CausalLM, adapter, ids, mask))) as tf.Scalar, false, [...adapter.trainable])
      }
      adapter.setTraining?.(false)
      optimizer.dispose()
      tf.dispose([ids, mask])
    }
    if (after.fold) adapter.foldEncoder()
    return adapter
  }

export const peftlabMade: ReadonlyArray<PeftlabMadeCase> = [
  { name: "peftlab-ptuning-llama-mlp", base: llama, batch: unpaddedBatch, create: made({ numVirtualTokens: 4, encoderReparameterizationType: "MLP", encoderHiddenSize: 16 }, 71) },
  {
    name: "peftlab-ptuning-llama-lstm-trained",
    base: llama,
    batch: unpaddedBatch,
    create: made({ numVirtualTokens: 4, encoderReparameterizationType: "LSTM", encoderHiddenSize: 8, encoderNumLayers: 2, encoderDropout: 0.1 }, 72, { steps: 3 }),
  },
  {
    name: "peftlab-ptuning-gpt2-mlp-trained-folded",
    base: gpt2,
    batch: unpaddedBatch,
    create: made({ numVirtualTokens: 3, encoderReparameterizationType: "MLP" }, 73, { steps: 3, fold: true }),
  },
  { name: "peftlab-ptuning-t5-lstm", base: t5, batch: seq2seqBatch, create: made({ numVirtualTokens: 3, encoderReparameterizationType: "LSTM", encoderNumLayers: 1 }, 74) },
]
