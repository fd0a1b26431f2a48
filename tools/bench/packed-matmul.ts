// The wasm plugin's packed-weight matmul (the frozen weight dequantized inside the kernel, from NF4
// codes or bf16 bits) against what a frozen linear did before it: widen the whole weight to a
// float32 tensor, then tfjs-wasm's XNNPACK matMul. At TinyLlama's shapes (hidden 2048, MLP 5632)
// for 256 rows, single thread, both the forward product x·Wᵀ and the input gradient dy·W, in ms
// per call (median of 5 after a warm-up, all taking turns). For scale, also XNNPACK on a float32
// weight widened once (a tensor-backed base's cost, which a host-held base cannot have). A
// benchmark, not a test; it writes results/packed-matmul.{json,md} (packed-matmul-rowsN.* for
// another --rows).
//
//   node tools/bench/packed-matmul.ts [--runs 5] [--rows 256]
import { join } from "node:path"
import { parseArgs } from "node:util"
import * as tf from "@tensorflow/tfjs"
import { writeFileAtomic } from "@peftlab/core"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { nf4Matrix, quantizeNf4, storedMatrix, widen, widenTransposed, type FrozenMatrix } from "@peftlab/models"
import { packedMatMul, packedMatMulKernelName } from "../../packages/models/src/frozen/packed-matmul-op.ts"
import { widenedTensor, widenedTransposedTensor } from "../../packages/models/src/frozen/widened-tensor.ts"

interface PackedTiming {
  readonly storage: "NF4" | "BF16"
  readonly product: string
  /** Widening alone (the host loop and the tensor's upload to the heap). */
  readonly widenMs: number
  /** Widening, then XNNPACK. */
  readonly widenMatMulMs: number
  /** XNNPACK on a float32 weight widened once beforehand (what a tensor-backed base costs; no host weight). */
  readonly residentMs: number
  readonly kernelMs: number
}

const { values: args } = parseArgs({ options: { runs: { type: "string", default: "5" }, rows: { type: "string", default: "256" } } })
const runs = Number(args.runs)
const rows = Number(args.rows)

/**
 * Median of `runs` timings of each of `fs`, after one warm-up run each; the functions take turns
 * in every round, so that load from other processes falls on all of them alike.
 */
const medianMs = async (fs: ReadonlyArray<() => tf.Tensor>): Promise<Array<number>> => {
  const times = fs.map((): Array<number> => [])
  for (let k = 0; k <= runs; k++) {
    for (const [i, f] of fs.entries()) {
      const started = performance.now()
      const result = f()
      await result.data()
      result.dispose()
      if (k > 0) times[i]!.push(performance.now() - started)
    }
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!)
}

const normals = (size: number): Float32Array => {
  const out = new Float32Array(size)
  for (let i = 0; i < size; i++) out[i] = Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random()) * 0.02
  return out
}

const matrixOf = (storage: "NF4" | "BF16", shape: [number, number]): FrozenMatrix => {
  const values = normals(shape[0] * shape[1])
  if (storage === "NF4") return nf4Matrix(quantizeNf4(values), shape)
  const halves = Uint16Array.from(new Uint32Array(values.buffer), (w) => w >>> 16)
  return storedMatrix("BF16", shape, new Uint8Array(halves.buffer))
}

await wasm.setup()
const kernel = tf.getKernel(packedMatMulKernelName, "wasm")
if (!kernel) throw new Error("the wasm plugin registered no packed matmul")

const fixed = (value: number, digits: number) => value.toFixed(digits)
const timings: Array<PackedTiming> = []
// nn.Linear weights [out, in]: q/o_proj, gate/up_proj, down_proj.
for (const [out, inFeatures] of [[2048, 2048], [5632, 2048], [2048, 5632]] as const) {
  for (const storage of ["NF4", "BF16"] as const) {
    const matrix = matrixOf(storage, [out, inFeatures])
    const x = tf.randomNormal([rows, inFeatures]) as tf.Tensor2D
    const dy = tf.randomNormal([rows, out]) as tf.Tensor2D
    const cases = [
      {
        product: `x·Wᵀ [${rows},${inFeatures}]·[${out},${inFeatures}]ᵀ`,
        widening: () => widenedTransposedTensor(matrix),
        widened: () => tf.tidy(() => tf.matMul(x, widenedTransposedTensor(matrix))),
        resident: [x, tf.tensor2d(widenTransposed(matrix), [inFeatures, out])] as const,
        packed: () => packedMatMul(x, matrix.share, true),
      },
      {
        product: `dy·W [${rows},${out}]·[${out},${inFeatures}]`,
        widening: () => widenedTensor(matrix),
        widened: () => tf.tidy(() => tf.matMul(dy, widenedTensor(matrix))),
        resident: [dy, tf.tensor2d(widen(matrix), [out, inFeatures])] as const,
        packed: () => packedMatMul(dy, matrix.share, false),
      },
    ]
    for (const { product, widening, widened, resident, packed } of cases) {
      const [left, weight] = resident
      const [widenMs, widenMatMulMs, residentMs, kernelMs] = await medianMs([widening, widened, () => tf.matMul(left, weight), packed])
      weight.dispose()
      const timing = { storage, product, widenMs: widenMs!, widenMatMulMs: widenMatMulMs!, residentMs: residentMs!, kernelMs: kernelMs! }
      console.log(`${storage} ${product}: widen ${fixed(widenMs!, 1)} ms, widen + XNNPACK ${fixed(widenMatMulMs!, 1)} ms, XNNPACK alone ${fixed(residentMs!, 1)} ms, packed kernel ${fixed(kernelMs!, 1)} ms`)
      timings.push(timing)
    }
    tf.dispose([x, dy])
  }
}

const table = [
  `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, tfjs-wasm single thread, ${rows} rows, median of ${runs}.`,
  "",
  "| weight | product | widen ms | widen + XNNPACK ms | packed kernel ms | speed-up | XNNPACK, weight resident ms |",
  "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ...timings.map(
    (t) => `| ${t.storage} | ${t.product} | ${fixed(t.widenMs, 1)} | ${fixed(t.widenMatMulMs, 1)} | ${fixed(t.kernelMs, 1)} | ${fixed(t.widenMatMulMs / t.kernelMs, 2)}x | ${fixed(t.residentMs, 1)} |`,
  ),
].join("\n")
console.log(`\n${table}`)
const results = join(import.meta.dirname, "results")
const name = rows === 256 ? "packed-matmul" : `packed-matmul-rows${rows}`
await writeFileAtomic(join(results, `${name}.json`), JSON.stringify({ rows, runs, node: process.version, timings }, null, 2) + "\n")
await writeFileAtomic(join(results, `${name}.md`), table + "\n")
