// The 16 NormalFloat4 levels of QLoRA (Dettmers et al., 2023), copied from bitsandbytes'
// `get_4bit_type("nf4")` / the CUDA `nf4_data` table: quantiles of N(0, 1) rescaled to [-1, 1],
// with an exact 0. Stored as float32, as bitsandbytes does, so dequantization matches it bit
// for bit.
export const nf4Levels = Float32Array.of(
  -1.0,
  -0.6961928009986877,
  -0.5250730514526367,
  -0.39491748809814453,
  -0.28444138169288635,
  -0.18477343022823334,
  -0.09105003625154495,
  0.0,
  0.07958029955625534,
  0.16093020141124725,
  0.24611230194568634,
  0.33791524171829224,
  0.44070982933044434,
  0.5626170039176941,
  0.7229568362236023,
  1.0,
)

// bitsandbytes' dQuantizeNF4 walks a decision tree on these midpoints with `x > midpoint`,
// i.e. nearest level with a tie going to the lower one.
const midpoints = Float64Array.from({ length: nf4Levels.length - 1 }, (_, i) => {
  const lower = nf4Levels[i] as number
  return (lower + (nf4Levels[i + 1] as number)) / 2
})

/** Index of the level nearest to x (x in [-1, 1]); a tie goes to the lower level, as in bitsandbytes. */
export const nearestNf4Code = (x: number): number => {
  // Binary search for the number of midpoints strictly below x.
  let low = 0
  let high = midpoints.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (x > (midpoints[middle] as number)) low = middle + 1
    else high = middle
  }
  return low
}
