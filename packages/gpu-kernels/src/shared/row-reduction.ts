// Kernels that give each row of a matrix one workgroup: its threads stride over the row, then
// combine their partial results in shared memory in log2(workgroup size) steps.

/** Threads per row: as tfjs's own softmax, more of them once rows are long. A power of two. */
export const rowWorkgroupSize = (cols: number): number => (cols >= 4096 ? 256 : 64)

/**
 * WGSL that folds the workgroup's partial results into slot 0 of its shared arrays: `combine(into,
 * from)` is the statement merging slot `from` into slot `into`. Every thread must run it (it holds
 * barriers), after writing its own slot and a barrier.
 */
export const treeReduceWgsl = (workgroupSize: number, combine: (into: string, from: string) => string): string => `
  for (var stride = ${workgroupSize / 2}u; stride > 0u; stride = stride >> 1u) {
    if (localIndex < stride) {
      ${combine("localIndex", "localIndex + stride")}
    }
    workgroupBarrier();
  }`
