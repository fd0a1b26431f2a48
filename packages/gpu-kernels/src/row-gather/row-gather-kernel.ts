// The webgpu kernel behind gatherTableRows. It has no gradient: tables are frozen and ids are integers.
import type * as tf from "@tensorflow/tfjs"
import { flatView, wgslKernel } from "../shared/kernel-path.ts"
import { rowGatherProgram } from "./row-gather-program.ts"
import type { TableStorage } from "./row-gather.wgsl.ts"

export const rowGatherKernelName = "PeftlabRowGather"

/** Inputs ids (int32 [count]) and table; attributes tableRows, cols, firstRow and storage ("f32", "bf16", "f16"). */
export const rowGatherKernel: tf.KernelConfig = wgslKernel(rowGatherKernelName, ({ ids, table }, attrs) => {
  const [tableRows, cols, firstRow] = [attrs.tableRows as number, attrs.cols as number, attrs.firstRow as number]
  return {
    program: rowGatherProgram(ids!.shape[0] as number, cols, attrs.storage as TableStorage),
    inputs: [ids!, flatView(table!)],
    uniforms: [cols, firstRow, tableRows].map((value) => ({ type: "int32", data: [value] })),
  }
})
