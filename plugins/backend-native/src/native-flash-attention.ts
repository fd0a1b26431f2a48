// Fused attention and its gradient for the native backend: the wasm plugin's two kernels
// (PeftlabFlashAttention, PeftlabFlashAttentionGrad: the same names, inputs, outputs and
// attributes, checked by the wasm plugin's own functions, so @peftlab/gpu-kernels' flashAttention
// op and its registered gradient run them unchanged) on @peftlab/native-gemm's AVX-512/AVX2
// attention, in place in tfjs-wasm's heap: inputs are read and outputs written where tfjs keeps
// them, with no copies.
import type * as tf from "@tensorflow/tfjs"
import {
  flashAttentionGradKernelName,
  flashAttentionGradSizes,
  flashAttentionKernelName,
  flashAttentionSizes,
  heapView,
  type FlashAttentionSizes,
  type WasmHeapBackend,
} from "@peftlab/backend-wasm"
import type { AttentionSizes, NativeGemm } from "@peftlab/native-gemm"

const attentionSizes = ([batch, heads, kvHeads, queries, keys, dim, past, causal, scale]: FlashAttentionSizes): AttentionSizes => ({
  batch, heads, kvHeads, queries, keys, dim, past, causal: causal === 1, scale,
})

/** Both kernels on `native()` (the backend's current addon). */
export const nativeFlashAttention = (native: () => NativeGemm): ReadonlyArray<tf.KernelConfig> => [
  {
    kernelName: flashAttentionKernelName,
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs, backend }) => {
      const sizes = attentionSizes(flashAttentionSizes(inputs, attrs!))
      const { q, k, v, mask } = inputs as Record<string, tf.TensorInfo>
      const heap = backend as unknown as WasmHeapBackend
      // Allocated before any view is taken: growing the heap would detach earlier views.
      const [out, lse] = [heap.makeOutput(q!.shape, "float32"), heap.makeOutput(q!.shape.slice(0, 3), "float32")]
      const at = (t: tf.TensorInfo) => heapView(heap, t)
      native().flashAttention(at(q!), at(k!), at(v!), at(mask!), at(out), at(lse), sizes)
      return [out, lse]
    },
  },
  {
    kernelName: flashAttentionGradKernelName,
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs, backend }) => {
      const sizes = attentionSizes(flashAttentionGradSizes(inputs, attrs!))
      const { dy, q, k, v, mask, output, logSumExp } = inputs as Record<string, tf.TensorInfo>
      const heap = backend as unknown as WasmHeapBackend
      const [dq, dk, dv, dMask] = [q!, k!, v!, mask!].map((t) => heap.makeOutput(t.shape, "float32")) as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo, tf.TensorInfo]
      const at = (t: tf.TensorInfo) => heapView(heap, t)
      native().flashAttentionGrad(at(dy!), at(q!), at(k!), at(v!), at(mask!), at(output!), at(logSumExp!), at(dq), at(dk), at(dv), at(dMask), sizes)
      return [dq, dk, dv, dMask]
    },
  },
]
