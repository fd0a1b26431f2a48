// Singular value decompositions on the host in float64, for the LoRA inits that factor a weight
// (PiSSA, LoftQ): tfjs has no SVD. svd() is Golub–Kahan–Reinsch (Householder bidiagonalisation,
// then implicit-shift QR on the bidiagonal), as JAMA's SingularValueDecomposition, with the matrix
// held column-major so every inner loop runs along contiguous memory. svdLowRank() is
// torch.svd_lowrank's subspace iteration (Halko et al. 2009, algorithm 5.1), which PEFT's
// init_lora_weights="pissa_niter_N" calls.
import type { Rng } from "@peftlab/core"

/** A thin SVD of a [rows, columns] matrix, k = min(rows, columns), singular values descending. */
export interface Svd {
  /** [rows, k] row-major: left singular vectors as columns. */
  readonly u: Float64Array
  /** [k], descending, non-negative. */
  readonly s: Float64Array
  /** [k, columns] row-major: right singular vectors as rows. */
  readonly vt: Float64Array
  readonly k: number
}

const eps = 2 ** -52
const tiny = 2 ** -966

/** Row-major [rows, columns] -> column-major of the same matrix, or of its transpose when `transpose`. */
const columnMajor = (values: ArrayLike<number>, rows: number, columns: number, transpose: boolean): Float64Array => {
  const out = new Float64Array(rows * columns)
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) out[transpose ? i * columns + j : j * rows + i] = values[i * columns + j] as number
  }
  return out
}

/** Column-major [m, n] -> row-major [m, n], or [n, m] (its transpose) when `transpose`. */
const rowMajor = (cm: Float64Array, m: number, n: number, transpose: boolean): Float64Array => {
  if (transpose) return Float64Array.from(cm)
  const out = new Float64Array(m * n)
  for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) out[i * n + j] = cm[j * m + i] as number
  return out
}

/** Applies the plane rotation (cs, sn) to columns j and k of the column-major matrix x with `rows` rows. */
const rotateColumns = (x: Float64Array, rows: number, j: number, k: number, cs: number, sn: number): void => {
  const a = j * rows
  const b = k * rows
  for (let i = 0; i < rows; i++) {
    const xa = x[a + i] as number
    const xb = x[b + i] as number
    x[a + i] = cs * xa + sn * xb
    x[b + i] = -sn * xa + cs * xb
  }
}

const swapColumns = (x: Float64Array, rows: number, j: number, k: number): void => {
  for (let i = 0; i < rows; i++) {
    const t = x[j * rows + i] as number
    x[j * rows + i] = x[k * rows + i] as number
    x[k * rows + i] = t
  }
}

/** Householder bidiagonalisation of the column-major [m, n] matrix a (m >= n), in place; U and V accumulated. */
const bidiagonalise = (a: Float64Array, m: number, n: number) => {
  const s = new Float64Array(n)
  const e = new Float64Array(n)
  const u = new Float64Array(m * n)
  const v = new Float64Array(n * n)
  const work = new Float64Array(m)
  const nct = Math.min(m - 1, n)
  const nrt = Math.max(0, Math.min(n - 2, m))
  const at = (i: number, j: number) => a[j * m + i] as number
  for (let k = 0; k < Math.max(nct, nrt); k++) {
    if (k < nct) {
      // The column transformation: zero a[k+1.., k].
      let norm = 0
      for (let i = k; i < m; i++) norm += at(i, k) ** 2
      s[k] = Math.sqrt(norm)
      if (s[k] !== 0) {
        if (at(k, k) < 0) s[k] = -s[k]!
        for (let i = k; i < m; i++) a[k * m + i] = at(i, k) / s[k]!
        a[k * m + k] = at(k, k) + 1
      }
      s[k] = -s[k]!
    }
    for (let j = k + 1; j < n; j++) {
      if (k < nct && s[k] !== 0) {
        let t = 0
        for (let i = k; i < m; i++) t += at(i, k) * at(i, j)
        t = -t / at(k, k)
        for (let i = k; i < m; i++) a[j * m + i] = at(i, j) + t * at(i, k)
      }
      e[j] = at(k, j)
    }
    if (k < nct) for (let i = k; i < m; i++) u[k * m + i] = at(i, k)
    if (k < nrt) {
      // The row transformation: zero a[k, k+2..].
      let norm = 0
      for (let i = k + 1; i < n; i++) norm += e[i]! ** 2
      e[k] = Math.sqrt(norm)
      if (e[k] !== 0) {
        if (e[k + 1]! < 0) e[k] = -e[k]!
        for (let i = k + 1; i < n; i++) e[i] = e[i]! / e[k]!
        e[k + 1] = e[k + 1]! + 1
      }
      e[k] = -e[k]!
      if (k + 1 < m && e[k] !== 0) {
        work.fill(0, k + 1, m)
        for (let j = k + 1; j < n; j++) for (let i = k + 1; i < m; i++) work[i] = work[i]! + e[j]! * at(i, j)
        for (let j = k + 1; j < n; j++) {
          const t = -e[j]! / e[k + 1]!
          for (let i = k + 1; i < m; i++) a[j * m + i] = at(i, j) + t * work[i]!
        }
      }
      for (let i = k + 1; i < n; i++) v[k * n + i] = e[i]!
    }
  }
  // The bidiagonal matrix of order n (m >= n).
  if (nct < n) s[nct] = at(nct, nct)
  if (nrt + 1 < n) e[nrt] = at(nrt, n - 1)
  e[n - 1] = 0
  // U from its Householder vectors.
  for (let j = nct; j < n; j++) {
    u.fill(0, j * m, (j + 1) * m)
    u[j * m + j] = 1
  }
  for (let k = nct - 1; k >= 0; k--) {
    if (s[k] !== 0) {
      for (let j = k + 1; j < n; j++) {
        let t = 0
        for (let i = k; i < m; i++) t += u[k * m + i]! * u[j * m + i]!
        t = -t / u[k * m + k]!
        for (let i = k; i < m; i++) u[j * m + i] = u[j * m + i]! + t * u[k * m + i]!
      }
      for (let i = k; i < m; i++) u[k * m + i] = -u[k * m + i]!
      u[k * m + k] = 1 + u[k * m + k]!
      u.fill(0, k * m, k * m + Math.max(0, k - 1))
    } else {
      u.fill(0, k * m, (k + 1) * m)
      u[k * m + k] = 1
    }
  }
  // V from its Householder vectors.
  for (let k = n - 1; k >= 0; k--) {
    if (k < nrt && e[k] !== 0) {
      for (let j = k + 1; j < n; j++) {
        let t = 0
        for (let i = k + 1; i < n; i++) t += v[k * n + i]! * v[j * n + i]!
        t = -t / v[k * n + k + 1]!
        for (let i = k + 1; i < n; i++) v[j * n + i] = v[j * n + i]! + t * v[k * n + i]!
      }
    }
    v.fill(0, k * n, (k + 1) * n)
    v[k * n + k] = 1
  }
  return { s, e, u, v }
}

/** Implicit-shift QR on the bidiagonal (s, e) of order n until e vanishes; rotations applied to u [m, n] and v [n, n]; sorted descending. */
const diagonalise = (s: Float64Array, e: Float64Array, u: Float64Array, v: Float64Array, m: number, n: number): void => {
  let p = n
  const pp = n - 1
  while (p > 0) {
    // kase 1: s[p-1] negligible; 2: s[k] negligible; 3: e[k-1] negligible, QR step; 4: e[p-2] negligible, converged.
    let k: number
    for (k = p - 2; k >= 0; k--) {
      if (Math.abs(e[k]!) <= tiny + eps * (Math.abs(s[k]!) + Math.abs(s[k + 1]!))) {
        e[k] = 0
        break
      }
    }
    let kase: number
    if (k === p - 2) kase = 4
    else {
      let ks: number
      for (ks = p - 1; ks > k; ks--) {
        const t = (ks !== p ? Math.abs(e[ks]!) : 0) + (ks !== k + 1 ? Math.abs(e[ks - 1]!) : 0)
        if (Math.abs(s[ks]!) <= tiny + eps * t) {
          s[ks] = 0
          break
        }
      }
      if (ks === k) kase = 3
      else if (ks === p - 1) kase = 1
      else {
        kase = 2
        k = ks
      }
    }
    k++
    if (kase === 1) {
      let f = e[p - 2]!
      e[p - 2] = 0
      for (let j = p - 2; j >= k; j--) {
        const t = Math.hypot(s[j]!, f)
        const cs = s[j]! / t
        const sn = f / t
        s[j] = t
        if (j !== k) {
          f = -sn * e[j - 1]!
          e[j - 1] = cs * e[j - 1]!
        }
        rotateColumns(v, n, j, p - 1, cs, sn)
      }
    } else if (kase === 2) {
      let f = e[k - 1]!
      e[k - 1] = 0
      for (let j = k; j < p; j++) {
        const t = Math.hypot(s[j]!, f)
        const cs = s[j]! / t
        const sn = f / t
        s[j] = t
        f = -sn * e[j]!
        e[j] = cs * e[j]!
        rotateColumns(u, m, j, k - 1, cs, sn)
      }
    } else if (kase === 3) {
      const scale = Math.max(Math.abs(s[p - 1]!), Math.abs(s[p - 2]!), Math.abs(e[p - 2]!), Math.abs(s[k]!), Math.abs(e[k]!))
      const sp = s[p - 1]! / scale
      const spm1 = s[p - 2]! / scale
      const epm1 = e[p - 2]! / scale
      const sk = s[k]! / scale
      const ek = e[k]! / scale
      const b = ((spm1 + sp) * (spm1 - sp) + epm1 * epm1) / 2
      const c = (sp * epm1) ** 2
      let shift = 0
      if (b !== 0 || c !== 0) {
        shift = Math.sqrt(b * b + c)
        if (b < 0) shift = -shift
        shift = c / (b + shift)
      }
      let f = (sk + sp) * (sk - sp) + shift
      let g = sk * ek
      for (let j = k; j < p - 1; j++) {
        let t = Math.hypot(f, g)
        let cs = f / t
        let sn = g / t
        if (j !== k) e[j - 1] = t
        f = cs * s[j]! + sn * e[j]!
        e[j] = cs * e[j]! - sn * s[j]!
        g = sn * s[j + 1]!
        s[j + 1] = cs * s[j + 1]!
        rotateColumns(v, n, j, j + 1, cs, sn)
        t = Math.hypot(f, g)
        cs = f / t
        sn = g / t
        s[j] = t
        f = cs * e[j]! + sn * s[j + 1]!
        s[j + 1] = -sn * e[j]! + cs * s[j + 1]!
        g = sn * e[j + 1]!
        e[j + 1] = cs * e[j + 1]!
        if (j < m - 1) rotateColumns(u, m, j, j + 1, cs, sn)
      }
      e[p - 2] = f
    } else {
      // Converged: make s[k] non-negative, then move it down to its place in descending order.
      if (s[k]! <= 0) {
        s[k] = s[k]! < 0 ? -s[k]! : 0
        for (let i = 0; i <= pp; i++) v[k * n + i] = -v[k * n + i]!
      }
      while (k < pp && s[k]! < s[k + 1]!) {
        const t = s[k]!
        s[k] = s[k + 1]!
        s[k + 1] = t
        swapColumns(v, n, k, k + 1)
        swapColumns(u, m, k, k + 1)
        k++
      }
      p--
    }
  }
}

/** The thin SVD of `values`, a [rows, columns] matrix row-major (float32 or float64), computed in float64. */
export const svd = (values: ArrayLike<number>, rows: number, columns: number): Svd => {
  if (values.length !== rows * columns) throw new RangeError(`svd: ${values.length} values are not a [${rows}, ${columns}] matrix`)
  if (rows === 0 || columns === 0) throw new RangeError(`svd: the matrix [${rows}, ${columns}] is empty`)
  // The algorithm wants m >= n: a wide matrix is decomposed as its transpose, A = (Aᵀ)ᵀ = V S Uᵀ.
  const wide = rows < columns
  const [m, n] = wide ? [columns, rows] : [rows, columns]
  const { s, e, u, v } = bidiagonalise(columnMajor(values, rows, columns, wide), m, n)
  diagonalise(s, e, u, v, m, n)
  // Column-major u [m, n] and v [n, n]; for a wide matrix, A's U is v and A's Vᵀ is uᵀ.
  return wide ? { u: rowMajor(v, n, n, false), s, vt: rowMajor(u, m, n, true), k: n } : { u: rowMajor(u, m, n, false), s, vt: rowMajor(v, n, n, true), k: n }
}

/** Row-major [m, k] product of row-major x [m, n] and y [n, k]. */
export const matMul = (x: Float64Array, y: Float64Array, m: number, n: number, k: number): Float64Array => {
  const out = new Float64Array(m * k)
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < n; l++) {
      const xil = x[i * n + l]!
      if (xil === 0) continue
      for (let j = 0; j < k; j++) out[i * k + j] = out[i * k + j]! + xil * y[l * k + j]!
    }
  }
  return out
}

/** Row-major transpose of row-major x [m, n]. */
export const transpose = (x: ArrayLike<number>, m: number, n: number): Float64Array => {
  const out = new Float64Array(m * n)
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = x[i * n + j] as number
  return out
}

/** x [m, q] row-major with its columns made orthonormal (modified Gram–Schmidt, twice for float64-level orthogonality): the Q of a thin QR up to column signs. */
const orthonormalColumns = (x: Float64Array, m: number, q: number): Float64Array => {
  const cm = transpose(x, m, q)
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < q; j++) {
      for (let l = 0; l < j; l++) {
        let dot = 0
        for (let i = 0; i < m; i++) dot += cm[l * m + i]! * cm[j * m + i]!
        for (let i = 0; i < m; i++) cm[j * m + i] = cm[j * m + i]! - dot * cm[l * m + i]!
      }
      let norm = 0
      for (let i = 0; i < m; i++) norm += cm[j * m + i]! ** 2
      norm = Math.sqrt(norm)
      if (norm === 0) throw new RangeError(`svdLowRank: the sampled subspace has rank below ${q}`)
      for (let i = 0; i < m; i++) cm[j * m + i] = cm[j * m + i]! / norm
    }
  }
  return transpose(cm, q, m)
}

/**
 * torch.svd_lowrank(A, q, niter) (M = None): the rank-q approximate SVD from subspace iteration on
 * a Gaussian start, U [rows, q], S [q], Vᵀ [q, columns]. The start is drawn from peftlab's `rng`,
 * not torch's generator, so the factors differ from torch's for the same seed: only what the
 * iteration converges to (the dominant rank-q subspace, and U S Vᵀ where the spectrum has a gap
 * after q) can be compared with PEFT's pissa_niter_N.
 */
export const svdLowRank = (values: ArrayLike<number>, rows: number, columns: number, q: number, niter: number, rng: Rng): Svd => {
  if (!Number.isInteger(q) || q < 1 || q > Math.min(rows, columns)) throw new RangeError(`svdLowRank: q must be an integer in [1, ${Math.min(rows, columns)}], got ${q}`)
  if (!Number.isInteger(niter) || niter < 0) throw new RangeError(`svdLowRank: niter must be a non-negative integer, got ${niter}`)
  // As torch: work on the tall orientation, A [m, n] with m >= n.
  const wide = rows < columns
  const [m, n] = wide ? [columns, rows] : [rows, columns]
  const a = wide ? transpose(values, rows, columns) : Float64Array.from(values)
  const at = transpose(a, m, n)
  const start = Float64Array.from({ length: n * q }, () => rng.normal())
  let basis = orthonormalColumns(matMul(a, start, m, n, q), m, q)
  for (let i = 0; i < niter; i++) {
    const back = orthonormalColumns(matMul(at, basis, n, m, q), n, q)
    basis = orthonormalColumns(matMul(a, back, m, n, q), m, q)
  }
  // B = Qᵀ A [q, n]; its SVD lifted back by Q.
  const small = svd(matMul(transpose(basis, m, q), a, q, m, n), q, n)
  const u = matMul(basis, small.u, m, q, q)
  return wide ? { u: transpose(small.vt, q, n), s: small.s, vt: transpose(u, m, q), k: q } : { u, s: small.s, vt: small.vt, k: q }
}
