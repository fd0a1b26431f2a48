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
