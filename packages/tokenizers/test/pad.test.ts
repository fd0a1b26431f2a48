import { describe, expect, it } from "vitest"
import { padBatch } from "../src/index.ts"

describe("padBatch", () => {
  const sequences = [[5, 6, 7], [8], [9, 10]]

  it("pads on the right with a mask of the real tokens", () => {
    expect(padBatch(sequences, 0, "right")).toEqual({
      ids: [[5, 6, 7], [8, 0, 0], [9, 10, 0]],
      attentionMask: [[1, 1, 1], [1, 0, 0], [1, 1, 0]],
      lengths: [3, 1, 2],
    })
  })

  it("pads on the left so the last real token ends each row", () => {
    expect(padBatch(sequences, 99, "left")).toEqual({
      ids: [[5, 6, 7], [99, 99, 8], [99, 9, 10]],
      attentionMask: [[1, 1, 1], [0, 0, 1], [0, 1, 1]],
      lengths: [3, 1, 2],
    })
  })

  it("handles an empty batch and does not alias the input", () => {
    expect(padBatch([], 0, "right")).toEqual({ ids: [], attentionMask: [], lengths: [] })
    const input = [[1, 2]]
    padBatch(input, 0, "left").ids[0]![0] = 42
    expect(input[0]).toEqual([1, 2])
  })
})
