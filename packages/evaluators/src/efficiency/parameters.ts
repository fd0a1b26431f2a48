export interface TrainableParameterSummary {
  readonly trainable: number
  readonly total: number
  /** 100 · trainable / total. */
  readonly percent: number
}

export const trainableParameterSummary = (trainable: number, total: number): TrainableParameterSummary => {
  if (!Number.isInteger(total) || total <= 0) throw new RangeError(`total parameters must be a positive integer, got ${total}`)
  if (!Number.isInteger(trainable) || trainable < 0 || trainable > total) {
    throw new RangeError(`trainable parameters must be an integer in [0, ${total}], got ${trainable}`)
  }
  return { trainable, total, percent: (100 * trainable) / total }
}
