// The ia3 method on stories260k (a Llama): fresh vectors leave the model as it was, vectors go
// in and out of PEFT's files under their PEFT names, and IA3Config fields it cannot honour are
// refused by name. Folders built by hand.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect, Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { causalLogits, frozenBase, readPeftAdapter, savePeftAdapter, type Adapter } from "@peftlab/adapters-base"
import { Rng } from "@peftlab/core"
import { loadCausalLM, type CausalLM } from "@peftlab/models"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { expectFieldRefused, peftFolderLoader } from "@peftlab/testkit/peft-folder"
import { ia3, ia3TensorName, Ia3Options, loadIa3 } from "../src/index.ts"

/** IA3Config.to_dict() as PEFT 0.21.2 writes it for stories260k, k/v scaled and down_proj's input. */
const peftDefault = {
  auto_mapping: null,
  base_model_name_or_path: "stories260k",
  exclude_modules: null,
  fan_in_fan_out: false,
  feedforward_modules: ["down_proj"],
  inference_mode: true,
  init_ia3_weights: true,
  modules_to_save: null,
  peft_type: "IA3",
  peft_version: "0.21.2",
  revision: null,
  target_modules: ["k_proj", "v_proj", "down_proj"],
  task_type: "CAUSAL_LM",
}

const options = Schema.decodeUnknownSync(Ia3Options)({ target_modules: ["k_proj", "v_proj", "down_proj"], feedforward_modules: ["down_proj"] })

/** The logits of a fixed batch through `adapter`. */
const logits = (model: CausalLM, adapter: Adapter = frozenBase()) =>
  tf.tidy(() => causalLogits(model, adapter, tf.tensor2d([[1, 5, 9, 14]], undefined, "int32"), tf.ones([1, 4], "int32") as tf.Tensor2D).arraySync())

describe("the ia3 method", () => {
  let model: CausalLM
  beforeAll(async () => {
    await tf.setBackend("cpu")
    model = await Effect.runPromise(loadCausalLM(stories260kDir))
  })
  afterAll(() => model?.dispose())

  const shapes = () => {
    const adapter = ia3.create(model, options, { rng: Rng.seeded(1), modelPath: "stories260k" })
    const found = Object.fromEntries([...adapter.peftTensors()].map(([name, t]) => [name, t.shape]))
    adapter.dispose()
    return found
  }
  const folders = peftFolderLoader((files) => loadIa3(model, files))

  it("starts at ones, so the model computes what the base does; one vector per targeted module, [out, 1] or [1, in]", () => {
    const adapter = ia3.create(model, options, { rng: Rng.seeded(1), modelPath: "stories260k" })
    expect(logits(model, adapter)).toEqual(logits(model))
    const found = shapes()
    expect(Object.keys(found)).toHaveLength(15)
    expect(found[ia3TensorName("model.layers.0.self_attn.k_proj")]).toEqual([model.linears.get("model.layers.0.self_attn.k_proj")!.shape[0], 1])
    expect(found[ia3TensorName("model.layers.0.mlp.down_proj")]).toEqual([1, model.linears.get("model.layers.0.mlp.down_proj")!.shape[1]])
    adapter.dispose()
  })

  it("saves in PEFT's layout and loads back to the same outputs", async () => {
    const adapter = ia3.create(model, options, { rng: Rng.seeded(1), modelPath: "stories260k" })
    adapter.trainable.forEach((v, i) => v.assign(tf.fill(v.shape, 1 + 0.1 * ((i % 3) + 1))))
    const dir = mkdtempSync(join(tmpdir(), "ia3-"))
    await Effect.runPromise(savePeftAdapter(dir, adapter))
    const loaded = await Effect.runPromise(Effect.flatMap(readPeftAdapter(dir), (files) => ia3.load(model, files)))
    expect(logits(model, loaded)).toEqual(logits(model, adapter))
    expect(logits(model, loaded)).not.toEqual(logits(model))
    adapter.dispose()
    loaded.dispose()
  })

  it("loads PEFT's defaults", async () => {
    const { exit } = await folders.load(peftDefault, shapes())
    expect(exit._tag).toBe("Success")
    if (exit._tag === "Success") exit.value.dispose()
  })

  it.each([
    ["feedforward_modules", null, "module names or a regex"],
    ["exclude_modules", ["k_proj"], "null: excluding modules is not implemented"],
    ["fan_in_fan_out", true, "false: this llama model's linear modules are nn.Linear, stored [out, in]"],
    ["modules_to_save", ["lm_head"], "null or []: loading whole modules saved beside the adapter is not implemented"],
    ["use_dora", false, "not a field of PEFT 0.21.2's IA3Config"],
  ])("refuses %s: %j by name", async (field, value, supported) => {
    const refusal = await folders.refusal({ ...peftDefault, [field]: value }, shapes())
    expectFieldRefused(refusal, field, value, supported)
  })
})
