// One pass of any kind of model with an adapter over two fixed rows, for tests that compare
// what different models or adapters compute.
import * as tf from "@tensorflow/tfjs"
import { causalLogits, encoderOutputs, frozenBase, seq2seqLogits, type Adapter } from "@peftlab/adapters-base"
import { createPromptTuning } from "@peftlab/adapters-prompt"
import { Rng } from "@peftlab/core"
import { shiftTargetsRight, type BaseModel } from "@peftlab/models"

/** Every output of the pass, flattened: logits, or an encoder's hidden states then any pooled output. */
export const passOutput = (model: BaseModel, adapter: Adapter = frozenBase()): tf.Tensor1D =>
  tf.tidy(() => {
    const ids = tf.tensor2d([[5, 17, 33, 2], [9, 41, 1, 0]], undefined, "int32")
    const attentionMask = tf.tensor2d([[1, 1, 1, 1], [1, 1, 1, 0]], undefined, "int32")
    if (model.kind === "causal") return causalLogits(model, adapter, ids, attentionMask).flatten()
    if (model.kind === "seq2seq") return seq2seqLogits(model, adapter, { ids, attentionMask, decoderIds: shiftTargetsRight(ids, model.decoderStartTokenId) }).flatten()
    const { hidden, pooled } = encoderOutputs(model, adapter, { ids, attentionMask })
    return pooled ? tf.concat([hidden.flatten(), pooled.flatten()]) : hidden.flatten()
  })

/** The tensor's values, the tensor freed. */
export const valuesOf = async (t: tf.Tensor): Promise<Float32Array> => {
  const values = (await t.data()) as Float32Array
  t.dispose()
  return values
}

export const passValues = (model: BaseModel, adapter?: Adapter): Promise<Float32Array> => valuesOf(passOutput(model, adapter))

/** The gradient of a fixed function of the outputs for a soft prompt: it flows back through every frozen module. */
export const promptGradient = async (model: BaseModel): Promise<Float32Array> => {
  const prompt = createPromptTuning(model, { numVirtualTokens: 2, init: "random" }, Rng.seeded(4))
  const { value, grads } = tf.variableGrads(() => passOutput(model, prompt).square().mean() as tf.Scalar, [...prompt.trainable])
  const values = await valuesOf(grads[prompt.trainable[0]!.name]!)
  tf.dispose([value, ...Object.values(grads)])
  prompt.dispose()
  return values
}
