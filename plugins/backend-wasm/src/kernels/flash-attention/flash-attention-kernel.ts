// Fused attention and its gradient as tfjs kernels for the "wasm" backend, on flash-attention.wasm
// (c/flash-attention.c), which works in tfjs-wasm's heap. @peftlab/gpu-kernels' flashAttention op
// runs the forward kernel by name whenever the backend has it (its WGSL kernel has the same name
// on webgpu), and its registered gradient runs the gradient kernel on the log-sum-exp the forward
// kernel returns as its second output: the names, inputs, outputs and attributes are the contract.
import type * as tf from "@tensorflow/tfjs"
import { expectFloat32, heapAddress, heapFloat32Output, type HeapKernelModule } from "../heap-module.ts"
import { withHeapScratch } from "./heap-scratch.ts"

/** Inputs q [B, H, Tq, D], k and v [B, Hkv, Tk, D], mask [B, Tk]; attributes scale, past, causal; outputs [B, H, Tq, D] and the log-sum-exp [B, H, Tq]. */
export const flashAttentionKernelName = "PeftlabFlashAttention"
/** Inputs dy, q, k, v, mask, output and logSumExp (the forward's); the same attributes; outputs dq, dk, dv and dmask. */
export const flashAttentionGradKernelName = "PeftlabFlashAttentionGrad"

type Pointer = number
/** The size arguments of both C functions (causal as 0 or 1), as the kernels read them from their inputs and attributes. */
export type FlashAttentionSizes = [batch: number, heads: number, kvHeads: number, queries: number, keys: number, dim: number, past: number, causal: number, scale: number]
type Sizes = FlashAttentionSizes

export interface FlashAttentionExports {
  flash_attention_scratch_floats(keys: number, dim: number): number
  flash_attention(q: Pointer, k: Pointer, v: Pointer, mask: Pointer, out: Pointer, lse: Pointer, scratch: Pointer, ...sizes: Sizes): void
  flash_attention_grad_scratch_floats(keys: number, dim: number): number
  flash_attention_grad(
    dy: Pointer, q: Pointer, k: Pointer, v: Pointer, mask: Pointer, out: Pointer, lse: Pointer,
    dq: Pointer, dk: Pointer, dv: Pointer, dMask: Pointer, scratch: Pointer, ...sizes: Sizes
  ): void
}

/** flash-attention.wasm, shipped beside this file. */
export const flashAttentionWasmUrl = new URL("./flash-attention.wasm", import.meta.url)

/** The C functions' size arguments, once the inputs' shapes agree (as the op checks them). */
const checkedSizes = (kernelName: string, { q, k, v, mask }: Record<string, tf.TensorInfo>, attrs: tf.NamedAttrMap): Sizes => {
  const [batch, heads, queries, dim] = q!.shape as [number, number, number, number]
  const [kvHeads, keys] = [k!.shape[1]!, k!.shape[2]!]
  const agree = q!.shape.length === 4 && k!.shape.join() === v!.shape.join() && k!.shape.join() === [batch, kvHeads, keys, dim].join() && heads % kvHeads === 0
  if (!agree || mask!.shape.join() !== [batch, keys].join()) {
    throw new TypeError(`${kernelName}: expected q [B, H, Tq, D], k and v [B, Hkv dividing H, Tk, D], mask [B, Tk]; got q [${q!.shape}], k [${k!.shape}], v [${v!.shape}], mask [${mask!.shape}]`)
  }
  return [batch, heads, kvHeads, queries, keys, dim, attrs.past as number, attrs.causal === true ? 1 : 0, attrs.scale as number]
}

/** The forward kernel's size arguments from its inputs and attributes; a TypeError unless they are float32 and their shapes agree. */
export const flashAttentionSizes = (inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): Sizes => {
  const tensors = inputs as Record<string, tf.TensorInfo>
  expectFloat32(flashAttentionKernelName, tensors)
  return checkedSizes(flashAttentionKernelName, tensors, attrs)
}

/** The gradient kernel's size arguments, also checking that dy and output have q's shape and logSumExp [B, H, Tq]. */
export const flashAttentionGradSizes = (inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): Sizes => {
  const tensors = inputs as Record<string, tf.TensorInfo>
  expectFloat32(flashAttentionGradKernelName, tensors)
  const { dy, q, output, logSumExp } = tensors
  const sizes = checkedSizes(flashAttentionGradKernelName, tensors, attrs)
  if (dy!.shape.join() !== q!.shape.join() || output!.shape.join() !== q!.shape.join() || logSumExp!.shape.join() !== q!.shape.slice(0, 3).join()) {
    throw new TypeError(`${flashAttentionGradKernelName}: dy and output must be q's shape [${q!.shape}] and logSumExp [${q!.shape.slice(0, 3)}]; got [${dy!.shape}], [${output!.shape}], [${logSumExp!.shape}]`)
  }
  return sizes
}

/** Both kernel configs over the compiled module. */
export const flashAttentionKernels = (module: HeapKernelModule<FlashAttentionExports>): ReadonlyArray<tf.KernelConfig> => [
  {
    kernelName: flashAttentionKernelName,
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs, backend }) => {
      const sizes = flashAttentionSizes(inputs, attrs!)
      const { q, k, v, mask } = inputs as Record<string, tf.TensorInfo>
      const kernel = module.on(backend)
      const [out, lse] = [heapFloat32Output(backend, q!.shape), heapFloat32Output(backend, q!.shape.slice(0, 3))]
      const at = (t: tf.TensorInfo) => heapAddress(backend, t)
      withHeapScratch(backend, kernel.flash_attention_scratch_floats(sizes[4], sizes[5]), (scratch) =>
        kernel.flash_attention(at(q!), at(k!), at(v!), at(mask!), at(out), at(lse), scratch, ...sizes),
      )
      return [out, lse]
    },
  },
  {
    kernelName: flashAttentionGradKernelName,
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs, backend }) => {
      const sizes = flashAttentionGradSizes(inputs, attrs!)
      const { dy, q, k, v, mask, output, logSumExp } = inputs as Record<string, tf.TensorInfo>
      const kernel = module.on(backend)
      const [dq, dk, dv, dMask] = [q!, k!, v!, mask!].map((t) => heapFloat32Output(backend, t.shape)) as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo, tf.TensorInfo]
      const at = (t: tf.TensorInfo) => heapAddress(backend, t)
      withHeapScratch(backend, kernel.flash_attention_grad_scratch_floats(sizes[4], sizes[5]), (scratch) =>
        kernel.flash_attention_grad(at(dy!), at(q!), at(k!), at(v!), at(mask!), at(output!), at(logSumExp!), at(dq), at(dk), at(dv), at(dMask), scratch, ...sizes),
      )
      return [dq, dk, dv, dMask]
    },
  },
]
