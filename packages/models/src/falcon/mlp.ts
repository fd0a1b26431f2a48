// Falcon's feed-forward block: dense_4h_to_h(gelu(dense_h_to_4h(x))), gelu the exact erf form.
import * as tf from "@tensorflow/tfjs"
import type { Linear } from "../layers/linear.ts"
import { activations } from "../bert/activation.ts"

export interface MlpModules {
  readonly up: Linear
  readonly down: Linear
}

export const mlp = (x: tf.Tensor3D, { up, down }: MlpModules): tf.Tensor3D => tf.tidy(() => down.apply(activations.gelu(up.apply(x))) as tf.Tensor3D)
