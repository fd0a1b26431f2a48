export interface PaddedBatch {
  readonly ids: Array<Array<number>>
  /** 1 for real tokens, 0 for padding. */
  readonly attentionMask: Array<Array<number>>
  /** Unpadded length of each sequence. */
  readonly lengths: Array<number>
}

/**
 * Pads every sequence to the longest one. Left padding keeps the last real token in the
 * last column, which is where a decoder-only model's next-token logits are read.
 */
export const padBatch = (sequences: ReadonlyArray<ReadonlyArray<number>>, padId: number, side: "right" | "left"): PaddedBatch => {
  const width = sequences.reduce((max, seq) => Math.max(max, seq.length), 0)
  const pad = (seq: ReadonlyArray<number>, fill: number, real: (id: number) => number): Array<number> => {
    const padding = new Array<number>(width - seq.length).fill(fill)
    const body = seq.map(real)
    return side === "left" ? [...padding, ...body] : [...body, ...padding]
  }
  return {
    ids: sequences.map((seq) => pad(seq, padId, (id) => id)),
    attentionMask: sequences.map((seq) => pad(seq, 0, () => 1)),
    lengths: sequences.map((seq) => seq.length),
  }
}
