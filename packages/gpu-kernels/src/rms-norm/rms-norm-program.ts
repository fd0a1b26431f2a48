import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu"
import { rowWorkgroupSize } from "../shared/row-reduction.ts"
import { rmsNormWgsl } from "./rms-norm.wgsl.ts"

/** RMSNorm of x [rows, cols] with weight [cols]; eps is the one uniform it adds. */
export const rmsNormProgram = (rows: number, cols: number): WebGPUProgram => {
  const workgroupSize = rowWorkgroupSize(cols)
  return {
    variableNames: ["x", "weight"],
    outputShape: [rows, cols],
    // tfjs appends the workgroup size, ranks and dtypes to make its pipeline cache key.
    shaderKey: "peftlabRmsNorm",
    dispatchLayout: { x: [0, 1] },
    dispatch: [rows, 1, 1],
    workgroupSize: [workgroupSize, 1, 1],
    uniforms: "eps : f32,",
    getUserCode: () => rmsNormWgsl(workgroupSize),
  }
}
