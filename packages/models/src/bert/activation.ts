// BERT's feed-forward activations by config.json's hidden_act, as transformers' ACT2FN:
// "gelu" is the exact x Φ(x) = x/2 (1 + erf(x/√2)), not the tanh approximation ("gelu_new").
import * as tf from "@tensorflow/tfjs"
import { geluNew } from "../gpt2/gelu-new.ts"
import type { BertActivation } from "./config.ts"

const gelu = (x: tf.Tensor): tf.Tensor => tf.tidy(() => x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5))

export const activations: Record<BertActivation, (x: tf.Tensor) => tf.Tensor> = { gelu, gelu_new: geluNew, relu: tf.relu }
