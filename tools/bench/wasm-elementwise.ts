// The wasm plugin's one-pass RMSNorm and SwiGLU kernels (C, wasm SIMD128, working in tfjs-wasm's
// heap) against the same computations composed of tfjs ops on wasm, forward and forward+backward,
// at the shapes SmolLM2-135M (RMSNorm over 576, SwiGLU over 1536) and TinyLlama-1.1B (2048, 5632)
// train with, 256 and 2048 rows. Composed and fused take turns in every round, so that load from
// other processes falls on both alike; each figure is a median. Run:
// node tools/bench/wasm-elementwise.ts [rounds]
import * as tf from "@tensorflow/tfjs"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { rmsNorm, rmsNormComposed, swiGlu, swiGluComposed } from "@peftlab/gpu-kernels"
import { median, timeSync } from "./sync-timing.ts"

type Op = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor

interface Case {
  readonly model: string
  readonly op: string
  readonly rows: number
  readonly cols: number
  /** The second input's shape: the weight [cols] for RMSNorm, up [rows, cols] for SwiGLU. */
  readonly second: (rows: number, cols: number) => Array<number>
  readonly composed: Op
  readonly fused: Op
}

const eps = 1e-5
const rmsNormCase = (model: string, cols: number, rows: number): Case => ({
  model, op: "RMSNorm", rows, cols, second: (_, c) => [c],
  composed: (x, w) => rmsNormComposed(x, w as tf.Tensor1D, eps),
  fused: (x, w) => rmsNorm(x, w as tf.Tensor1D, eps),
})
const swiGluCase = (model: string, cols: number, rows: number): Case => ({
  model, op: "SwiGLU", rows, cols, second: (r, c) => [r, c], composed: swiGluComposed, fused: swiGlu,
})

const cases: ReadonlyArray<Case> = [256, 2048].flatMap((rows) => [
  rmsNormCase("SmolLM2-135M", 576, rows),
  swiGluCase("SmolLM2-135M", 1536, rows),
  rmsNormCase("TinyLlama-1.1B", 2048, rows),
  swiGluCase("TinyLlama-1.1B", 5632, rows),
])

const measure = (c: Case, rounds: number) => {
  const a = tf.randomNormal([c.rows, c.cols], 0, 1, "float32", 1)
  const b = tf.randomNormal(c.second(c.rows, c.cols), 0, 1, "float32", 2)
  const dy = tf.randomNormal([c.rows, c.cols], 0, 1, "float32", 3)
  const backward = (op: Op) => () => tf.grads(op)([a, b], dy)
  const samples = { composed: [] as Array<number>, fused: [] as Array<number>, composedGrad: [] as Array<number>, fusedGrad: [] as Array<number> }
  for (let round = 0; round <= rounds; round++) {
    const times = [timeSync(() => c.composed(a, b)), timeSync(() => c.fused(a, b)), timeSync(backward(c.composed)), timeSync(backward(c.fused))]
    // Round 0 warms up (first calls allocate and compile).
    if (round > 0) [samples.composed, samples.fused, samples.composedGrad, samples.fusedGrad].forEach((s, i) => s.push(times[i]!))
  }
  tf.dispose([a, b, dy])
  return { composed: median(samples.composed), fused: median(samples.fused), composedGrad: median(samples.composedGrad), fusedGrad: median(samples.fusedGrad) }
}

const rounds = Number(process.argv[2] ?? 9)
await wasm.setup()
console.log(`| model | op | rows × width | composed fwd ms | fused fwd ms | speed-up | composed fwd+bwd ms | fused fwd+bwd ms | speed-up |`)
console.log(`|---|---|---|---|---|---|---|---|---|`)
for (const c of cases) {
  const m = measure(c, rounds)
  const f = (ms: number) => ms.toFixed(2)
  console.log(`| ${c.model} | ${c.op} | ${c.rows} × ${c.cols} | ${f(m.composed)} | ${f(m.fused)} | ${(m.composed / m.fused).toFixed(2)}x | ${f(m.composedGrad)} | ${f(m.fusedGrad)} | ${(m.composedGrad / m.fusedGrad).toFixed(2)}x |`)
}
