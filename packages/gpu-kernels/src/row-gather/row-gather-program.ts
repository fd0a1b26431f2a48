import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu"
import { rowGatherWgsl, type TableStorage } from "./row-gather.wgsl.ts"

const workgroupSize = 64

/** Rows of a [tableRows, cols] table for `count` ids, as [count, cols]; tfjs splits a dispatch too large for one dimension. */
export const rowGatherProgram = (count: number, cols: number, storage: TableStorage): WebGPUProgram => ({
  variableNames: ["ids", "table"],
  outputShape: [count, cols],
  shaderKey: `peftlabRowGather_${storage}`,
  dispatchLayout: { x: [0, 1] },
  dispatch: [Math.ceil((count * cols) / workgroupSize), 1, 1],
  workgroupSize: [workgroupSize, 1, 1],
  size: true,
  uniforms: "cols : i32, firstRow : i32, tableRows : i32,",
  getUserCode: () => rowGatherWgsl(storage),
})
