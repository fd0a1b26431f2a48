// A training step does no backward work below the lowest trainable parameter (issue 20, "No
// wasted work"). tfjs prunes the tape to the ops a trainable variable reaches
// (getFilteredNodesXToY); this checks that nothing in peftlab's step defeats that: LoRA on the top
// layer of a tiny Llama runs no gradient for any op recorded before its first adapter weight is
// read (the embedding and the whole lower layer), while LoRA on layer 0 does run a layer's
// worth more. Gradient checkpointing (a custom gradient tfjs cannot see into) must run exactly
// the gradients of the plain pass, plus its one op per checkpointed layer above the adapter.
import * as tf from "@tensorflow/tfjs"
import { plugin as cpu } from "@peftlab/backend-cpu"
import { createLora } from "@peftlab/adapters-lora"
import { Rng } from "@peftlab/core"
import { loadCausalLM, type CausalLM } from "@peftlab/models"
import { installLeanBackprop } from "@peftlab/trainer"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { writeTinyCheckpoint } from "../src/index.ts"
import { passOutput } from "./pass-output.ts"

interface TapeNode {
  readonly inputs: Readonly<Record<string, tf.Tensor>>
  gradient?: (dys: Array<tf.Tensor>) => unknown
}
interface EngineInternals {
  addTapeNode(...args: Array<unknown>): void
  state: { activeTape: Array<TapeNode> | null }
}

interface BackwardTrace {
  /** Ops recorded in the forward pass before the first one that reads an adapter weight. */
  readonly opsBeforeAdapter: number
  /** Gradient functions run for those ops (must be none). */
  readonly gradientsBeforeAdapter: number
  /** Gradient functions run in the whole step, a checkpointed layer's recomputation included. */
  readonly gradients: number
}

/** One training step's gradient (the trainer's: lean backprop on, under tf.variableGrads) of LoRA on `layers`, traced. */
const traceStep = (model: CausalLM, layers: ReadonlyArray<number>): BackwardTrace => {
  installLeanBackprop()
  const adapter = createLora(model, { r: 2, loraAlpha: 4, loraDropout: 0, targetModules: ["q_proj", "v_proj", "down_proj"], layersToTransform: [...layers], useRslora: false, bias: "none" }, Rng.seeded(5))
  const adapterIds = new Set(adapter.trainable.map((v) => v.id))
  const engine = tf.engine() as unknown as EngineInternals
  const addTapeNode = engine.addTapeNode
  let [forward, recorded, firstAdapterOp, gradients, gradientsBeforeAdapter] = [true, 0, -1, 0, 0]
  engine.addTapeNode = function (...args) {
    addTapeNode.apply(this, args)
    const node = engine.state.activeTape?.at(-1)
    if (!node?.gradient) return
    const index = forward ? recorded++ : Number.POSITIVE_INFINITY
    if (forward && firstAdapterOp < 0 && Object.values(node.inputs).some((input) => adapterIds.has(input.id))) firstAdapterOp = index
    const gradient = node.gradient
    node.gradient = (dys) => {
      gradients++
      if (firstAdapterOp < 0 || index < firstAdapterOp) gradientsBeforeAdapter++
      return gradient(dys)
    }
  }
  try {
    const { value, grads } = tf.variableGrads(() => {
      const loss = passOutput(model, adapter).square().mean() as tf.Scalar
      forward = false
      return loss
    }, [...adapter.trainable])
    expect(Object.keys(grads).length).toBe(adapter.trainable.length)
    tf.dispose([value, ...Object.values(grads)])
  } finally {
    engine.addTapeNode = addTapeNode
    adapter.dispose()
  }
  expect(firstAdapterOp).toBeGreaterThanOrEqual(0)
  return { opsBeforeAdapter: firstAdapterOp, gradientsBeforeAdapter, gradients }
}

describe("backward pass below the lowest adapted layer (cpu, tiny Llama with 2 layers)", () => {
  let model: CausalLM
  beforeAll(async () => {
    await cpu.setup()
    model = await Effect.runPromise(loadCausalLM(await writeTinyCheckpoint("llama", 2)))
  })
  afterAll(() => model?.dispose())

  it("runs no gradient below LoRA on the top layer, and a layer's worth more with LoRA on layer 0", () => {
    const top = traceStep(model, [1])
    const bottom = traceStep(model, [0])
    // Layer 0 lies below the top layer's first adapter read: its ops are all among those never differentiated.
    const layerOps = top.opsBeforeAdapter - bottom.opsBeforeAdapter
    expect(layerOps).toBeGreaterThan(10)
    expect(top.gradientsBeforeAdapter).toBe(0)
    expect(bottom.gradientsBeforeAdapter).toBe(0)
    // With LoRA on layer 0, its backward pass runs: at least the ops of layer 0 from q_proj up,
    // and every op of layer 1 on the path back to it.
    expect(bottom.gradients - top.gradients).toBeGreaterThan(10)
  })

  it("with gradient checkpointing, runs the plain pass's gradients and one per checkpointed layer above the adapter", () => {
    const plain = { top: traceStep(model, [1]), bottom: traceStep(model, [0]) }
    model.gradientCheckpointing!.enabled = true
    try {
      const checkpointed = { top: traceStep(model, [1]), bottom: traceStep(model, [0]) }
      // The top layer's checkpointed op: its recomputation differentiates only toward LoRA's
      // weights, never back through the frozen path to the layer's input.
      expect(checkpointed.top.gradients).toBe(plain.top.gradients + 1)
      // Both layers' ops; layer 1's recomputation now carries the gradient down to layer 0's output.
      expect(checkpointed.bottom.gradients).toBe(plain.bottom.gradients + 2)
      expect(checkpointed.top.gradientsBeforeAdapter).toBe(0)
    } finally {
      model.gradientCheckpointing!.enabled = false
    }
  })
})
