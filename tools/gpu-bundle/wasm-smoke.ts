// A small entry that checks, with no GPU, that a bundle carries what @peftlab/backend-wasm reads
// from disk: tfjs-backend-wasm's binaries and the plugin's kernels (gemm.wasm, packed-matmul.wasm, …,
// which the plugin loads from beside its own module, the bundle; a missing one is a warning). It sets the wasm backend up, multiplies
// by a bf16 weight through the packed kernel and by the same weight widened through tf.matMul, and
// prints one JSON line: the backend, whether the packed kernel is registered, and the max
// |difference|. test/e2e/gpu-bundle.test.ts bundles it and runs the bundle from outside the
// repository; `node tools/gpu-bundle/wasm-smoke.ts` runs it unbundled.
import * as tf from "@tensorflow/tfjs"
import { packedMatMulKernelName, plugin as wasm, type PackedMatMulAttrs } from "@peftlab/backend-wasm"

const [m, rows, cols] = [5, 7, 9]

/** bf16 bits of small deterministic values, and the float32 values they hold. */
const bf16Weight = (): { bits: Uint16Array; values: Float32Array } => {
  const values = Float32Array.from({ length: rows * cols }, (_, i) => ((i * 37) % 17) / 8 - 1)
  const bits = Uint16Array.from(new Uint32Array(values.buffer), (word) => word >>> 16)
  return { bits, values }
}

await wasm.setup()
const packed = tf.getKernel(packedMatMulKernelName, "wasm") !== undefined
let maxAbsDiff: number | null = null
if (packed) {
  const { bits, values } = bf16Weight()
  const attrs: PackedMatMulAttrs = { weight: { storage: "BF16", shape: [rows, cols], bytes: new Uint8Array(bits.buffer) }, transposeWeight: true }
  const x = tf.tensor2d(Float32Array.from({ length: m * cols }, (_, i) => (i % 5) - 2), [m, cols])
  const w = tf.tensor2d(values, [rows, cols])
  const viaKernel = tf.engine().runKernel(packedMatMulKernelName, { x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor
  const widened = tf.matMul(x, w, false, true)
  const [a, b] = [await viaKernel.data(), await widened.data()]
  maxAbsDiff = Array.from(a).reduce((max, value, i) => Math.max(max, Math.abs(value - b[i]!)), 0)
  tf.dispose([x, w, viaKernel, widened])
}
console.log(JSON.stringify({ backend: tf.getBackend(), packed, maxAbsDiff }))
