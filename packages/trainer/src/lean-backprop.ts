// tfjs's backward pass keeps the gradient of every intermediate tensor until the whole pass
// ends (tape.ts, backpropagateGradients, never frees a node's output gradients), so its peak
// memory is the forward activations plus a gradient for each of them. Torch frees each one as
// soon as the op that consumed it has run. This patch does the same. The tape is walked one
// node at a time, each node's input gradients all computed before the next node's gradient is
// asked for; so when a node's gradient is asked for, the previous node's output gradients are
// spent and are freed. An input gradient that is an output gradient passed through unchanged
// (Identity) is returned as a clone (same data, its own reference), so it survives.
import * as tf from "@tensorflow/tfjs"

type Gradient = (dys: Array<tf.Tensor>) => Record<string, () => tf.Tensor>

interface EngineInternals {
  addTapeNode(...args: Array<unknown>): void
  gradients(f: () => tf.Tensor, xs: Array<tf.Tensor>, dy?: tf.Tensor, allowNoGradients?: boolean): unknown
  state: { activeTape: Array<{ gradient?: Gradient }> | null }
}

/** The output gradients of the node whose gradient ran last, in the innermost gradients() call. */
let spent: Array<tf.Tensor> = []
/** The caller's own dy for the gradients() call under way: never ours to free. */
let callersDy: tf.Tensor | undefined
let installed = false

const freeing = (gradient: Gradient): Gradient => (dys) => {
  for (const dy of spent) if (!dy.isDisposed) dy.dispose()
  spent = dys.filter((dy) => dy !== callersDy)
  const thunks = gradient(dys)
  return Object.fromEntries(
    Object.entries(thunks).map(([name, thunk]) => [
      name,
      () => {
        const dx = thunk()
        return dys.includes(dx) ? dx.clone() : dx
      },
    ]),
  )
}

/** Installs the patch on tfjs's engine (once; later calls do nothing). Gradients are unchanged. */
export const installLeanBackprop = (): void => {
  if (installed) return
  installed = true
  const engine = tf.engine() as unknown as EngineInternals
  const addTapeNode = engine.addTapeNode.bind(engine)
  engine.addTapeNode = (...args) => {
    addTapeNode(...args)
    const node = engine.state.activeTape?.at(-1)
    if (node?.gradient) node.gradient = freeing(node.gradient)
  }
  const gradients = engine.gradients.bind(engine)
  engine.gradients = (f, xs, dy, allowNoGradients) => {
    const outer = { spent, callersDy }
    ;[spent, callersDy] = [[], dy]
    try {
      // The last node's output gradients are left to the backward pass's own tidy.
      return gradients(f, xs, dy, allowNoGradients)
    } finally {
      ;({ spent, callersDy } = outer)
    }
  }
}
