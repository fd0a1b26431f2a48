// UnsortedSegmentSum, which tfjs-backend-wasm 4.22 lacks: the gradient of tf.gather with
// respect to the gathered table, so training an embedding matrix (full fine-tuning) needs
// it. A plain loop over the wasm heap: rows of x summed into their segment's row.
import type * as tf from "@tensorflow/tfjs"

interface WasmHeapBackend {
  readSync(dataId: tf.TensorInfo["dataId"]): ArrayLike<number>
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo
  typedArrayFromHeap(info: tf.TensorInfo): { [index: number]: number; fill(value: number): unknown }
}

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: "UnsortedSegmentSum",
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo }
    const numSegments = (attrs as { numSegments: number }).numSegments
    const heap = backend as unknown as WasmHeapBackend
    // Segment ids index x's leading dimensions; each id owns a row of the remaining ones.
    const idCount = segmentIds.shape.reduce((a, b) => a * b, 1)
    const rowShape = x.shape.slice(segmentIds.shape.length)
    const row = rowShape.reduce((a, b) => a * b, 1)
    const values = heap.readSync(x.dataId)
    const ids = heap.readSync(segmentIds.dataId)
    const out = heap.makeOutput([numSegments, ...rowShape], x.dtype)
    const sums = heap.typedArrayFromHeap(out)
    sums.fill(0)
    for (let i = 0; i < idCount; i++) {
      const segment = ids[i] as number
      // As TensorFlow: ids outside [0, numSegments) are dropped.
      if (segment < 0 || segment >= numSegments) continue
      for (let k = 0; k < row; k++) sums[segment * row + k]! += values[i * row + k] as number
    }
    return out
  },
}
