import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { Rng } from "@peftlab/core"
import { spanHead, type SpanHead } from "@peftlab/models"
import { readPeftAdapter, restorePeftTensors, savePeftAdapter, withModulesToSave, type Adapter } from "../src/index.ts"

/** One trainable token, its config listing `kept` as a method with its own modules_to_save would. */
const oneToken = (value: number, kept: ReadonlyArray<string> = ["classifier"]): Adapter => {
  const token = tf.tidy(() => tf.variable(tf.fill([1, 4], value))) as tf.Variable<tf.Rank.R2>
  return {
    peftType: "ONE_TOKEN",
    trainable: [token],
    inject: () => ({ virtualTokens: token }),
    peftConfig: () => ({ peft_type: "ONE_TOKEN", modules_to_save: [...kept] }),
    peftTensors: () => new Map([["token", token]]),
    dispose: () => token.dispose(),
  }
}

const headOf = (seed: number): Promise<SpanHead> => Effect.runPromise(spanHead({ hiddenSize: 4, rng: Rng.seeded(seed) }))

const hidden = () => tf.tensor3d([[[0.5, -1, 2, 0.25], [1, 0, -0.5, 3]]])

const startLogits = async (head: SpanHead): Promise<Float32Array> => {
  const input = hidden()
  const { start, end } = head.apply(input)
  const values = (await start.data()) as Float32Array
  tf.dispose([input, start, end])
  return values
}

describe("withModulesToSave", () => {
  beforeAll(() => tf.setBackend("cpu"))

  it("trains and saves the head beside the adapter, as PEFT's modules_to_save, adding its name to those already listed", async () => {
    const head = await headOf(1)
    const inner = oneToken(0)
    const adapter = withModulesToSave(inner, [head])
    expect(adapter.peftType).toBe("ONE_TOKEN")
    expect(adapter.trainable).toEqual([inner.trainable[0], head.variables.get("qa_outputs.weight"), head.variables.get("qa_outputs.bias")])
    expect(adapter.peftConfig()).toEqual({ peft_type: "ONE_TOKEN", modules_to_save: ["classifier", "qa_outputs"] })
    const tensors = adapter.peftTensors()
    expect([...tensors.keys()]).toEqual(["token", "base_model.model.qa_outputs.weight", "base_model.model.qa_outputs.bias"])
    expect(tensors.get("base_model.model.qa_outputs.weight")).toBe(head.variables.get("qa_outputs.weight"))
    const relisted = oneToken(0, ["qa_outputs", "classifier"])
    expect(withModulesToSave(relisted, [head]).peftConfig()["modules_to_save"]).toEqual(["qa_outputs", "classifier"])
    relisted.dispose()
    const injected = tf.tidy(() => adapter.inject({} as never, 1).virtualTokens)
    expect(injected).toBe(inner.trainable[0])
    adapter.dispose()
    expect(inner.trainable[0]!.isDisposed).toBe(true)
    expect(head.variables.get("qa_outputs.weight")!.isDisposed).toBe(false)
    head.dispose()
  })

  it("saves with savePeftAdapter and restores into a fresh wrapper, whose head then gives the trained outputs", async () => {
    const [trainedHead, freshHead] = [await headOf(1), await headOf(2)]
    const [trainedToken, freshToken] = [oneToken(0.5), oneToken(0)]
    const dir = mkdtempSync(join(tmpdir(), "peftlab-modules-to-save-"))
    await Effect.runPromise(savePeftAdapter(dir, withModulesToSave(trainedToken, [trainedHead])))
    const before = await startLogits(freshHead)
    const fresh = withModulesToSave(freshToken, [freshHead])
    await Effect.runPromise(Effect.flatMap(readPeftAdapter(dir), (files) => restorePeftTensors(fresh, files)))
    const restored = await startLogits(freshHead)
    expect(restored).toEqual(await startLogits(trainedHead))
    expect(restored).not.toEqual(before)
    expect(await freshToken.trainable[0]!.data()).toEqual(Float32Array.from([0.5, 0.5, 0.5, 0.5]))
    ;[trainedToken, freshToken, trainedHead, freshHead].forEach((owner) => owner.dispose())
  })
})
