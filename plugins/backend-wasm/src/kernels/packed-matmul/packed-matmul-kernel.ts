// The packed-weight matmul as a tfjs kernel for the "wasm" backend: x (and the bias) are read from
// tfjs-wasm's heap, multiplied in packed-matmul.wasm's own memory by a frozen weight that stays
// NF4 codes or bf16 bits (an attribute, never a tensor), and the product is copied into a new
// tensor. @peftlab/models calls it by name (frozen/packed-matmul-op.ts), so neither package
// imports the other: the name and the attributes below are the contract.
import type * as tf from "@tensorflow/tfjs"
import type { PackedMatMulModule, PackedWeight } from "./packed-matmul-module.ts"

/** The kernel's name in tfjs's registry; @peftlab/models' packedMatMulKernelName. */
export const packedMatMulKernelName = "PeftlabPackedMatMul"

/** Attributes: the weight as its SharedMatrix describes it, and which product. */
export interface PackedMatMulAttrs {
  readonly weight: PackedWeight
  /** true: y = x · Wᵀ (x [m, cols] → [m, rows]); false: y = x · W (x [m, rows] → [m, cols]). */
  readonly transposeWeight: boolean
}

/** What the kernel reads of tfjs-backend-wasm's backend (its BackendWasm class). */
interface WasmHeapBackend {
  readonly dataIdMap: { get(dataId: tf.TensorInfo["dataId"]): { memoryOffset: number } }
  readonly wasm: { readonly HEAPF32: Float32Array }
  makeOutput(shape: ReadonlyArray<number>, dtype: tf.DataType): tf.TensorInfo
}

/** Float32 values of `t` as a view of the heap (valid until the heap next grows). */
const heapView = (backend: WasmHeapBackend, t: tf.TensorInfo): Float32Array => {
  const start = backend.dataIdMap.get(t.dataId).memoryOffset / 4
  return backend.wasm.HEAPF32.subarray(start, start + t.shape.reduce((a, b) => a * b, 1))
}

/** The kernel config over an instantiated module (see loadPackedMatMul). */
export const packedMatMulKernel = (module: PackedMatMulModule): tf.KernelConfig => ({
  kernelName: packedMatMulKernelName,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { x, bias } = inputs as { x: tf.TensorInfo; bias?: tf.TensorInfo }
    const { weight, transposeWeight } = attrs as unknown as PackedMatMulAttrs
    const heap = backend as unknown as WasmHeapBackend
    if (x.shape.length !== 2 || x.dtype !== "float32") throw new TypeError(`${packedMatMulKernelName}: x must be a 2-D float32 tensor, got ${x.dtype} [${x.shape}]`)
    const m = x.shape[0]!
    const product = module.run({ weight, transposeWeight, x: heapView(heap, x), m, ...(bias && { bias: heapView(heap, bias) }) })
    const out = heap.makeOutput([m, transposeWeight ? weight.shape[0] : weight.shape[1]], "float32")
    // Read the heap after allocating: growing the memory replaces its buffer.
    heap.wasm.HEAPF32.set(product, heap.dataIdMap.get(out.dataId).memoryOffset / 4)
    return out
  },
})
