import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu"
import { tiledProgram } from "../tiled-matmul/tiled-matmul-program.ts"
import { nf4MatMulWgsl } from "./nf4-matmul.wgsl.ts"

/** x [rows, K] Wᵀ for NF4 W [cols, K] (transposeWeight), or x W for W [K, cols]; blockSize is its one added uniform. */
export const nf4MatMulProgram = (rows: number, cols: number, transposeWeight: boolean): WebGPUProgram =>
  tiledProgram(rows, cols, {
    variableNames: ["x", "codes", "absmax"],
    shaderKey: `peftlabNf4MatMul_${transposeWeight}`,
    userCode: () => nf4MatMulWgsl(transposeWeight),
    uniforms: "blockSize : i32,",
  })
