// A frozen base shared by worker threads instead of copied into each: the host bytes of its
// matrices (a bf16 checkpoint's, or NF4 codes and scales) live in SharedArrayBuffers, so the
// description below crosses to a worker (postMessage) without a copy, and the worker builds the
// same frozen matrices over the same memory. A data-parallel run of a 1.1B bf16 base then holds
// its 2.2 GB once, not once per thread.
import { isFrozenMatrix, type FrozenMatrix, type SharedMatrix } from "./frozen-matrix.ts"
import { nf4Matrix } from "./nf4-matrix.ts"
import { storedMatrix } from "./stored-matrix.ts"

/** Frozen matrices by parameter name, as Placement.shared takes them. */
export type SharedMatrices = ReadonlyMap<string, SharedMatrix>

const inSharedMemory = (share: SharedMatrix): boolean =>
  share.storage === "NF4" ? share.quantized.codes.buffer instanceof SharedArrayBuffer && share.quantized.absmax.buffer instanceof SharedArrayBuffer : share.bytes.buffer instanceof SharedArrayBuffer

/** The frozen matrices among `parameters` whose memory can be shared (all that the loader made). */
export const sharedMatrices = (parameters: ReadonlyMap<string, unknown>): SharedMatrices =>
  new Map(
    [...parameters].flatMap(([name, parameter]) => {
      if (!isFrozenMatrix(parameter) || !inSharedMemory(parameter.share)) return []
      return [[name, parameter.share] as const]
    }),
  )

/** The frozen matrix `share` describes, over its memory. */
export const matrixFromShare = (share: SharedMatrix): FrozenMatrix =>
  share.storage === "NF4" ? nf4Matrix(share.quantized, share.shape) : storedMatrix(share.storage, share.shape, share.bytes)
