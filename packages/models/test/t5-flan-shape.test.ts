// A random checkpoint of flan-t5-small's exact shape (77M parameters) loads and runs. Its own
// file so that it runs beside the other tests.
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { loadSeq2SeqLM, writeRandomCheckpoint } from "../src/index.ts"

const models = process.env.PEFTLAB_MODELS
if (!models) console.warn("skipping the flan-t5-small shape test: PEFTLAB_MODELS unset")

describe.skipIf(!models)("a random checkpoint of flan-t5-small's shape (cpu)", () => {
  it("loads, with flan-t5-small's 76,961,152 parameters, and runs encode and decode once", async () => {
    await cpu.setup()
    const json = JSON.parse(readFileSync(join(models ?? "", "flan-t5-small", "config.json"), "utf8")) as Record<string, unknown>
    const dir = mkdtempSync(join(tmpdir(), "peftlab-flan-t5-"))
    try {
      await Effect.runPromise(writeRandomCheckpoint(dir, json, 1))
      const model = await Effect.runPromise(loadSeq2SeqLM(dir))
      // 8 encoder blocks (q, k, v, o of 384x512, gated feed-forward 3x512x1024, 2 norms), 8 decoder blocks
      // (two attentions, 3 norms), two bias tables 32x6, two final norms, shared and untied head 32128x512.
      expect(model.parameterCount()).toBe(8 * (4 * 384 * 512 + 3 * 512 * 1024 + 2 * 512) + 8 * (8 * 384 * 512 + 3 * 512 * 1024 + 3 * 512) + 2 * 32 * 6 + 2 * 512 + 2 * 32128 * 512)
      expect(model.parameterCount()).toBe(76961152)
      expect([model.decoderStartTokenId, ...model.eosTokenIds, model.dims.num_hidden_layers, model.dims.head_dim]).toEqual([0, 1, 8, 64])
      const logits = tf.tidy(() => {
        const encoderHidden = model.encode({ embeds: model.embed(tf.tensor2d([[100, 2000, 31000, 5, 1]], undefined, "int32")) })
        return model.decode({ embeds: model.embed(tf.tensor2d([[0, 17, 300]], undefined, "int32")), encoderHidden }).arraySync()
      })
      expect([logits.length, logits[0]!.length, logits[0]![0]!.length]).toEqual([1, 3, 32128])
      expect(logits.flat(2).every(Number.isFinite)).toBe(true)
      model.dispose()
    } finally {
      rmSync(dir, { recursive: true })
    }
  }, 60_000)
})
