// The int8 base against transformers' own 8-bit model: goldens/quantized-bases.json holds the
// logits of the Llama golden base loaded with BitsAndBytesConfig(load_in_8bit=True) on the CPU
// (bitsandbytes' Linear8bitLt, LLM.int8() with threshold 6.0, lm_head in float32) in eval and in
// train mode, and in eval mode every 8-bit layer's input and output, written by
// tools/goldens/adapters.ts; peftlab's are of the same checkpoint after quantizeModelLinearsAs(model, "int8").
import { readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { frozenBase } from "@peftlab/adapters-base"
import { isInt8Linear, loadModel, quantizeModelLinearsAs, type BaseModel } from "@peftlab/models"
import { peftGoldenTolerance } from "@peftlab/testkit/peft-goldens-suite"
import {
  adapterLogits,
  maxAbsDiff,
  quantizedBaseGoldens,
  quantizedBasesFile,
  writeGoldenBase,
  type QuantizedBaseFixture,
  type QuantizedBaseGolden,
} from "@peftlab/testkit/peft-goldens"

// Both modes end to end within 1e-4: measured 1.2e-6 in eval mode (where one flipped activation code
// would move the logits by 1e-2: see goldens/cases.ts) and 1.8e-6 in train mode, the float base
// 1.35e-1 and 8.0e-2 off. Each layer given bitsandbytes' own recorded input within layerTolerance
// (measured 5e-7, the fixture's 7 significant digits; bit for bit unrounded).
const layerTolerance = 1e-5

const fixtureFile = quantizedBasesFile(join(import.meta.dirname, ".."))
const fixture = JSON.parse(readFileSync(fixtureFile, "utf8")) as QuantizedBaseFixture
const fixtureCase = (name: string) => {
  const found = fixture.cases.find((c) => c.name === name)
  if (found === undefined) throw new Error(`${fixtureFile} has no case "${name}": run tools/goldens/adapters.ts`)
  return found
}

/** The golden's base model, for the length of `use`. */
const withModel = async <T>(golden: QuantizedBaseGolden, use: (model: BaseModel) => Promise<T>): Promise<T> => {
  const dir = await writeGoldenBase(golden.base)
  const model = await Effect.runPromise(loadModel(dir))
  rmSync(dir, { recursive: true })
  try {
    return await use(model)
  } finally {
    model.dispose()
  }
}

describe(`int8 base against transformers ${fixture.transformers} + bitsandbytes ${fixture.bitsandbytes} (load_in_8bit, cpu)`, () => {
  beforeAll(async () => {
    await tf.setBackend("cpu")
  })

  it.each(quantizedBaseGoldens.map((golden) => [golden.name, golden] as const))(`%s: peftlab's int8 logits within ${peftGoldenTolerance} of bitsandbytes'`, async (name, golden) => {
    const theirs = fixtureCase(name).logits
    const { float, int8 } = await withModel(golden, async (model) => {
      const float = await adapterLogits(model, frozenBase(), golden.batch)
      const report = await quantizeModelLinearsAs(model, "int8")
      report.setTraining(golden.train ?? false)
      const int8 = await adapterLogits(model, frozenBase(), golden.batch)
      report.restore()
      return { float, int8 }
    })
    const diff = maxAbsDiff(int8, theirs)
    console.log(`${name}: max |peftlab - bitsandbytes| = ${diff.toExponential(2)}; the float base is ${maxAbsDiff(float, theirs).toExponential(2)} off`)
    expect(Math.max(...theirs.flat(2).map(Math.abs))).toBeGreaterThan(0.1)
    expect(diff).toBeLessThan(peftGoldenTolerance)
    // The float model is measurably off bitsandbytes' 8-bit one: the comparison sees the quantization.
    expect(maxAbsDiff(float, theirs)).toBeGreaterThan(100 * peftGoldenTolerance)
  })

  const recorded = quantizedBaseGoldens.filter((golden) => golden.recordLayers)
  it.each(recorded.map((golden) => [golden.name, golden] as const))(`%s: every int8 layer given bitsandbytes' recorded input gives its output within ${layerTolerance}`, async (name, golden) => {
    const layers = fixtureCase(name).layers ?? []
    const diffs = await withModel(golden, async (model) => {
      const report = await quantizeModelLinearsAs(model, "int8")
      const found = layers.map(({ module, x, y }) => {
        const linear = model.linears.get(module)
        if (linear === undefined || !isInt8Linear(linear)) throw new Error(`${fixtureFile}: ${module} is not an int8 module of peftlab's model`)
        const ours = tf.tidy(() => linear.apply(tf.tensor2d(x as number[][])).arraySync() as number[][])
        return maxAbsDiff([ours], [y as number[][]])
      })
      report.restore()
      return found
    })
    console.log(`${name}: ${layers.length} layer calls, max |peftlab - bitsandbytes| per layer ${Math.max(...diffs).toExponential(2)}`)
    // Every 8-bit module of both decoder layers, once each.
    expect(new Set(layers.map((l) => l.module)).size).toBe(14)
    expect(Math.max(...diffs)).toBeLessThan(layerTolerance)
  })
})
