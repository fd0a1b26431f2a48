// The native backend's fused attention kernels (registered under the wasm plugin's names) against
// the wasm plugin's own kernels and a float64 reference, forward (output and log-sum-exp) and
// backward (dq, dk, dv, dmask), on @peftlab/native-gemm's attention shapes (head sizes 8, 64, 128,
// 5 and 24, grouped queries, causal and not, prefix keys, padding, two key blocks): within 1e-5
// of the largest |value| (or of 1) of each; both stay near 1e-6 of float64. And through
// @peftlab/gpu-kernels' flashAttention op and its registered gradient, which run them unchanged:
// the same values, and no tensor left behind.
import * as tf from "@tensorflow/tfjs"
import { flashAttentionGradKernelName, flashAttentionKernelName, plugin as wasm } from "@peftlab/backend-wasm"
import { flashAttention } from "@peftlab/gpu-kernels"
import { loadNativeGemm } from "@peftlab/native-gemm"
import { beforeAll, describe, expect, it } from "vitest"
import { attentionCases, attentionInputs, describeCase, referenceAttention, scaledError, type AttentionCase } from "../../native-gemm/test/fixtures/attention-reference.ts"
import { plugin } from "../src/index.ts"

const unavailable = loadNativeGemm().gemm === undefined
const tolerance = 1e-5

const attributes = ({ scale, past, causal }: AttentionCase): tf.NamedAttrMap => ({ scale, past, causal })

/** The six results of a kernel pair as arrays: out, lse, dq, dk, dv, dmask. */
type Results = ReadonlyArray<Float32Array>

/** Runs the forward kernel, then the gradient kernel on its outputs, with `run` (a kernel's name, inputs, attributes → its outputs). */
const forwardAndBackward = (c: AttentionCase, run: (name: string, inputs: tf.NamedTensorMap) => Array<tf.Tensor>): Results =>
  tf.tidy(() => {
    const { q, k, v, mask, dy } = attentionInputs(c, c.queries + c.dim)
    const [tq, tdy] = [q, dy].map((x) => tf.tensor(x, [c.batch, c.heads, c.queries, c.dim]))
    const [tk, tv] = [k, v].map((x) => tf.tensor(x, [c.batch, c.kvHeads, c.keys, c.dim]))
    const inputs = { q: tq!, k: tk!, v: tv!, mask: tf.tensor(mask, [c.batch, c.keys]) }
    const [output, logSumExp] = run(flashAttentionKernelName, inputs) as [tf.Tensor, tf.Tensor]
    const gradients = run(flashAttentionGradKernelName, { ...inputs, dy: tdy!, output, logSumExp })
    return [output, logSumExp, ...gradients].map((t) => t.dataSync() as Float32Array)
  })

describe.skipIf(unavailable)("the native backend's fused attention", () => {
  let wasmKernels: Record<string, tf.KernelConfig> = {}

  beforeAll(async () => {
    await wasm.setup()
    wasmKernels = Object.fromEntries([flashAttentionKernelName, flashAttentionGradKernelName].map((name) => [name, tf.getKernel(name, "wasm")!]))
    await plugin.setup()
  })

  it("replaces the wasm plugin's two kernels", () => {
    for (const [name, config] of Object.entries(wasmKernels)) {
      expect(config, name).toBeDefined()
      expect(tf.getKernel(name, "wasm")?.kernelFunc, name).not.toBe(config.kernelFunc)
    }
  })

  it.each(attentionCases.map((c) => [describeCase(c), c] as const))("%s: matches the wasm kernels and float64 within 1e-5", (label, c) => {
    const native = forwardAndBackward(c, (name, inputs) => tf.engine().runKernel(name, inputs, attributes(c)) as Array<tf.Tensor>)
    const onWasm = forwardAndBackward(c, (name, inputs) => {
      const infos = wasmKernels[name]!.kernelFunc({ inputs, attrs: attributes(c), backend: tf.backend() }) as Array<tf.TensorInfo>
      return infos.map((info) => tf.engine().makeTensorFromTensorInfo(info))
    })
    const { out, lse, dq, dk, dv, dMask } = referenceAttention(c, attentionInputs(c, c.queries + c.dim))
    const names = ["out", "lse", "dq", "dk", "dv", "dmask"]
    ;[out, lse, dq, dk, dv, dMask].forEach((want, i) => {
      expect(scaledError(native[i]!, onWasm[i]!), `${label}: ${names[i]} against wasm`).toBeLessThan(tolerance)
      expect(scaledError(native[i]!, want), `${label}: ${names[i]} against float64`).toBeLessThan(tolerance)
    })
  })

  it("runs under gpu-kernels' flashAttention op and its gradient, leaving no tensor behind", () => {
    const c = attentionCases[4]!
    const { q, k, v, mask, dy } = attentionInputs(c, 1)
    const [tq, tk, tv] = [
      tf.tensor4d(q, [c.batch, c.heads, c.queries, c.dim]),
      tf.tensor4d(k, [c.batch, c.kvHeads, c.keys, c.dim]),
      tf.tensor4d(v, [c.batch, c.kvHeads, c.keys, c.dim]),
    ]
    const [tmask, tdy] = [tf.tensor2d(mask, [c.batch, c.keys]), tf.tensor4d(dy, [c.batch, c.heads, c.queries, c.dim])]
    const before = tf.memory().numTensors
    const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) =>
      flashAttention(a as tf.Tensor4D, b as tf.Tensor4D, d as tf.Tensor4D, { causal: c.causal, past: c.past, mask: tmask }).mul(tdy).sum(),
    )([tq, tk, tv])
    expect(tf.memory().numTensors).toBe(before + 4)
    const want = referenceAttention(c, { q, k, v, mask, dy })
    ;[want.dq, want.dk, want.dv].forEach((expected, i) => expect(scaledError(grads[i]!.dataSync(), expected)).toBeLessThan(tolerance))
    tf.dispose([value, ...grads, tq, tk, tv, tmask, tdy])
  })
})
