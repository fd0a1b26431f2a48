// Gradient checkpointing (HF's gradient_checkpointing_enable; torch.utils.checkpoint): a layer
// run as one op whose backward pass runs the layer again under its own tape, so training keeps
// each layer's input rather than every activation inside it. A 1.1B decoder at 1 x 256 tokens
// keeps 22 hidden states instead of the dozens of [batch, heads, time, time] and
// [batch, time, intermediate] tensors per layer that its backward pass would otherwise hold.
//
// The op's inputs are the tensors the layer reads that the forward pass made (hidden states,
// attention bias, positions, a prefix's keys and values: a tape keeps nothing else alive until
// the backward pass) and the trainable variables the layer reads (LoRA's A and B, a fine-tuned
// layer's weights), found by running the layer once off the tape, so gradients reach them. The
// layer must not look up modules when called: adapters put theirs in the model only for the
// length of a forward call, so the caller resolves them first. Random draws made inside the layer
// (LoRA's dropout seeds) go through replayableSeed: the recomputation draws the seeds the forward
// pass drew, as torch's preserve_rng_state does.
//
// The recomputation differentiates only in the inputs that a trainable variable reaches (tfjs's
// own pruning, getFilteredNodesXToY, cannot see inside a custom gradient): the lowest adapted
// layer's input hidden states, the attention bias and the positions get zeros without a backward
// pass through the frozen path, as they would get none at all without checkpointing.
import * as tf from "@tensorflow/tfjs"

let recording: Array<number> | undefined
let replaying: { readonly seeds: ReadonlyArray<number>; next: number } | undefined

/** A seed for a random op inside a layer: drawn by `draw`, or while a checkpointed layer is recomputed, the one its forward pass drew. */
export const replayableSeed = (draw: () => number): number => {
  if (replaying !== undefined) {
    const seed = replaying.seeds[replaying.next++]
    if (seed === undefined) throw new Error("a checkpointed layer drew more random seeds when recomputed than when first run")
    return seed
  }
  const seed = draw()
  recording?.push(seed)
  return seed
}

/** An op tfjs recorded for the backward pass. */
interface TapeNode {
  readonly inputs: Readonly<Record<string, tf.Tensor>>
  readonly outputs: ReadonlyArray<tf.Tensor>
}

/** What this file reaches of tfjs's engine beyond its public API. */
interface EngineInternals {
  readonly state: { kernelDepth: number; activeTape: Array<TapeNode> | null | undefined }
  runKernelFunc(params: { readonly inputs?: Readonly<Record<string, tf.Tensor | null | undefined>> }): unknown
}

/**
 * `f()` off the tape (tfjs records no op while it runs a kernel, kernelDepth > 0, and this runs
 * `f` the same way), with the id of every tensor an op read. The layer's first run keeps nothing
 * for the backward pass, and says which variables it reads.
 */
export const runUntaped = <T>(f: () => T): { readonly value: T; readonly read: ReadonlySet<number> } => {
  const engine = tf.engine() as unknown as EngineInternals
  const read = new Set<number>()
  const runKernelFunc = engine.runKernelFunc
  engine.runKernelFunc = function (params) {
    for (const input of Object.values(params.inputs ?? {})) if (input) read.add(input.id)
    return runKernelFunc.call(this, params)
  }
  engine.state.kernelDepth++
  try {
    return { value: f(), read }
  } finally {
    engine.state.kernelDepth--
    engine.runKernelFunc = runKernelFunc
  }
}

/** Per tape: the ids of the tensors a trainable variable reaches, over its first `scanned` nodes. */
const reachedOnTape = new WeakMap<ReadonlyArray<TapeNode>, { scanned: number; readonly ids: Set<number> }>()

const isTrainable = (t: tf.Tensor): boolean => t instanceof tf.Variable && t.trainable

/** Whether each of `tensors` is, or was computed on the active tape from, a trainable variable. */
const reachedByTrainable = (tensors: ReadonlyArray<tf.Tensor>): Array<boolean> => {
  const tape = (tf.engine() as unknown as EngineInternals).state.activeTape
  // No tape open (an inference pass, or before any gradient was taken: tfjs leaves it undefined then).
  if (tape == null) return tensors.map(isTrainable)
  const reached = reachedOnTape.get(tape) ?? { scanned: 0, ids: new Set<number>() }
  reachedOnTape.set(tape, reached)
  // The tape only grows during a forward pass: each node is looked at once.
  for (; reached.scanned < tape.length; reached.scanned++) {
    const node = tape[reached.scanned] as TapeNode
    if (Object.values(node.inputs).some((input) => isTrainable(input) || reached.ids.has(input.id))) for (const output of node.outputs) reached.ids.add(output.id)
  }
  return tensors.map((t) => isTrainable(t) || reached.ids.has(t.id))
}

/**
 * `layer(...inputs)`, differentiable in the trainable variables it reads and in those of its
 * inputs that a trainable variable reaches (the others get zeros: gradients are taken by
 * tf.variableGrads, whose xs are trainable variables, never by tf.grad in a plain tensor),
 * keeping only `inputs` for the backward pass. Only the variables it read become the op's inputs:
 * with every trainable variable (a full fine-tune's whole model) each layer's backward pass would
 * return zeros for all the others, a model's worth of memory per layer.
 */
export const checkpointed = <T extends tf.Tensor>(layer: (...inputs: Array<tf.Tensor>) => T, inputs: ReadonlyArray<tf.Tensor>): T => {
  const count = inputs.length
  const seeds: Array<number> = []
  recording = seeds
  let run: { readonly value: T; readonly read: ReadonlySet<number> }
  try {
    run = runUntaped(() => tf.tidy(() => layer(...inputs)))
  } finally {
    recording = undefined
  }
  const { value, read } = run
  const variables = Object.values(tf.engine().registeredVariables).filter((v) => v.trainable && read.has(v.id))
  const needsGradient = reachedByTrainable(inputs)
  const op = tf.customGrad((...args) => {
    const xs = args.slice(0, count) as Array<tf.Tensor>
    const save = args[args.length - 1] as tf.GradSaveFunc
    save(xs)
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: Array<tf.Tensor>) =>
        tf.tidy(() => {
          const wrt = [...saved.filter((_, i) => needsGradient[i]), ...variables]
          // tfjs runs a backward pass with no tape open, so a gradient taken inside one starts
          // the engine's tape afresh and drops it when done: the outer pass's tape (whose saved
          // tensors it frees at its end) is put back afterwards.
          const engine = tf.engine()
          const outerTape = engine.state.activeTape
          replaying = { seeds, next: 0 }
          try {
            const { grads } = engine.gradients(() => layer(...saved), wrt, dy, true)
            // An input the layer does not use has no gradient from it (undefined, or null).
            const gradOf = (i: number) => grads[i] ?? tf.zerosLike(wrt[i]!)
            let next = 0
            const inputGrads = saved.map((input, i) => (needsGradient[i] ? gradOf(next++) : tf.zerosLike(input)))
            return [...inputGrads, ...variables.map(() => gradOf(next++))]
          } finally {
            replaying = undefined
            engine.state.activeTape = outerTape
          }
        }),
    }
  })
  return op(...inputs, ...variables) as T
}
