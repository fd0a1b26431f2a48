// The plain float64 operations the independent references share: tensor lookup, a linear
// module (W [out, in], with its bias when the weights hold one), LayerNorm, rotate_half RoPE, erf.
// Written from the formulas, sharing no code with @peftlab/models.
import type { Weights } from "./types.ts"

export const get = (weights: Weights, name: string) => {
  const w = weights.get(name)
  if (!w) throw new Error(`test weights lack ${name}`)
  return w
}

/** W [out, in] times x [in]. */
export const matVec = (weights: Weights, name: string, x: ReadonlyArray<number>): number[] => {
  const { shape, data } = get(weights, name)
  const [rows, cols] = shape as [number, number]
  return Array.from({ length: rows }, (_, r) => {
    let sum = 0
    for (let c = 0; c < cols; c++) sum += (data[r * cols + c] as number) * (x[c] as number)
    return sum
  })
}

/** The module `name` applied to x: its weight, plus its bias when the weights hold one (Qwen2's q, k, v). */
export const project = (weights: Weights, name: string, x: ReadonlyArray<number>): number[] => {
  const out = matVec(weights, `${name}.weight`, x)
  const bias = weights.get(`${name}.bias`)
  return bias ? out.map((v, i) => v + (bias.data[i] as number)) : out
}

export const layerNorm = (weights: Weights, module: string, x: ReadonlyArray<number>, eps: number): number[] => {
  const mean = x.reduce((s, v) => s + v, 0) / x.length
  const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length
  const { data: gain } = get(weights, `${module}.weight`)
  const { data: shift } = get(weights, `${module}.bias`)
  return x.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * (gain[i] as number) + (shift[i] as number))
}

export const rope = (v: ReadonlyArray<number>, position: number, theta: number): number[] => {
  const d = v.length
  const half = d / 2
  return v.map((x, i) => {
    const pair = i % half
    const angle = position / theta ** ((2 * pair) / d)
    const rotated = i < half ? -(v[i + half] as number) : (v[i - half] as number)
    return x * Math.cos(angle) + rotated * Math.sin(angle)
  })
}

/** erf by its everywhere-convergent series 2/√π e^(-x²) Σ 2ⁿ x^(2n+1) / (1·3···(2n+1)), all terms positive. */
export const erf = (x: number): number => {
  if (Math.abs(x) > 6) return Math.sign(x)
  let term = x
  let sum = x
  for (let n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= (2 * x * x) / (2 * n + 1)
    sum += term
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum
}
