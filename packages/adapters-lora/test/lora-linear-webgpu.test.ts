// On webgpu a LoRA linear with no dropout to apply runs @peftlab/gpu-kernels' fused loraLinear (its
// name shows in tf.profile's kernel list) and gives what cpu gives: output, and gradients for x, A
// and B. With dropout on, or over an NF4 base (QLoRA: the base keeps its 4-bit kernel), it keeps
// its tfjs ops. Skipped, with the reason printed, when Dawn finds no adapter.
import * as tf from "@tensorflow/tfjs"
import { plugin as webgpu } from "@peftlab/backend-webgpu"
import { maxAbsDiffs, onCpuThenWebgpu } from "@peftlab/backend-webgpu/parity"
import { Rng } from "@peftlab/core"
import { loraLinearKernelName, nf4MatMulKernelName } from "@peftlab/gpu-kernels"
import { nf4Linear, type Linear } from "@peftlab/models"
import { describe, expect, it } from "vitest"
import { loraLinear, type LoraLinear } from "../src/index.ts"

const probe = await webgpu.probe()
if (!probe.available) console.warn(`skipping the LoRA webgpu kernel checks: ${probe.reason}`)

const normals = (seed: number, length: number): Float32Array => {
  const rng = Rng.seeded(seed)
  return Float32Array.from({ length }, () => rng.normal())
}

// W [12, 40] with a bias, rank 4, x [2, 3, 40].
const [outFeatures, inFeatures, rank] = [12, 40, 4]
const [weight, bias, loraB, x, r] = [normals(1, 12 * 40), normals(2, 12), normals(3, 12 * 4), normals(4, 2 * 3 * 40), normals(5, 2 * 3 * 12)]

// The model's frozen module, y = x Wᵀ (+ b), as @peftlab/models' linear computes it.
const frozenLinear = (withBias = true): Linear => {
  const [w, b] = [tf.tensor2d(weight, [outFeatures, inFeatures]), withBias ? tf.tensor1d(bias) : undefined]
  return {
    name: "model.layers.0.self_attn.q_proj",
    shape: w.shape,
    readWeight: () => tf.clone(w),
    ...(b && { bias: b }),
    apply: (input) =>
      tf.tidy(() => {
        const product = tf.matMul(input.reshape([-1, inFeatures]) as tf.Tensor2D, w, false, true)
        return (b ? product.add(b) : product).reshape([...input.shape.slice(0, -1), outFeatures])
      }),
    dispose: () => tf.dispose([w, ...(b ? [b] : [])]),
  }
}

/** The output and the gradients of sum(output ⊙ r) for x, A and B, read to the host. */
const outputAndGradients = async (module: LoraLinear): Promise<Array<Float32Array>> => {
  const [input, weights] = [tf.tensor3d(x, [2, 3, inFeatures]), tf.tensor3d(r, [2, 3, outFeatures])]
  const objective = (xs: tf.Tensor) => module.apply(xs).mul(weights).sum() as tf.Scalar
  const output = module.apply(input)
  const dx = tf.grad(objective)(input)
  const { grads } = tf.variableGrads(() => objective(input), [module.loraA, module.loraB])
  const tensors = [output, dx, grads[module.loraA.name], grads[module.loraB.name]] as Array<tf.Tensor>
  const values = await Promise.all(tensors.map((t) => t.data() as Promise<Float32Array>))
  tf.dispose([input, weights, ...tensors])
  return values
}

/** A LoRA module over `base` (A drawn from a fixed seed, B set to random values), run by `use`, then freed with its base. */
const withLora = async (base: Linear, training: boolean, use: (module: LoraLinear) => Promise<Array<Float32Array>>) => {
  const module = loraLinear(base, { r: rank, scale: 2, dropout: 0.25, rng: Rng.seeded(6) })
  module.loraB.assign(tf.tensor2d(loraB, [outFeatures, rank]))
  module.training = training
  try {
    return await use(module)
  } finally {
    module.dispose()
    base.dispose()
  }
}

/** `makeBase` then `withLora` on cpu, then on webgpu under tf.profile: both results and the names of the kernels webgpu ran. */
const loraOnCpuThenWebgpu = (makeBase: () => Promise<Linear>, training: boolean) => onCpuThenWebgpu(async () => withLora(await makeBase(), training, outputAndGradients))

// Sums of up to 40 products of O(1) values, in another order: 1e-4 absolute.
const tolerance = 1e-4

describe.skipIf(!probe.available)("loraLinear on webgpu", () => {
  it("in evaluation (no dropout applied) runs the fused kernel; output and gradients (x, A, B) as on cpu", async () => {
    const { reference, got, kernels } = await loraOnCpuThenWebgpu(async () => frozenLinear(), false)
    expect(kernels).toContain(loraLinearKernelName)
    for (const diff of maxAbsDiffs(got, reference)) expect(diff).toBeLessThan(tolerance)
  })

  it("while training with dropout keeps its tfjs ops, with the same dropout masks as cpu", async () => {
    const { reference, got, kernels } = await loraOnCpuThenWebgpu(async () => frozenLinear(), true)
    expect(kernels).not.toContain(loraLinearKernelName)
    for (const diff of maxAbsDiffs(got, reference)) expect(diff).toBeLessThan(tolerance)
  })

  it("over an NF4 base (QLoRA) runs the NF4 kernel and never makes the float32 weight", async () => {
    // No bias: the NF4 module would use the float module's, which goes once quantized.
    const nf4Base = async () => {
      const float = frozenLinear(false)
      const quantized = await nf4Linear(float, 16)
      float.dispose()
      return quantized
    }
    const { reference, got, kernels } = await loraOnCpuThenWebgpu(nf4Base, false)
    expect(kernels).toContain(nf4MatMulKernelName)
    expect(kernels).not.toContain(loraLinearKernelName)
    for (const diff of maxAbsDiffs(got, reference)) expect(diff).toBeLessThan(tolerance)

    const base = await nf4Base()
    const before = tf.memory().numBytes
    const module = loraLinear(base, { r: rank, scale: 2, dropout: 0, rng: Rng.seeded(6) })
    expect(tf.memory().numBytes - before).toBe(4 * rank * (inFeatures + outFeatures)) // A and B only
    module.dispose()
    base.dispose()
  })
})
