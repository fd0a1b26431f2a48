// Float64 plain-loop references of each kernel, from their formulas, sharing no code with src/.
// Matrices are row-major flat arrays.

export const rmsNormReference = (x: ArrayLike<number>, weight: ArrayLike<number>, eps: number): Float64Array => {
  const cols = weight.length
  const y = new Float64Array(x.length)
  for (let start = 0; start < x.length; start += cols) {
    let sumOfSquares = 0
    for (let c = 0; c < cols; c++) sumOfSquares += (x[start + c] as number) ** 2
    const inverseRms = 1 / Math.sqrt(sumOfSquares / cols + eps)
    for (let c = 0; c < cols; c++) y[start + c] = (x[start + c] as number) * inverseRms * (weight[c] as number)
  }
  return y
}

/** Per-row -log softmax(logits)[target]; 0 for ignoreIndex, NaN for a target outside the vocabulary. */
export const crossEntropyReference = (logits: ArrayLike<number>, targets: ArrayLike<number>, ignoreIndex: number): Float64Array => {
  const vocab = logits.length / targets.length
  return Float64Array.from(targets, (target, row) => {
    if (target === ignoreIndex) return 0
    if (target < 0 || target >= vocab) return Number.NaN
    let max = -Infinity
    for (let c = 0; c < vocab; c++) max = Math.max(max, logits[row * vocab + c] as number)
    let sum = 0
    for (let c = 0; c < vocab; c++) sum += Math.exp((logits[row * vocab + c] as number) - max)
    return max + Math.log(sum) - (logits[row * vocab + target] as number)
  })
}

/** A stored [rows, cols] matrix read as itself or, when `transposed`, as its transpose. */
export interface Matrix {
  readonly values: ArrayLike<number>
  readonly rows: number
  readonly cols: number
}

export const at = (m: Matrix, transposed: boolean, row: number, col: number): number =>
  (transposed ? m.values[col * m.cols + row] : m.values[row * m.cols + col]) as number

/** op(a) op(b), and the sums Σₖ |op(a)ᵢₖ op(b)ₖⱼ| that bound its rounding error. */
export const matMulReference = (a: Matrix, b: Matrix, transposeA: boolean, transposeB: boolean) => {
  const [rows, inner] = transposeA ? [a.cols, a.rows] : [a.rows, a.cols]
  const cols = transposeB ? b.rows : b.cols
  const product = new Float64Array(rows * cols)
  const magnitude = new Float64Array(rows * cols)
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      let [sum, sumOfMagnitudes] = [0, 0]
      for (let k = 0; k < inner; k++) {
        const term = at(a, transposeA, i, k) * at(b, transposeB, k, j)
        sum += term
        sumOfMagnitudes += Math.abs(term)
      }
      product[i * cols + j] = sum
      magnitude[i * cols + j] = sumOfMagnitudes
    }
  return { product, magnitude }
}

/** x Wᵀ + scale (x Aᵀ) Bᵀ, and Σ|x W| + |scale| Σ|x A| |B|, the scale of its rounding error. */
export const loraLinearReference = (x: Matrix, weight: Matrix, loraA: Matrix, loraB: Matrix, scale: number) => {
  const base = matMulReference(x, weight, false, true)
  const xa = matMulReference(x, loraA, false, true)
  const update = matMulReference({ ...x, values: xa.product, cols: loraA.rows }, loraB, false, true)
  const updateBound = matMulReference({ ...x, values: xa.magnitude, cols: loraA.rows }, { ...loraB, values: Array.from(loraB.values, Math.abs) }, false, true)
  return {
    product: base.product.map((v, i) => v + scale * (update.product[i] as number)),
    magnitude: base.magnitude.map((v, i) => v + Math.abs(scale) * (updateBound.product[i] as number)),
  }
}

/**
 * W [out, in] from bitsandbytes' NF4 bytes (two codes a byte, the first in the high nibble) in
 * float64: level × absmax of the element's block. The level table is data copied from
 * bitsandbytes, so it is src's; the unpacking is not.
 */
export const nf4DequantizeReference = (bytes: Uint8Array, absmax: ArrayLike<number>, [out, inFeatures]: readonly [number, number], blockSize: number, levels: ArrayLike<number>): Matrix => {
  const values = Float64Array.from({ length: out * inFeatures }, (_, i) => {
    const byte = bytes[Math.floor(i / 2)] as number
    const code = i % 2 === 0 ? Math.floor(byte / 16) : byte % 16
    return (levels[code] as number) * (absmax[Math.floor(i / blockSize)] as number)
  })
  return { values, rows: out, cols: inFeatures }
}

export interface AttentionProblem {
  /** q [batch, heads, queries, headDim], k and v [batch, kvHeads, keys, headDim], flat. */
  readonly q: ArrayLike<number>
  readonly k: ArrayLike<number>
  readonly v: ArrayLike<number>
  /** Additive, [batch, keys]. */
  readonly mask: ArrayLike<number>
  readonly dims: readonly [batch: number, heads: number, kvHeads: number, queries: number, keys: number, headDim: number]
  readonly scale: number
  readonly past: number
  readonly causal: boolean
}

/**
 * softmax_j(scale q_i · k_j + mask_j over the keys j query i sees) · v_j per batch and head, and
 * Σ_j p_j |v_j| (the scale of its rounding error), in float64 by the definition.
 */
export const attentionReference = ({ q, k, v, mask, dims: [batch, heads, kvHeads, queries, keys, headDim], scale, past, causal }: AttentionProblem) => {
  const output = new Float64Array(batch * heads * queries * headDim)
  const magnitude = new Float64Array(output.length)
  for (let b = 0; b < batch; b++)
    for (let h = 0; h < heads; h++) {
      const kvStart = (b * kvHeads + Math.floor(h / (heads / kvHeads))) * keys * headDim
      for (let i = 0; i < queries; i++) {
        const qStart = ((b * heads + h) * queries + i) * headDim
        const seen = causal ? Math.min(keys, past + i + 1) : keys
        const scores = Array.from({ length: seen }, (_, j) => {
          let dot = 0
          for (let d = 0; d < headDim; d++) dot += (q[qStart + d] as number) * (k[kvStart + j * headDim + d] as number)
          return scale * dot + (mask[b * keys + j] as number)
        })
        const max = Math.max(...scores)
        const weights = scores.map((s) => Math.exp(s - max))
        const total = weights.reduce((sum, w) => sum + w, 0)
        for (let d = 0; d < headDim; d++)
          for (let j = 0; j < seen; j++) {
            const value = v[kvStart + j * headDim + d] as number
            output[qStart + d] = (output[qStart + d] as number) + ((weights[j] as number) / total) * value
            magnitude[qStart + d] = (magnitude[qStart + d] as number) + ((weights[j] as number) / total) * Math.abs(value)
          }
      }
    }
  return { output, magnitude }
}
