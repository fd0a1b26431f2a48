// The SVD-based LoRA inits as PEFT 0.21.2 computes them, on host float32 weights (the SVDs in
// float64, svd.ts). PiSSA (LoraLayer.pissa_init): V, S, Uh = svd(W); A = diag(sqrt(S_r / scale)) Uh_r,
// B = V_r diag(sqrt(S_r / scale)), the frozen weight W - scale B A; "pissa_niter_N" takes V_r, S_r,
// U_r from torch.svd_lowrank(W, r, niter=N) instead. LoftQ (peft.utils.loftq_utils.loftq_init,
// num_bits 4): res = W; each iteration quantizes res to NF4, takes the rank-r SVD of W - dequant
// as L = U_r sqrt(S_r), R = sqrt(S_r) Vh_r, and (but the last) sets res = W - L R; the frozen
// weight becomes the last NF4 codes, A = R, B = L. PEFT does not divide LoftQ's factors by the
// scale, so base + scale B A approximates W only when scale is 1 (lora_alpha = r).
import type { Rng } from "@peftlab/core"
import { dequantizeNf4, quantizeNf4, type Nf4Weights } from "@peftlab/models"
import { svd, svdLowRank, type Svd } from "./svd.ts"

/** A [r, in] and B [out, r], row-major float32. */
export interface HostFactors {
  readonly a: Float32Array
  readonly b: Float32Array
}

/** A = diag(sqrt(S_r / divisor)) Vᵀ_r and B = U_r diag(sqrt(S_r / divisor)) of a decomposed [out, in] matrix. */
const splitSingularValues = (d: Svd, [outFeatures, inFeatures]: readonly [number, number], r: number, divisor: number): HostFactors => {
  const roots = Float64Array.from({ length: r }, (_, i) => Math.sqrt(d.s[i]! / divisor))
  const a = Float32Array.from({ length: r * inFeatures }, (_, i) => roots[Math.floor(i / inFeatures)]! * d.vt[i]!)
  const b = Float32Array.from({ length: outFeatures * r }, (_, i) => d.u[Math.floor(i / r) * d.k + (i % r)]! * roots[i % r]!)
  return { a, b }
}

const checkRank = (what: string, r: number, [outFeatures, inFeatures]: readonly [number, number]): void => {
  if (r > Math.min(outFeatures, inFeatures)) throw new RangeError(`${what} needs r <= min(out, in) = ${Math.min(outFeatures, inFeatures)}, got r = ${r}`)
}

/** PiSSA's A and B of `weight` [out, in]: from the full SVD, or with `niter` from svdLowRank drawing from `rng`. */
export const pissaFactors = (weight: Float32Array, shape: readonly [number, number], r: number, scale: number, niter: number | undefined, rng: Rng): HostFactors => {
  checkRank("PiSSA", r, shape)
  const d = niter === undefined ? svd(weight, shape[0], shape[1]) : svdLowRank(weight, shape[0], shape[1], r, niter, rng)
  return splitSingularValues(d, shape, r, scale)
}

/** weight - scale * B A, float32 [out, in]: the frozen weight an init leaves behind. */
export const subtractUpdate = (weight: Float32Array, { a, b }: HostFactors, shape: readonly [number, number], r: number, scale: number): Float32Array => {
  const [outFeatures, inFeatures] = shape
  const out = Float32Array.from(weight)
  for (let o = 0; o < outFeatures; o++) {
    for (let k = 0; k < r; k++) {
      const bk = scale * b[o * r + k]!
      for (let i = 0; i < inFeatures; i++) out[o * inFeatures + i] = out[o * inFeatures + i]! - bk * a[k * inFeatures + i]!
    }
  }
  return out
}

export interface LoftqInit extends HostFactors {
  /** The frozen weight: NF4 codes (blocks of `blockSize`) of the last residual quantized. */
  readonly quantized: Nf4Weights
}

/** LoftQ's NF4 codes and A, B of `weight` [out, in] after `iterations` alternating steps (loftq_bits 4). */
export const loftqFactors = (weight: Float32Array, shape: readonly [number, number], r: number, iterations: number, blockSize = 64): LoftqInit => {
  checkRank("LoftQ", r, shape)
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError(`LoftQ needs loftq_iter >= 1, got ${iterations}`)
  let residual = weight
  for (let i = 0; ; i++) {
    const quantized = quantizeNf4(residual, blockSize)
    const dequantized = dequantizeNf4(quantized)
    const error = Float32Array.from(weight, (w, j) => w - dequantized[j]!)
    const factors = splitSingularValues(svd(error, shape[0], shape[1]), shape, r, 1)
    if (i + 1 === iterations) return { quantized, ...factors }
    residual = subtractUpdate(weight, factors, shape, r, 1)
  }
}
