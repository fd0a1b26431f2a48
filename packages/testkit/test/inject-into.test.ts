// An injection's `base` runs the whole pass in place of the caller's model, on every kind of
// model and in generation too; a base of another kind is refused.
import * as tf from "@tensorflow/tfjs"
import { frozenBase, generateWith, injectInto, type Adapter } from "@peftlab/adapters-base"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { loadModel, type BaseModel } from "@peftlab/models"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { tinyConfigs, writeTinyCheckpoint, type TinyArchitecture } from "../src/index.ts"
import { passValues } from "./pass-output.ts"

const architectures = Object.keys(tinyConfigs) as TinyArchitecture[]

const loadTiny = async (architecture: TinyArchitecture, seed: number) => Effect.runPromise(loadModel(await writeTinyCheckpoint(architecture, seed)))

/** An adapter that adds nothing but hands the pass to `base`. */
const runOn = (base: BaseModel): Adapter => ({ ...frozenBase(), inject: () => ({ base }) })

describe("injectInto: the injection's base runs the pass (cpu)", () => {
  beforeAll(() => cpu.setup())

  it.each(architectures)("%s: outputs are the base's own, not the caller's model's", async (architecture) => {
    const [caller, base] = [await loadTiny(architecture, 2), await loadTiny(architecture, 3)]
    const viaBase = await passValues(caller, runOn(base))
    expect(viaBase).toEqual(await passValues(base))
    expect(viaBase).not.toEqual(await passValues(caller))
    // Neither adapter makes a tensor, so no tidy is needed around inject.
    expect(injectInto(caller, runOn(base), 1).model).toBe(base)
    expect(injectInto(caller, frozenBase(), 1).model).toBe(caller)
    caller.dispose()
    base.dispose()
  })

  it.each(["llama", "t5"] as const)("%s: generation decodes with the base", async (architecture) => {
    const [caller, base] = [await loadTiny(architecture, 2), await loadTiny(architecture, 3)]
    if (caller.kind === "encoder" || base.kind === "encoder") throw new Error("expected a language model")
    const ids = tf.tensor2d([[5, 17, 33, 9]], undefined, "int32")
    const mask = tf.onesLike(ids) as tf.Tensor2D
    const options = { maxNewTokens: 4, eosTokenIds: [] }
    const viaBase = await generateWith(caller, runOn(base), ids, mask, options)
    expect(viaBase).toEqual(await generateWith(base, frozenBase(), ids, mask, options))
    expect(viaBase).not.toEqual(await generateWith(caller, frozenBase(), ids, mask, options))
    tf.dispose([ids, mask])
    caller.dispose()
    base.dispose()
  })

  it("refuses a base of another kind", async () => {
    const [llama, bert] = [await loadTiny("llama", 2), await loadTiny("bert", 2)]
    expect(() => injectInto(llama, runOn(bert), 1)).toThrow("the adapter's base is a encoder model, but the pass is over a causal model")
    llama.dispose()
    bert.dispose()
  })
})
