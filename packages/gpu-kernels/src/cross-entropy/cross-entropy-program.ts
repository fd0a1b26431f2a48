import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu"
import { rowWorkgroupSize } from "../shared/row-reduction.ts"
import { crossEntropyWgsl } from "./cross-entropy.wgsl.ts"

/** Per-row loss [rows] of logits [rows, vocab] and int32 targets [rows]; ignoreIndex is its uniform. */
export const crossEntropyProgram = (rows: number, vocab: number): WebGPUProgram => {
  const workgroupSize = rowWorkgroupSize(vocab)
  return {
    variableNames: ["logits", "targets"],
    outputShape: [rows],
    // tfjs appends the workgroup size, ranks and dtypes to make its pipeline cache key.
    shaderKey: "peftlabSoftmaxCrossEntropy",
    dispatchLayout: { x: [0] },
    dispatch: [rows, 1, 1],
    workgroupSize: [workgroupSize, 1, 1],
    uniforms: "ignoreIndex : i32,",
    getUserCode: () => crossEntropyWgsl(workgroupSize),
  }
}
