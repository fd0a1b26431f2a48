// Where training keeps its copies of the trainable values (the optimizer's two moments and the
// best epoch's values): beside the variables on the backend, or in host memory. The host backends
// (cpu, wasm) hold tensors in host memory anyway, but wasm's in a 4 GB heap: a full fine-tune of
// a 345M-parameter model needs 1.4 GB each for weights and gradients there, and three more copies
// (4.1 GB) would not fit. So above `hostStateThreshold` trainable values, on those backends, the
// copies go to host memory, outside the heap; adapters (thousands to millions of values) keep
// them on the backend.
import * as tf from "@tensorflow/tfjs"

export type StatePlacement = "backend" | "host"

/** Trainable values (16.8M: 64 MB per float32 copy) above which cpu and wasm keep the copies on the host. */
export const hostStateThreshold = 1 << 24

const hostBackends: ReadonlySet<string> = new Set(["cpu", "wasm"])

/** `requested` when given; otherwise host for large trainable sets on the host backends. */
export const statePlacement = (variables: ReadonlyArray<tf.Variable>, requested?: StatePlacement): StatePlacement => {
  if (requested !== undefined) return requested
  const values = variables.reduce((sum, v) => sum + v.size, 0)
  return hostBackends.has(tf.getBackend()) && values > hostStateThreshold ? "host" : "backend"
}
