// What a forward pass checks of its input before computing anything, so a wrong shape fails
// with a message naming the argument rather than deep inside tfjs.
import type * as tf from "@tensorflow/tfjs"

export interface InputLimits {
  readonly hidden: number
  /** Positions before the current tokens (prefix or cache). */
  readonly pastLength: number
  /** For learned or tabled positions: the config field bounding them, and its value. */
  readonly maxPositions?: { readonly field: string; readonly value: number }
}

export const checkInput = (embeds: tf.Tensor3D, attentionMask: tf.Tensor2D | undefined, { hidden, pastLength, maxPositions }: InputLimits): void => {
  const [batch, time, width] = embeds.shape
  if (width !== hidden) throw new RangeError(`embeds: expected hidden size ${hidden}, got ${width}`)
  if (maxPositions && pastLength + time > maxPositions.value) {
    throw new RangeError(`embeds: ${pastLength + time} positions (prefix included) exceed ${maxPositions.field} ${maxPositions.value}`)
  }
  if (attentionMask && (attentionMask.shape[0] !== batch || attentionMask.shape[1] !== time)) {
    throw new RangeError(`attentionMask: expected shape [${batch}, ${time}], got [${attentionMask.shape.join(", ")}]`)
  }
}
