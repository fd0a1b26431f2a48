// Trainable task heads over a frozen BERT encoder, as transformers' BertForQuestionAnswering
// ("qa_outputs": start and end logits per token) and BertForSequenceClassification
// ("classifier" on the pooled output). Their tf.Variables go by HF's tensor names, so they can
// be saved beside an adapter (PEFT's modules_to_save) and read back from a fine-tuned checkpoint.
import * as tf from "@tensorflow/tfjs"
import type { Rng } from "@peftlab/core"
import { Effect } from "effect"
import { ModelFileError } from "../model-file-error.ts"
import type { SafetensorsTensor } from "../safetensors/index.ts"

export interface HeadOptions {
  readonly hiddenSize: number
  /** The std of the initial weights: config.json's initializer_range (BertConfig's default, 0.02, when left out). */
  readonly initializerRange?: number
  /** Draws the initial weights, normal(0, initializerRange); biases start at zero, as HF's _init_weights. */
  readonly rng: Rng
  /** A checkpoint's tensors (readSafetensors) and its path: when it holds this head's tensors they are the start instead. */
  readonly checkpoint?: { readonly tensors: ReadonlyMap<string, SafetensorsTensor>; readonly source: string }
}

interface TrainableHead {
  /** HF module name: "qa_outputs" or "classifier". */
  readonly name: string
  /** The only trainable tensors, by HF name ("<name>.weight" [out, hidden], "<name>.bias" [out]). */
  readonly variables: ReadonlyMap<string, tf.Variable>
  dispose(): void
}

export interface SpanHead extends TrainableHead {
  /** Encoder output [batch, time, hidden] -> start and end logits, [batch, time] each. */
  apply(hidden: tf.Tensor3D): { readonly start: tf.Tensor2D; readonly end: tf.Tensor2D }
}

export interface ClassificationHead extends TrainableHead {
  readonly numLabels: number
  /** Pooled output [batch, hidden] -> logits [batch, numLabels]. */
  apply(pooled: tf.Tensor2D): tf.Tensor2D
}

/** The head's stored tensors as [weight, bias], undefined when the checkpoint has neither. */
const storedTensors = (name: string, shapes: { weight: number[]; bias: number[] }, { tensors, source }: NonNullable<HeadOptions["checkpoint"]>) =>
  Effect.gen(function* () {
    const [weight, bias] = [tensors.get(`${name}.weight`), tensors.get(`${name}.bias`)]
    if (weight === undefined && bias === undefined) return undefined
    for (const [part, tensor, shape] of [["weight", weight, shapes.weight], ["bias", bias, shapes.bias]] as const) {
      if (tensor === undefined) return yield* Effect.fail(new ModelFileError({ source, detail: `missing tensor "${name}.${part}" (the checkpoint has the other half of the head)` }))
      if (tensor.shape.join(",") !== shape.join(",")) {
        return yield* Effect.fail(new ModelFileError({ source, detail: `tensor "${name}.${part}" has shape [${tensor.shape.join(", ")}], but the head needs [${shape.join(", ")}]` }))
      }
    }
    return [weight, bias] as const
  })

/** A variable holding `initial`'s values; `initial` itself is freed. */
const variableOf = (initial: tf.Tensor): tf.Variable => {
  const variable = tf.variable(initial)
  initial.dispose()
  return variable
}

/** A trainable nn.Linear(hiddenSize, outputs) named `name`: x [..., hidden] -> [..., outputs]. */
const trainableLinear = (name: string, outputs: number, options: HeadOptions) =>
  Effect.gen(function* () {
    const { hiddenSize, initializerRange = 0.02, rng } = options
    const shapes = { weight: [outputs, hiddenSize], bias: [outputs] }
    const stored = options.checkpoint && (yield* storedTensors(name, shapes, options.checkpoint))
    const weightData = stored?.[0]?.data ?? Float32Array.from({ length: outputs * hiddenSize }, () => initializerRange * rng.normal())
    const weight = variableOf(tf.tensor2d(weightData, [outputs, hiddenSize]))
    const bias = variableOf(tf.tensor1d(stored?.[1]?.data ?? new Float32Array(outputs)))
    return {
      variables: new Map([
        [`${name}.weight`, weight],
        [`${name}.bias`, bias],
      ]),
      project: (x: tf.Tensor): tf.Tensor =>
        tf.tidy(() => tf.matMul(x.reshape([-1, hiddenSize]), weight, false, true).add(bias).reshape([...x.shape.slice(0, -1), outputs])),
      dispose: () => tf.dispose([weight, bias]),
    }
  })

/** BertForQuestionAnswering's qa_outputs: Linear(hidden, 2) split into start and end logits. */
export const spanHead = (options: HeadOptions): Effect.Effect<SpanHead, ModelFileError> =>
  Effect.map(trainableLinear("qa_outputs", 2, options), ({ variables, project, dispose }) => ({
    name: "qa_outputs",
    variables,
    apply: (hidden) =>
      tf.tidy(() => {
        const [start, end] = tf.unstack(project(hidden), 2) as [tf.Tensor2D, tf.Tensor2D]
        return { start, end }
      }),
    dispose,
  }))

/** BertForSequenceClassification's classifier: Linear(hidden, numLabels) on the pooled output. */
export const classificationHead = (options: HeadOptions & { readonly numLabels: number }): Effect.Effect<ClassificationHead, ModelFileError> => {
  if (!Number.isInteger(options.numLabels) || options.numLabels < 1) throw new RangeError(`numLabels: expected a positive integer, got ${options.numLabels}`)
  return Effect.map(trainableLinear("classifier", options.numLabels, options), ({ variables, project, dispose }) => ({
    name: "classifier",
    numLabels: options.numLabels,
    variables,
    apply: (pooled) => project(pooled) as tf.Tensor2D,
    dispose,
  }))
}
