// Llama's SwiGLU feed-forward block: down(silu(gate(x)) * up(x)). The gated product is one op
// with its own gradient, keeping only gate(x) and up(x) for the backward pass (tfjs's tape
// would also keep the sigmoid and both products).
import * as tf from "@tensorflow/tfjs"
import type { Linear } from "../layers/linear.ts"

export interface MlpModules {
  readonly gate: Linear
  readonly up: Linear
  readonly down: Linear
}

/** silu(g) * u */
const swiGlu = tf.customGrad((...args) => {
  const [g, u, save] = args as unknown as [tf.Tensor, tf.Tensor, tf.GradSaveFunc]
  save([g, u])
  return {
    value: g.mul(tf.sigmoid(g)).mul(u),
    gradFunc: (dy: tf.Tensor, saved: Array<tf.Tensor>) =>
      tf.tidy(() => {
        const [sg, su] = saved as [tf.Tensor, tf.Tensor]
        const s = tf.sigmoid(sg)
        // silu'(g) = s (1 + g (1 - s))
        const dSilu = s.mul(sg.mul(s.neg().add(1)).add(1))
        return [dy.mul(su).mul(dSilu), dy.mul(sg).mul(s)]
      }),
  }
})

export const mlp = (x: tf.Tensor3D, { gate, up, down }: MlpModules): tf.Tensor3D =>
  tf.tidy(() => down.apply(swiGlu(gate.apply(x), up.apply(x))) as tf.Tensor3D)
