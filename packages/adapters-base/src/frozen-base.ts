// The "base" arm: the frozen model with nothing added, so it trains nothing.
import type * as tf from "@tensorflow/tfjs"
import type { Adapter } from "./adapter.ts"

export const frozenBase = (): Adapter => ({
  peftType: "NONE",
  trainable: [],
  inject: () => ({}),
  peftConfig: () => ({}),
  peftTensors: () => new Map<string, tf.Tensor>(),
  dispose: () => {},
})
