// Llama's SwiGLU feed-forward block: down(silu(gate(x)) * up(x)). The gated product is
// @peftlab/gpu-kernels' swiGlu: one pass where the backend has the kernel (the wasm plugin's),
// else composed ops with their own gradient, keeping only gate(x) and up(x) for the backward pass.
import * as tf from "@tensorflow/tfjs"
import { swiGlu } from "@peftlab/gpu-kernels"
import type { Linear } from "../layers/linear.ts"

export interface MlpModules {
  readonly gate: Linear
  readonly up: Linear
  readonly down: Linear
}

export const mlp = (x: tf.Tensor3D, { gate, up, down }: MlpModules): tf.Tensor3D =>
  tf.tidy(() => down.apply(swiGlu(gate.apply(x), up.apply(x))) as tf.Tensor3D)
