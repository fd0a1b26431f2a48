// trainableCopy on every architecture: the copy computes exactly what its base computes (and
// keeps its gradient checkpointing), gradients reach every one of its parameters, and changing
// it never changes the base.
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { loadModel, parameterValues, trainableCopy } from "@peftlab/models"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { tinyConfigs, writeTinyCheckpoint, type TinyArchitecture } from "../src/index.ts"
import { passOutput, passValues, valuesOf } from "./pass-output.ts"

const architectures = Object.keys(tinyConfigs) as TinyArchitecture[]

const loadTiny = async (architecture: TinyArchitecture) => Effect.runPromise(loadModel(await writeTinyCheckpoint(architecture, 5)))

describe("trainableCopy (cpu)", () => {
  beforeAll(() => cpu.setup())

  it.each(architectures)("%s: same kind, names and shapes, all variables; the same outputs bit for bit", async (architecture) => {
    const model = await loadTiny(architecture)
    const copy = trainableCopy(model)
    expect([copy.model.kind, copy.model.architecture]).toEqual([model.kind, model.architecture])
    expect([...copy.variables.keys()]).toEqual([...model.parameters.keys()])
    for (const [name, variable] of copy.variables) {
      expect(variable).toBeInstanceOf(tf.Variable)
      expect(variable.shape).toEqual(model.parameters.get(name)!.shape)
    }
    expect(await passValues(copy.model)).toEqual(await passValues(model))
    copy.dispose()
    // With the base's layers recomputed in the backward pass, the copy's are too.
    expect(model.gradientCheckpointing, architecture).toBeDefined()
    model.gradientCheckpointing!.enabled = true
    const checkpointedCopy = trainableCopy(model)
    expect(checkpointedCopy.model.gradientCheckpointing).toEqual({ enabled: true })
    checkpointedCopy.dispose()
    model.dispose()
  })

  it.each(architectures)("%s: gradients reach every parameter of the copy", async (architecture) => {
    const model = await loadTiny(architecture)
    const copy = trainableCopy(model)
    const { value, grads } = tf.variableGrads(() => passOutput(copy.model).square().sum())
    for (const name of copy.variables.keys()) {
      const variable = copy.variables.get(name)!
      const grad = grads[variable.name]
      expect(grad, name).toBeDefined()
      expect((await valuesOf(tf.tidy(() => grad!.abs().max())))[0], name).toBeGreaterThan(0)
    }
    tf.dispose([value, ...Object.values(grads)])
    copy.dispose()
    model.dispose()
  })

  it.each(architectures)("%s: changing a copy variable changes the copy's outputs, not the original's; dispose frees it all", async (architecture) => {
    const model = await loadTiny(architecture)
    const tensorsBefore = tf.memory().numTensors
    const original = await passValues(model)
    const parametersBefore = await Promise.all([...model.parameters.values()].map(parameterValues))
    const copy = trainableCopy(model)
    // The first attention projection's weight: a linear module's, so the copy's modules must read their variables.
    const weight = copy.variables.get(`${[...copy.model.linears.keys()][0]}.weight`)!
    tf.tidy(() => weight.assign(weight.mul(2)))
    const changed = await passValues(copy.model)
    expect(changed.some((v, i) => Math.abs(v - original[i]!) > 1e-4)).toBe(true)
    expect(await passValues(model)).toEqual(original)
    expect(await Promise.all([...model.parameters.values()].map(parameterValues))).toEqual(parametersBefore)
    copy.dispose()
    expect(tf.memory().numTensors).toBe(tensorsBefore)
    model.dispose()
  })

  it("gpt2: a Conv1D module's [out, in] weight follows its [in, out] variable after an update", async () => {
    const model = await loadTiny("gpt2")
    const copy = trainableCopy(model)
    const name = "transformer.h.0.attn.c_attn"
    const stored = copy.variables.get(`${name}.weight`)!
    tf.tidy(() => stored.assign(stored.add(1)))
    const module = copy.model.linears.get(name)!
    expect(module.shape).toEqual([stored.shape[1], stored.shape[0]])
    const expected = stored.transpose()
    const weight = module.readWeight()
    expect(await weight.array()).toEqual(await expected.array())
    tf.dispose([expected, weight])
    copy.dispose()
    model.dispose()
  })
})
