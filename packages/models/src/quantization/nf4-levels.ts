// The 16 NormalFloat4 levels of QLoRA, as bitsandbytes stores them (float32), so dequantization
// matches it bit for bit: one table, shared with @peftlab/gpu-kernels' NF4 shader.
import { nf4Levels } from "@peftlab/gpu-kernels"

export { nf4Levels }

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
