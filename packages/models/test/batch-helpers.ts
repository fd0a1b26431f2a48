// Padded batches and logit comparisons that the architecture tests share.
import * as tf from "@tensorflow/tfjs"

/** Ids padded with `pad` to the longest row, on the given side, and the matching attention mask. */
export const padBatch = (rows: ReadonlyArray<ReadonlyArray<number>>, side: "left" | "right", pad = 0) => {
  const time = Math.max(...rows.map((r) => r.length))
  const place = <T>(row: ReadonlyArray<T>, filler: T): T[] => {
    const padding = Array<T>(time - row.length).fill(filler)
    return side === "left" ? [...padding, ...row] : [...row, ...padding]
  }
  return {
    ids: tf.tensor2d(rows.map((r) => place(r, pad)), [rows.length, time], "int32"),
    mask: tf.tensor2d(rows.map((r) => place(r.map(() => 1), 0)), [rows.length, time], "int32"),
  }
}

/** The largest absolute difference between two [rows][columns] arrays (NaN when their shapes differ). */
export const maxAbsDiff = (a: ReadonlyArray<ReadonlyArray<number>>, b: ReadonlyArray<ReadonlyArray<number>>): number =>
  a.length !== b.length ? Number.NaN : Math.max(...a.map((row, i) => Math.max(...row.map((v, j) => Math.abs(v - (b[i]?.[j] ?? Number.NaN))))))
