// The adapter goldens' checks, one copy for the LoRA, prompt-tuning and prefix-tuning packages:
// every adapter PEFT made loads through the package's loader (every adapter_config.json field
// PEFT wrote read or accepted) and gives PEFT's logits; every adapter peftlab makes from its seed
// goes through peftlab's writer and loader and gives the logits PEFT computed from the same files.
// So the loader, the writer's format and the numerics are each checked against PEFT.
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { frozenBase, readPeftAdapter, savePeftAdapter, type Adapter, type PeftAdapterFiles } from "@peftlab/adapters-base"
import { loadModel, quantizeModelLinearsAs, type BaseModel, type QuantizationReport } from "@peftlab/models"
import { adapterLogits, goldenQuantization, goldensDir, goldensFile, maxAbsDiff, writeGoldenBase, type AdapterGoldens, type PeftlabMadeCase, type PeftMadeCase } from "./peft-goldens.ts"

/**
 * float32 on both sides over two or three tiny layers: the sums differ in order only, a few ulps of logits
 * of size ~1, so 1e-4 absolute leaves two orders of magnitude of room and still catches any wrong
 * scale, layout or position (each moves logits by 1e-2 or more).
 */
export const peftGoldenTolerance = 1e-4

export interface PeftGoldenSuite {
  /** The adapters package's folder (its test/goldens holds the fixtures). */
  readonly packageDir: string
  readonly peftMade: ReadonlyArray<PeftMadeCase>
  readonly peftlabMade: ReadonlyArray<PeftlabMadeCase>
  /** The package's loader over PEFT's files. */
  readonly load: (model: BaseModel, files: PeftAdapterFiles) => Effect.Effect<Adapter, unknown>
  /** Further checks of a PEFT-made adapter as loaded (e.g. a text-initialised prompt's rows). */
  readonly inspect?: (name: string, model: BaseModel, adapter: Adapter) => Promise<void>
}

/** The case's base, NF4 for QLoRA or int8 where the case says (with its quantization report), for the length of `use`. */
const withBase = async <T>(golden: PeftMadeCase | PeftlabMadeCase, use: (model: BaseModel, quantized: QuantizationReport | undefined) => Promise<T>): Promise<T> => {
  const dir = await writeGoldenBase(golden.base)
  const model = await Effect.runPromise(loadModel(dir))
  rmSync(dir, { recursive: true })
  const kind = goldenQuantization(golden)
  const quantized = kind ? await quantizeModelLinearsAs(model, kind) : undefined
  try {
    return await use(model, quantized)
  } finally {
    quantized?.restore()
    model.dispose()
  }
}

const loadFolder = (suite: PeftGoldenSuite, model: BaseModel, dir: string): Promise<Adapter> =>
  Effect.runPromise(readPeftAdapter(dir).pipe(Effect.flatMap((files) => suite.load(model, files))))

export const describePeftGoldens = (suite: PeftGoldenSuite): void => {
  const goldens = JSON.parse(readFileSync(goldensFile(suite.packageDir), "utf8")) as AdapterGoldens
  const expected = (name: string) => {
    const found = goldens.cases.find((c) => c.name === name)
    if (!found) throw new Error(`${goldensFile(suite.packageDir)} has no case "${name}": run tools/goldens/adapters.ts`)
    return found.logits
  }
  /**
   * peftlab's logits of `adapter` against PEFT's, and PEFT's against the bare base's: the adapter must matter.
   * In the case's mode: a train case switches the adapter and the quantized base as PEFT's model.train() does.
   */
  const agree = async (name: string, model: BaseModel, adapter: Adapter, quantized: QuantizationReport | undefined, golden: PeftMadeCase | PeftlabMadeCase) => {
    const { batch, train = false, tolerance = peftGoldenTolerance } = golden
    const theirs = expected(name)
    adapter.setTraining?.(train)
    quantized?.setTraining(train)
    const diff = maxAbsDiff(await adapterLogits(model, adapter, batch), theirs)
    console.log(`${name}: max |peftlab - PEFT| = ${diff.toExponential(2)}`)
    // The logits are not small: a difference of 1e-4 is one in thousands of their spread.
    expect(Math.max(...theirs.flat(2).map(Math.abs))).toBeGreaterThan(0.1)
    expect(maxAbsDiff(await adapterLogits(model, frozenBase(), batch), theirs)).toBeGreaterThan(100 * peftGoldenTolerance)
    expect(diff).toBeLessThan(tolerance)
  }

  beforeAll(async () => {
    await tf.setBackend("cpu")
  })

  describe(`against PEFT ${goldens.peft} (transformers ${goldens.transformers}, torch ${goldens.torch})`, () => {
    it("the fixture holds every case", () => {
      expect(goldens.cases.map((c) => c.name).sort()).toEqual([...suite.peftMade, ...suite.peftlabMade].map((c) => c.name).sort())
    })

    it.each(suite.peftMade.map((c) => [c.name, c] as const))(`PEFT made %s: peftlab loads it and gives PEFT's logits within ${peftGoldenTolerance}`, async (name, golden) => {
      await withBase(golden, async (model, quantized) => {
        const adapter = await loadFolder(suite, model, join(goldensDir(suite.packageDir), name))
        try {
          await suite.inspect?.(name, model, adapter)
          await agree(name, model, adapter, quantized, golden)
        } finally {
          adapter.dispose()
        }
      })
    })

    it.each(suite.peftlabMade.map((c) => [c.name, c] as const))(`peftlab made %s: written, read back by peftlab, PEFT's logits of the same files within ${peftGoldenTolerance}`, async (name, golden) => {
      await withBase(golden, async (model, quantized) => {
        const made = golden.create(model)
        const dir = mkdtempSync(join(tmpdir(), "peftlab-golden-adapter-"))
        await Effect.runPromise(savePeftAdapter(dir, made))
        const before = await adapterLogits(model, made, golden.batch)
        made.dispose()
        const adapter = await loadFolder(suite, model, dir)
        rmSync(dir, { recursive: true })
        try {
          // Read back, it is the adapter that was written, to the bit.
          expect(maxAbsDiff(await adapterLogits(model, adapter, golden.batch), before)).toBe(0)
          await agree(name, model, adapter, quantized, golden)
        } finally {
          adapter.dispose()
        }
      })
    })
  })
}
