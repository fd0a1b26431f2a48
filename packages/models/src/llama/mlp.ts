// Llama's SwiGLU feed-forward block: down(silu(gate(x)) * up(x)).
import * as tf from "@tensorflow/tfjs"
import type { Linear } from "../layers/linear.ts"

export interface MlpModules {
  readonly gate: Linear
  readonly up: Linear
  readonly down: Linear
}

export const mlp = (x: tf.Tensor3D, { gate, up, down }: MlpModules): tf.Tensor3D =>
  tf.tidy(() => {
    const g = gate.apply(x)
    return down.apply(g.mul(tf.sigmoid(g)).mul(up.apply(x))) as tf.Tensor3D
  })
