// The packed-weight matmul as a tfjs kernel for the "wasm" backend: x (and the bias) are read from
// tfjs-wasm's heap, multiplied in packed-matmul.wasm's own memory by a frozen weight that stays
// NF4 codes or bf16 bits (an attribute, never a tensor), and the product is copied into a new
// tensor. @peftlab/models calls it by name (frozen/packed-matmul-op.ts), so neither package
// imports the other: the name and the attributes below are the contract.
import type * as tf from "@tensorflow/tfjs"
import { heapOutput, heapView, type WasmHeapBackend } from "../tfjs-heap.ts"
import type { PackedMatMulModule, PackedWeight } from "./packed-matmul-module.ts"

/** The kernel's name in tfjs's registry; @peftlab/models' packedMatMulKernelName. */
export const packedMatMulKernelName = "PeftlabPackedMatMul"

/** Attributes: the weight as its SharedMatrix describes it, and which product. */
export interface PackedMatMulAttrs {
  readonly weight: PackedWeight
  /** true: y = x · Wᵀ (x [m, cols] → [m, rows]); false: y = x · W (x [m, rows] → [m, cols]). */
  readonly transposeWeight: boolean
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
    return heapOutput(heap, [m, transposeWeight ? weight.shape[0] : weight.shape[1]], product)
  },
})
