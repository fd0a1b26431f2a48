import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu"
import { tiledProgram } from "../tiled-matmul/tiled-matmul-program.ts"
import { halfMatMulWgsl } from "./half-matmul.wgsl.ts"
import type { HalfStorage } from "./half-weight.ts"

/** x [rows, K] Wᵀ for 16-bit W [cols, K] (transposeWeight), or x W for W [K, cols]. */
export const halfMatMulProgram = (rows: number, cols: number, storage: HalfStorage, transposeWeight: boolean): WebGPUProgram =>
  tiledProgram(rows, cols, {
    variableNames: ["x", "words"],
    shaderKey: `peftlabHalfMatMul_${storage}_${transposeWeight}`,
    userCode: () => halfMatMulWgsl(storage, transposeWeight),
  })
