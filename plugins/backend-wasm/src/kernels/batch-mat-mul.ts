// BatchMatMul made fast. tfjs-backend-wasm 4.22 runs only one case on XNNPACK: a single pair of
// untransposed matrices. A transposed operand goes through a plain loop, 20-30x slower (every
// linear layer multiplies by a transposed [out, in] weight, every weight gradient by a transposed
// activation), and so does any batch of matrices, 5-12x slower on attention's shapes
// ([32,512,8]x[32,8,256]: 167 ms against 32 ms as 32 single products). So operands are
// transposed first (cheap, memory-bound), and a batch is split into single products whose
// inputs and outputs are copied within the heap.
import * as tf from "@tensorflow/tfjs"

/** What this kernel reads of tfjs-backend-wasm's backend (its BackendWasm class). */
interface WasmBackend {
  readonly dataIdMap: { get(dataId: tf.TensorInfo["dataId"]): { memoryOffset: number } }
  readonly wasm: { readonly HEAPF32: Float32Array }
  makeOutput(shape: ReadonlyArray<number>, dtype: tf.DataType): tf.TensorInfo
  disposeData(dataId: tf.TensorInfo["dataId"]): boolean
}

type KernelArgs = Parameters<tf.KernelConfig["kernelFunc"]>[0]

/** The matrix transpose (last two axes) of `x` by the backend's own Transpose kernel. */
const transposed = (transpose: tf.KernelConfig, x: tf.TensorInfo, backend: KernelArgs["backend"]): tf.TensorInfo => {
  const perm = x.shape.map((_, i) => i)
  const last = perm.length - 1
  ;[perm[last - 1], perm[last]] = [perm[last]!, perm[last - 1]!]
  return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo
}

/** Float offset of a tensor's first value in the heap. */
const offsetOf = (backend: WasmBackend, x: tf.TensorInfo): number => backend.dataIdMap.get(x.dataId).memoryOffset / 4

/** For each matrix of the broadcast batch `outer`, the index of the matrix it reads in an operand with batch axes `dims`. */
export const broadcastIndices = (outer: ReadonlyArray<number>, dims: ReadonlyArray<number>): Array<number> => {
  const aligned = [...Array(outer.length - dims.length).fill(1), ...dims] as Array<number>
  const total = tf.util.sizeFromShape(outer as Array<number>)
  return Array.from({ length: total }, (_, flat) => {
    let index = 0
    let rest = flat
    let stride = 1
    for (let axis = outer.length - 1; axis >= 0; axis--) {
      const size = outer[axis]!
      const coordinate = rest % size
      rest = Math.floor(rest / size)
      if (aligned[axis] !== 1) index += coordinate * stride
      stride *= aligned[axis]!
    }
    return index
  })
}

/** Copies matrix `index` of `source` (matrices of `size` values) into a new 2-D tensor of `shape`. */
const matrixOf = (backend: WasmBackend, source: tf.TensorInfo, index: number, shape: [number, number]): tf.TensorInfo => {
  const size = shape[0] * shape[1]
  const matrix = backend.makeOutput(shape, "float32")
  // Read the heap after allocating: growing the memory replaces its buffer.
  const start = offsetOf(backend, source) + index * size
  backend.wasm.HEAPF32.copyWithin(offsetOf(backend, matrix), start, start + size)
  return matrix
}

/** a · b for untransposed operands: one product for single matrices, else one per matrix of the batch. */
const untransposedProduct = (original: tf.KernelConfig, args: KernelArgs, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo => {
  const single = (x: tf.TensorInfo, y: tf.TensorInfo) =>
    original.kernelFunc({ ...args, inputs: { a: x, b: y }, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as tf.TensorInfo
  const [aDims, bDims] = [a.shape.slice(0, -2), b.shape.slice(0, -2)]
  const outer = tf.backend_util.assertAndGetBroadcastShape(aDims, bDims)
  if (tf.util.sizeFromShape(outer) === 1) return single(a, b)
  const backend = args.backend as unknown as WasmBackend
  const [m, k, n] = [a.shape.at(-2)!, a.shape.at(-1)!, b.shape.at(-1)!]
  const out = backend.makeOutput([...outer, m, n], "float32")
  const [aIndex, bIndex] = [broadcastIndices(outer, aDims), broadcastIndices(outer, bDims)]
  aIndex.forEach((ai, i) => {
    // Fresh inputs per product: tfjs-wasm caches XNNPACK's packed right operand by tensor id.
    const [left, right] = [matrixOf(backend, a, ai, [m, k]), matrixOf(backend, b, bIndex[i]!, [k, n])]
    const product = single(left, right)
    const from = offsetOf(backend, product)
    backend.wasm.HEAPF32.copyWithin(offsetOf(backend, out) + i * m * n, from, from + m * n)
    for (const made of [left, right, product]) backend.disposeData(made.dataId)
  })
  return out
}

/** A BatchMatMul config that gives `original` untransposed single matrices only. */
export const untransposedBatchMatMul = (original: tf.KernelConfig, transpose: tf.KernelConfig): tf.KernelConfig => ({
  ...original,
  kernelFunc: (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo }
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean }
    const left = transposeA ? transposed(transpose, a, args.backend) : a
    const right = transposeB ? transposed(transpose, b, args.backend) : b
    try {
      return untransposedProduct(original, args, left, right)
    } finally {
      for (const made of [left, right].filter((t) => t !== a && t !== b)) (args.backend as unknown as WasmBackend).disposeData(made.dataId)
    }
  },
})
