// How the plugin's kernels read tensors in tfjs-backend-wasm's heap: the part of its BackendWasm
// class they use, and a tensor's values as a view of that heap.
import type * as tf from "@tensorflow/tfjs"

/** What the kernels read of tfjs-backend-wasm's backend (its BackendWasm class). */
export interface WasmHeapBackend {
  readonly dataIdMap: { get(dataId: tf.TensorInfo["dataId"]): { memoryOffset: number } }
  readonly wasm: { readonly HEAPF32: Float32Array }
  makeOutput(shape: ReadonlyArray<number>, dtype: tf.DataType): tf.TensorInfo
}

/** Float32 values of `t` as a view of the heap (valid until the heap next grows). */
export const heapView = (backend: WasmHeapBackend, t: tf.TensorInfo): Float32Array => {
  const start = backend.dataIdMap.get(t.dataId).memoryOffset / 4
  return backend.wasm.HEAPF32.subarray(start, start + t.shape.reduce((a, b) => a * b, 1))
}

/** A new float32 tensor of `shape` holding `values` (copied in: allocating may grow the heap, so it is read after). */
export const heapOutput = (backend: WasmHeapBackend, shape: ReadonlyArray<number>, values: Float32Array): tf.TensorInfo => {
  const out = backend.makeOutput(shape, "float32")
  backend.wasm.HEAPF32.set(values, backend.dataIdMap.get(out.dataId).memoryOffset / 4)
  return out
}
