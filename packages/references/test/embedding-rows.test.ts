import { describe, expect, it } from "vitest"
import { embeddingRows } from "../src/index.ts"
import { toyWeights } from "./toy-weights.ts"

describe("embeddingRows", () => {
  const weights = toyWeights({ "model.embed_tokens.weight": [[1, 2], [3, 4], [5, 6]] })

  it("returns the table's rows in the order of the ids, repeats included", () => {
    expect(embeddingRows(weights, "model.embed_tokens.weight", [2, 0, 2])).toEqual([[5, 6], [1, 2], [5, 6]])
  })

  it("names the table the weights lack", () => {
    expect(() => embeddingRows(weights, "shared.weight", [0])).toThrow("test weights lack shared.weight")
  })
})
