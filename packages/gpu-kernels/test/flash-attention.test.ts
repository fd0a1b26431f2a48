import * as tf from "@tensorflow/tfjs"
import { Rng } from "@peftlab/core"
import { expect, it } from "vitest"
import { type AttentionOptions, flashAttention, flashAttentionComposed, maxKernelHeadDim } from "../src/index.ts"
import { flashAttentionKernelName } from "../src/flash-attention/flash-attention-kernel.ts"
import { describeOnBackends, expectKernelRun } from "./support/backends.ts"
import { errorRelativeToLargest, expectNoLeakForwardBackward, gradientValues } from "./support/gradients.ts"
import { expectScaledError, maxScaledError, normals, numericalGradient } from "./support/numbers.ts"
import { type AttentionProblem, attentionReference } from "./support/references.ts"

// [batch, heads, kvHeads, queries, keys, headDim, past, causal, masked]: one query and key; grouped
// queries over a prefix with padding; more query rows than a workgroup's 64 and keys over several
// 32-key tiles; decoding (few queries over a long past) with an odd head size; no causal mask;
// a head size whose tiles hold 16 keys. (Each head size costs a shader compile.)
type Case = readonly [batch: number, heads: number, kvHeads: number, queries: number, keys: number, headDim: number, past: number, causal: boolean, masked: boolean]
const cases: ReadonlyArray<Case> = [
  [1, 1, 1, 1, 1, 8, 0, true, false],
  [2, 4, 2, 5, 8, 8, 3, true, true],
  [1, 2, 1, 70, 75, 8, 5, true, false],
  [2, 2, 2, 3, 40, 5, 37, true, true],
  [1, 3, 3, 6, 9, 8, 0, false, true],
  [1, 2, 1, 20, 36, 128, 16, true, false],
]

/** Random q, k, v (and padding: the last keys of batch row 0 at -1e9), the reference's output and magnitudes. */
const example = ([batch, heads, kvHeads, queries, keys, headDim, past, causal, masked]: Case, seed: number) => {
  const rng = Rng.seeded(seed)
  const [q, k, v] = [normals(rng, batch * heads * queries * headDim), normals(rng, batch * kvHeads * keys * headDim), normals(rng, batch * kvHeads * keys * headDim)]
  const mask = Float32Array.from({ length: batch * keys }, (_, i) => (masked && i < keys && i >= keys - 2 && keys > 2 ? -1e9 : 0))
  const problem: AttentionProblem = { q, k, v, mask, dims: [batch, heads, kvHeads, queries, keys, headDim], scale: 1 / Math.sqrt(headDim), past, causal }
  const tensors = {
    q: tf.tensor4d(q, [batch, heads, queries, headDim]),
    k: tf.tensor4d(k, [batch, kvHeads, keys, headDim]),
    v: tf.tensor4d(v, [batch, kvHeads, keys, headDim]),
    mask: tf.tensor2d(mask, [batch, keys]),
  }
  const options: AttentionOptions = { past, causal, ...(masked ? { mask: tensors.mask } : {}) }
  return { problem, ...tensors, options, dispose: () => tf.dispose(Object.values(tensors)) }
}

describeOnBackends("flashAttention", ({ name, runsKernels }) => {
  it.each(cases)(
    "matches the float64 reference for batch %i, %i heads over %i kv heads, %i queries, %i keys, head size %i, past %i (causal %s, padded %s) within 2e-6 of Σ p|v|",
    async (...size) => {
      const { problem, q, k, v, options, dispose } = example(size, size.reduce<number>((s, x) => s * 7 + Number(x), 1))
      const want = attentionReference(problem)
      const got = await expectKernelRun(flashAttentionKernelName, runsKernels, () => flashAttention(q, k, v, options).data())
      expectScaledError(`flashAttention on ${name} [${size}]`, "Σ p|v|", got, want.output, want.magnitude, 2e-6)
      dispose()
    },
  )

  it("has flashAttentionComposed take tfjs's ops, to the same tolerance", async () => {
    const { problem, q, k, v, options, dispose } = example(cases[1]!, 3)
    const want = attentionReference(problem)
    const got = await expectKernelRun(flashAttentionKernelName, false, () => flashAttentionComposed(q, k, v, options).data())
    expect(maxScaledError(got, want.output, want.magnitude)).toBeLessThan(2e-6)
    dispose()
  })

  it("takes the composed ops for head sizes over maxKernelHeadDim, to the same tolerance", async () => {
    const { problem, q, k, v, options, dispose } = example([2, 4, 2, 5, 8, maxKernelHeadDim + 8, 3, true, true], 4)
    const want = attentionReference(problem)
    const got = await expectKernelRun(flashAttentionKernelName, false, () => flashAttention(q, k, v, options).data())
    expect(maxScaledError(got, want.output, want.magnitude)).toBeLessThan(2e-6)
    dispose()
  })

  it("averages the values a query sees when its scores are equal: prefix, causal and padding", async () => {
    // q = 0: every visible key weighs the same. Two queries after one past key: query 0 sees
    // keys 0 and 1, query 1 keys 0 to 2; padding key 0 leaves them key 1, and keys 1 and 2.
    const [q, k, v] = [tf.zeros([1, 1, 2, 1]) as tf.Tensor4D, tf.ones([1, 1, 3, 1]) as tf.Tensor4D, tf.tensor4d([1, 2, 6], [1, 1, 3, 1])]
    const mask = tf.tensor2d([[-1e9, 0, 0]])
    expect(Array.from(await flashAttention(q, k, v, { past: 1 }).data())).toEqual([1.5, 3])
    expect(Array.from(await flashAttention(q, k, v).data())).toEqual([1.5, 3])
    expect(Array.from(await flashAttention(q, k, v, { past: 1, mask }).data())).toEqual([2, 4])
    expect(Array.from(await flashAttention(q, k, v, { causal: false }).data())).toEqual([3, 3])
    tf.dispose([q, k, v, mask])
  })

  it("differentiates with respect to q, k, v and the mask like central differences, within 1e-5 of the largest gradient", async () => {
    const size: Case = [2, 4, 2, 3, 5, 4, 2, true, true]
    const { problem, q, k, v, mask, dispose } = example(size, 21)
    const dy = normals(Rng.seeded(22), q.size)
    const upstream = tf.tensor4d(dy, q.shape)
    const got = await expectKernelRun(flashAttentionKernelName, runsKernels, () =>
      gradientValues((...t) => flashAttention(t[0] as tf.Tensor4D, t[1] as tf.Tensor4D, t[2] as tf.Tensor4D, { past: 2, mask: t[3] as tf.Tensor2D }), [q, k, v, mask], upstream),
    )
    const parts = ["q", "k", "v", "mask"] as const
    const errors = parts.map((part, i) => {
      const want = numericalGradient((values) => attentionReference({ ...problem, [part]: values }).output, problem[part], dy)
      return errorRelativeToLargest(got[i]!, want)
    })
    console.log(`flashAttention gradient on ${name}: max error / max |gradient|: ${parts.map((part, i) => `${part} ${errors[i]!.toExponential(2)}`).join(", ")}`)
    for (const error of errors) expect(error).toBeLessThan(1e-5)
    tf.dispose(upstream)
    dispose()
  })

  it("leaks no tensor, forward or backward", async () => {
    const { q, k, v, options, dispose } = example(cases[1]!, 5)
    await expectNoLeakForwardBackward((a, b) => flashAttention(a as tf.Tensor4D, b as tf.Tensor4D, v, options), [q, k])
    dispose()
  })

  it("rejects query heads that kv heads do not divide, and a mask of the wrong shape", () => {
    const [q, k, mask] = [tf.zeros([1, 3, 2, 4]) as tf.Tensor4D, tf.zeros([1, 2, 5, 4]) as tf.Tensor4D, tf.zeros([1, 4]) as tf.Tensor2D]
    expect(() => flashAttention(q, k, k)).toThrow("flashAttention: q [1,3,2,4] needs k and v [1, kvHeads dividing 3, keys > 0, 4]; got k [1,2,5,4], v [1,2,5,4]")
    const k1 = tf.zeros([1, 1, 5, 4]) as tf.Tensor4D
    expect(() => flashAttention(q, k1, k1, { mask })).toThrow("flashAttention: mask [1,4] must be [batch, keys] = [1, 5]")
    tf.dispose([q, k, k1, mask])
  })
})
