// The model against reference logits computed in float64 by an independent PyTorch forward
// (see stories260k/README.md), on both backends.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { generateCausal, loadCausalLM, type CausalLM } from "../src/index.ts"
import { logitsOf, meanNll } from "./logit-helpers.ts"

const dir = stories260kDir

interface Reference {
  readonly prompts: ReadonlyArray<{
    readonly ids: ReadonlyArray<number>
    readonly last_logits: ReadonlyArray<number>
    readonly logits_first5_positions_first8: ReadonlyArray<ReadonlyArray<number>>
    readonly mean_nll: number
  }>
  readonly greedy_from_bos_60: ReadonlyArray<number>
}

const tolerance = 1e-4 // the README's float32-vs-float64 allowance

const maxAbsDiff = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): number => {
  expect(a.length).toBe(b.length)
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0)
}


const argmax = (row: ReadonlyArray<number>): number => row.reduce((best, v, i) => (v > (row[best] as number) ? i : best), 0)

describe("stories260k", () => {
  const reference = JSON.parse(readFileSync(join(dir, "reference_logits.json"), "utf8")) as Reference

  describe.each([cpu, wasm])("on the $name backend", (plugin) => {
    let model: CausalLM
    beforeAll(async () => {
      await plugin.setup()
      model = await Effect.runPromise(loadCausalLM(dir))
    })
    afterAll(() => model.dispose())

    it("has the README's 260,032 parameters, all frozen tensors", () => {
      expect(model.architecture).toBe("llama")
      expect(model.parameterCount()).toBe(260_032)
      expect(model.parameters.has("lm_head.weight")).toBe(false) // tied to the embeddings
      for (const tensor of model.parameters.values()) expect(tensor).not.toBeInstanceOf(tf.Variable)
    })

    it("reproduces the reference logits and mean NLL of every prompt", () => {
      for (const prompt of reference.prompts) {
        const logits = logitsOf(model, prompt.ids)
        expect(logits).toHaveLength(prompt.ids.length)
        expect(maxAbsDiff(logits.at(-1) as number[], prompt.last_logits)).toBeLessThan(tolerance)
        prompt.logits_first5_positions_first8.forEach((expected, position) => {
          expect(maxAbsDiff((logits[position] as number[]).slice(0, 8), expected)).toBeLessThan(tolerance)
        })
        expect(Math.abs(meanNll(logits, prompt.ids) - prompt.mean_nll)).toBeLessThan(tolerance)
      }
    })

    it("allocates no tensors that outlive a forward pass", () => {
      const before = tf.memory().numTensors
      logitsOf(model, reference.prompts[0]?.ids ?? [])
      expect(tf.memory().numTensors).toBe(before)
    })
  })

  it("decodes the reference greedy continuation from BOS, step by step and with the key/value cache (wasm)", async () => {
    await wasm.setup()
    const model = await Effect.runPromise(loadCausalLM(dir))
    const bos = 1 // config.json's bos_token_id
    const expected = reference.greedy_from_bos_60
    const ids = [bos]
    while (ids.length < expected.length) ids.push(argmax(logitsOf(model, ids).at(-1) as number[]))
    expect(ids).toEqual(expected)
    const before = tf.memory().numTensors
    const embeds = tf.tidy(() => model.embed(tf.tensor2d([[bos]], undefined, "int32")))
    const cached = await generateCausal(model, { embeds }, { maxNewTokens: expected.length - 1, eosTokenIds: [] })
    embeds.dispose()
    expect([bos, ...(cached[0] ?? [])]).toEqual(expected)
    expect(tf.memory().numTensors).toBe(before)
    model.dispose()
  })
})
