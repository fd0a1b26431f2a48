import * as tf from "@tensorflow/tfjs"
import { expectNoLeak } from "./backends.ts"
import { maxScaledError } from "./numbers.ts"

/** The gradients of Σ f(inputs) ⊙ upstream with respect to each input, read back. */
export const gradientValues = async (f: (...inputs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], upstream: tf.Tensor): Promise<Float32Array[]> => {
  const grads = tf.grads(f)(inputs, upstream)
  const values = await Promise.all(grads.map((g) => g.data<"float32">()))
  tf.dispose(grads)
  return values
}

/** max |got - want| over want's largest magnitude: the measure for gradients, which can be near 0 anywhere. */
export const errorRelativeToLargest = (got: ArrayLike<number>, want: ArrayLike<number>): number => {
  const largest = Math.max(...Array.from(want, Math.abs))
  return maxScaledError(got, want, Array.from(want, () => largest))
}

/** Checks that f(inputs), read back, and its gradients with respect to `inputs` leave no tensor behind. */
export const expectNoLeakForwardBackward = (f: (...inputs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): Promise<void> =>
  expectNoLeak(async () => {
    const y = f(...inputs)
    await y.data()
    const upstream = tf.onesLike(y)
    await gradientValues(f, inputs, upstream)
    tf.dispose([y, upstream])
  })
