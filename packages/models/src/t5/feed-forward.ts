// T5's feed-forward blocks (HF T5DenseActDense and T5DenseGatedActDense):
// "relu": wo(relu(wi(x))); "gated-gelu" (T5 v1.1, FLAN-T5): wo(gelu_new(wi_0(x)) * wi_1(x)).
import * as tf from "@tensorflow/tfjs"
import type { Linear } from "../layers/linear.ts"
import type { FeedForwardKind } from "./config.ts"

/** HF's gelu_new: the tanh approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x³))). */
export const geluNew = (x: tf.Tensor): tf.Tensor =>
  tf.tidy(() => x.mul(0.5).mul(tf.tanh(x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI))).add(1)))

/** `module(p)` gives the projection named p ("wi", "wi_0", "wi_1", "wo"). */
export const feedForward = (x: tf.Tensor3D, kind: FeedForwardKind, module: (projection: string) => Linear): tf.Tensor3D =>
  tf.tidy(() => {
    const hidden = kind === "relu" ? tf.relu(module("wi").apply(x)) : geluNew(module("wi_0").apply(x)).mul(module("wi_1").apply(x))
    return module("wo").apply(hidden) as tf.Tensor3D
  })
