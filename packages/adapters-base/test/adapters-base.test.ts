import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { causalLogits } from "@peftlab/adapters-base"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { loadCausalLM, type CausalLM } from "@peftlab/models"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { disposeSnapshot, frozenBase, readPeftAdapter, restorePeftTensors, restoreSnapshot, savePeftAdapter, takeSnapshot, trainableParameterCount, type Adapter } from "../src/index.ts"

describe("snapshots", () => {
  it("restore the values taken, after the variables have changed", () => {
    const a = tf.variable(tf.tensor1d([1, 2]))
    const b = tf.variable(tf.tensor2d([[3]]))
    const snapshot = takeSnapshot([a, b])
    a.assign(tf.tensor1d([9, 9]))
    b.assign(tf.tensor2d([[9]]))
    restoreSnapshot([a, b], snapshot)
    expect(a.arraySync()).toEqual([1, 2])
    expect(b.arraySync()).toEqual([[3]])
    const before = tf.memory().numTensors
    disposeSnapshot(snapshot)
    expect(tf.memory().numTensors).toBe(before - 2)
    tf.dispose([a, b])
  })
})

describe("trainableParameterCount", () => {
  it("sums the sizes of the trainable variables", () => {
    const vars = [tf.variable(tf.zeros([4, 3])), tf.variable(tf.zeros([5]))]
    const adapter: Adapter = { ...frozenBase(), trainable: vars }
    expect(trainableParameterCount(adapter)).toBe(17)
    tf.dispose(vars)
  })
})

describe("frozenBase on stories260k", () => {
  let model: CausalLM
  beforeAll(async () => {
    await tf.setBackend("cpu")
    model = await Effect.runPromise(loadCausalLM(stories260kDir))
  })
  afterAll(() => model?.dispose())

  it("trains nothing and gives exactly the model's own logits", () => {
    const adapter = frozenBase()
    expect(trainableParameterCount(adapter)).toBe(0)
    expect(adapter.peftTensors().size).toBe(0)
    const ids = tf.tensor2d([[1, 403, 407]], [1, 3], "int32")
    const mask = tf.ones([1, 3], "int32") as tf.Tensor2D
    const got = tf.tidy(() => causalLogits(model, adapter, ids, mask))
    const expected = tf.tidy(() => model.forward({ embeds: model.embed(ids), attentionMask: mask }))
    expect(Array.from(got.dataSync())).toEqual(Array.from(expected.dataSync()))
    tf.dispose([ids, mask, got, expected])
  })
})

describe("restorePeftTensors", () => {
  /** An adapter that is nothing but the given named tensors. */
  const namedTensors = (tensors: ReadonlyArray<readonly [string, tf.Tensor]>): Adapter => ({
    peftType: "TEST",
    trainable: tensors.flatMap(([, t]) => (t instanceof tf.Variable ? [t] : [])),
    inject: () => ({}),
    peftConfig: () => ({ peft_type: "TEST" }),
    peftTensors: () => new Map(tensors),
    dispose: () => tf.dispose(tensors.map(([, t]) => t)),
  })

  it("puts saved values back by PEFT name, and names the file and tensor for a missing or misshapen one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-restore-"))
    const saved = namedTensors([["a", tf.variable(tf.tensor1d([1, 2, 3]))], ["b", tf.variable(tf.tensor2d([[4, 5]]))]])
    await Effect.runPromise(savePeftAdapter(dir, saved))
    const files = await Effect.runPromise(readPeftAdapter(dir))
    const fresh = namedTensors([["a", tf.variable(tf.zeros([3]))], ["b", tf.variable(tf.zeros([1, 2]))]])
    await Effect.runPromise(restorePeftTensors(fresh, files))
    expect([...fresh.peftTensors()].map(([name, t]) => [name, t.arraySync()])).toEqual([["a", [1, 2, 3]], ["b", [[4, 5]]]])

    const misshapen = namedTensors([["a", tf.variable(tf.zeros([4]))]])
    const wrong = await Effect.runPromise(Effect.flip(restorePeftTensors(misshapen, files)))
    expect(wrong).toMatchObject({ _tag: "AdapterFileError", source: join(dir, "adapter_model.safetensors"), detail: 'tensor "a": expected shape [4], got [3]' })
    const computed = namedTensors([["b", tf.zeros([1, 2])]])
    expect((await Effect.runPromise(Effect.flip(restorePeftTensors(computed, files)))).detail).toContain('tensor "b" is computed by this adapter')
    ;[saved, fresh, misshapen, computed].forEach((a) => a.dispose())
  })
})

describe("readPeftAdapter", () => {
  it("refuses an adapter_config.json that is not an object of config fields, or not JSON, naming the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-peft-config-"))
    const file = join(dir, "adapter_config.json")
    writeFileSync(file, JSON.stringify(["LORA"]))
    expect(await Effect.runPromise(Effect.flip(readPeftAdapter(dir)))).toMatchObject({ _tag: "AdapterFileError", source: file, detail: 'Expected object, got ["LORA"]' })
    writeFileSync(file, '{ "peft_type": ')
    expect((await Effect.runPromise(Effect.flip(readPeftAdapter(dir)))).detail).toMatch(/^not readable as JSON/)
  })
})
