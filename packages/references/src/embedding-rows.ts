// The input the references take: rows of a checkpoint's embedding table, looked up in float64.
import type { Weights } from "./types.ts"

/** Rows `ids` of the [vocab, hidden] table `name` (e.g. "model.embed_tokens.weight"). */
export const embeddingRows = (weights: Weights, name: string, ids: ReadonlyArray<number>): number[][] => {
  const table = weights.get(name)
  if (!table) throw new Error(`test weights lack ${name}`)
  const hidden = table.shape[1] as number
  return ids.map((id) => Array.from(table.data.subarray(id * hidden, (id + 1) * hidden)))
}
