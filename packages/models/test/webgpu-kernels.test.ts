// On webgpu the models' RMSNorm, attention core and NF4 linear take @peftlab/gpu-kernels' WGSL
// kernels (their names show in tf.profile's kernel list) and give what cpu gives, values and
// gradients; everywhere else, and for a bias that is more than a mask, they keep their tfjs ops.
// Skipped, with the reason printed, when Dawn finds no adapter (lavapipe serves on a bare CPU).
import * as tf from "@tensorflow/tfjs"
import { plugin as webgpu } from "@peftlab/backend-webgpu"
import { maxAbsDiffs, onCpuThenWebgpu } from "@peftlab/backend-webgpu/parity"
import { Rng } from "@peftlab/core"
import { flashAttentionKernelName, nf4MatMulKernelName, rmsNormKernelName } from "@peftlab/gpu-kernels"
import { describe, expect, it } from "vitest"
import { attentionBias } from "../src/layers/attention-bias.ts"
import { attend } from "../src/layers/attention.ts"
import type { Linear } from "../src/layers/linear.ts"
import { rmsNorm } from "../src/layers/rms-norm.ts"
import { nf4Linear } from "../src/quantization/nf4-linear.ts"
import { dequantizeNf4, quantizeNf4 } from "../src/quantization/nf4.ts"

const probe = await webgpu.probe()
if (!probe.available) console.warn(`skipping the models' webgpu kernel checks: ${probe.reason}`)

const normals = (seed: number, length: number): Float32Array => {
  const rng = Rng.seeded(seed)
  return Float32Array.from({ length }, () => rng.normal())
}

/** Reads every tensor to the host (asynchronously, as webgpu requires), then frees them. */
const readAll = async (tensors: ReadonlyArray<tf.Tensor>): Promise<Array<Float32Array>> => {
  const values = await Promise.all(tensors.map((t) => t.data() as Promise<Float32Array>))
  tf.dispose([...tensors])
  return values
}

/** The value of sum(f(inputs) ⊙ r) and its gradients with respect to every input, r fixed and random. */
const valueAndGradients = (f: (...inputs: Array<tf.Tensor>) => tf.Tensor, inputs: Array<tf.Tensor>): Array<tf.Tensor> => {
  const value = f(...inputs)
  const r = tf.tensor(normals(99, value.size), value.shape)
  const gradients = tf.grads((...xs: Array<tf.Tensor>) => f(...xs).mul(r).sum())(inputs)
  r.dispose()
  return [value, ...gradients]
}

describe.skipIf(!probe.available)("the models' ops on webgpu", () => {
  it("rmsNorm runs the RMSNorm kernel; values and gradients (x, weight) within 1e-5 of cpu's", async () => {
    const [x, w] = [normals(1, 2 * 3 * 40), normals(2, 40)]
    const run = () =>
      readAll(tf.tidy(() => valueAndGradients((xs, ws) => rmsNorm(xs as tf.Tensor3D, ws as tf.Tensor1D, 1e-6), [tf.tensor3d(x, [2, 3, 40]), tf.tensor1d(w)])))
    const { reference, got, kernels } = await onCpuThenWebgpu(run)
    expect(kernels).toContain(rmsNormKernelName)
    for (const diff of maxAbsDiffs(got, reference)) expect(diff).toBeLessThan(1e-5)
  })

  describe("attend", () => {
    // 4 query heads over 2 kv heads, 3 queries after 2 past keys, head size 8; batch row 1 has
    // its first key padded (every query still sees an unpadded key).
    const [q, k, v] = [normals(3, 2 * 4 * 3 * 8), normals(4, 2 * 2 * 5 * 8), normals(5, 2 * 2 * 5 * 8)]
    const keyMask = [1, 1, 1, 1, 1, 0, 1, 1, 1, 1]
    const run = (bias: (mask: tf.Tensor2D) => tf.Tensor4D) => () =>
      readAll(
        tf.tidy(() => {
          const biasTensor = bias(tf.tensor2d(keyMask, [2, 5]))
          const attention = (qs: tf.Tensor, ks: tf.Tensor, vs: tf.Tensor) => attend(qs as tf.Tensor4D, ks as tf.Tensor4D, vs as tf.Tensor4D, biasTensor)
          return valueAndGradients(attention, [tf.tensor4d(q, [2, 4, 3, 8]), tf.tensor4d(k, [2, 2, 5, 8]), tf.tensor4d(v, [2, 2, 5, 8])])
        }),
      )

    for (const [causal, padded] of [[true, true], [false, true], [true, false]] as const) {
      const kind = `${causal ? "causal" : "non-causal"} mask bias ${padded ? "with padding" : "without padding (one for the whole batch)"}`
      it(`with a ${kind} runs flash attention; values and gradients (q, k, v) within 1e-5 of cpu's`, async () => {
        const bias = (mask: tf.Tensor2D) => attentionBias(3, 5, { causal, ...(padded && { keyMask: mask }) })
        const { reference, got, kernels } = await onCpuThenWebgpu(run(bias))
        expect(kernels).toContain(flashAttentionKernelName)
        for (const diff of maxAbsDiffs(got, reference)) expect(diff).toBeLessThan(1e-5)
      })
    }

    it("with a position bias added (T5) or an unmarked mask keeps its own op, as on cpu", async () => {
      const positionBias = normals(6, 4 * 3 * 5)
      for (const bias of [
        // T5's: attentionBias's (marked) mask plus a position bias is a new tensor, unmarked.
        (mask: tf.Tensor2D) => attentionBias(3, 5, { causal: true, keyMask: mask }).add<tf.Tensor4D>(tf.tensor4d(positionBias, [1, 4, 3, 5])),
        // A mask made elsewhere: attend cannot know it holds masks alone.
        (mask: tf.Tensor2D) => attentionBias(3, 5, { causal: true, keyMask: mask }).mul<tf.Tensor4D>(1),
      ]) {
        const { reference, got, kernels } = await onCpuThenWebgpu(run(bias))
        expect(kernels).not.toContain(flashAttentionKernelName)
        for (const diff of maxAbsDiffs(got, reference)) expect(diff).toBeLessThan(1e-5)
      }
    })
  })

  describe("nf4Linear", () => {
    // W [6, 40] in blocks of 16 (the last block is partial), with a bias.
    const [weight, bias, x] = [normals(7, 6 * 40), normals(8, 6), normals(9, 2 * 3 * 40)]
    const source = (): Linear & { readonly weight: tf.Tensor2D } => {
      const w = tf.tensor2d(weight, [6, 40])
      return {
        name: "model.layers.0.mlp.down_proj",
        shape: [6, 40],
        weight: w,
        bias: tf.tensor1d(bias),
        readWeight: () => tf.clone(w),
        apply: () => {
          throw new Error("nf4Linear must not call the float module")
        },
        dispose: () => {},
      }
    }

    it("projects with the NF4 kernel; values and the gradient for x within 1e-4 of cpu's", async () => {
      const run = async () => {
        const float = source()
        const module = await nf4Linear(float, 16)
        const outputs = await readAll(tf.tidy(() => valueAndGradients((xs) => module.apply(xs), [tf.tensor3d(x, [2, 3, 40])])))
        module.dispose()
        tf.dispose([float.weight, float.bias as tf.Tensor])
        return outputs
      }
      const { reference, got, kernels } = await onCpuThenWebgpu(run)
      expect(kernels).toContain(nf4MatMulKernelName)
      // Sums of 40 products of O(1) values, in another order.
      for (const diff of maxAbsDiffs(got, reference)) expect(diff).toBeLessThan(1e-4)
    })

    it("holds only the 4-bit codes and scales; a read of its float32 weight is the caller's to free", async () => {
      await webgpu.setup()
      const float = source()
      const before = tf.memory().numBytes
      const module = await nf4Linear(float, 16)
      // The codes travel as whole 32-bit words: ceil(240 / 8) words, then ceil(240 / 16) scales.
      expect(tf.memory().numBytes - before).toBe(4 * Math.ceil(240 / 8) + 4 * Math.ceil(240 / 16))
      // Read, it is the weight the codes stand for.
      const read = module.readWeight()
      expect(Array.from(await read.data())).toEqual(Array.from(dequantizeNf4(quantizeNf4(weight, 16))))
      expect(tf.memory().numBytes - before).toBe(4 * 30 + 4 * 15 + 4 * 240)
      read.dispose()
      module.dispose()
      expect(tf.memory().numBytes).toBe(before)
      tf.dispose([float.weight, float.bias as tf.Tensor])
    })
  })
})
