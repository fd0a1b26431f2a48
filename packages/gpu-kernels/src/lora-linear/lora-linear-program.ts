import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu"
import { tiledProgram } from "../tiled-matmul/tiled-matmul-program.ts"
import { loraLinearWgsl } from "./lora-linear.wgsl.ts"

/** x [rows, K] Wᵀ + scale xa Bᵀ, with W [cols, K], xa = x Aᵀ [rows, rank] and B [cols, rank]. */
export const loraLinearProgram = (rows: number, cols: number): WebGPUProgram =>
  tiledProgram(rows, cols, {
    variableNames: ["x", "weight", "xa", "loraB"],
    shaderKey: "peftlabLoraLinear",
    userCode: loraLinearWgsl,
    uniforms: "rank : i32, scale : f32,",
  })
