// Reads from the backend to the host, always asynchronous: backends such as webgpu under Node
// cannot read synchronously, and an async read lets other work run while the device finishes.
import type * as tf from "@tensorflow/tfjs"

/** Each tensor's values, in order. */
export const valuesOf = (tensors: ReadonlyArray<tf.Tensor>): Promise<Array<Float32Array>> =>
  Promise.all(tensors.map((t) => t.data() as Promise<Float32Array>))

export const scalarValue = async (scalar: tf.Tensor): Promise<number> => (await scalar.data())[0] as number
