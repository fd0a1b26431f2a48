import type { WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu"
import { matMulTiling, type TilePrecision } from "./tile-loop.wgsl.ts"
import { tiledMatMulWgsl } from "./tiled-matmul.wgsl.ts"

/** The uniforms every tiled program declares first, in this order, and their values. */
const sizeUniforms = "rows : i32, cols : i32, inner : i32,"
export const sizeUniformData = (rows: number, cols: number, inner: number) => [rows, cols, inner].map((value) => ({ type: "int32", data: [value] }))

export interface TiledVariant {
  /** Every input buffer, in binding order. */
  readonly variableNames: ReadonlyArray<string>
  /** Names the variant; tfjs appends the ranks and dtypes to cache its pipeline. */
  readonly shaderKey: string
  readonly userCode: () => string
  /** Uniforms declared after the sizes. */
  readonly uniforms?: string
}

/**
 * A program whose workgroups each compute one tile of the [rows, cols] output through the tile
 * loop. Row tiles go along x, so that a few rows (generation, small batches) over many columns
 * still make a 2-D dispatch: tfjs compiles a separate pipeline for 1-D ones.
 */
export const tiledProgram = (rows: number, cols: number, variant: TiledVariant): WebGPUProgram => ({
  variableNames: [...variant.variableNames],
  outputShape: [rows, cols],
  shaderKey: variant.shaderKey,
  dispatchLayout: { x: [0], y: [1] },
  dispatch: [Math.ceil(rows / matMulTiling.rows), Math.ceil(cols / matMulTiling.cols), 1],
  workgroupSize: [matMulTiling.threadsX, matMulTiling.threadsY, 1],
  uniforms: sizeUniforms + (variant.uniforms ?? ""),
  getUserCode: variant.userCode,
})

/**
 * op(a) op(b) for a [rows, K] (or [K, rows] when transposeA) and b [K, cols] (or [cols, K] when
 * transposeB), its tiles and sums in `precision` (f16 needs the device's shader-f16 feature).
 */
export const tiledMatMulProgram = (rows: number, cols: number, transposeA: boolean, transposeB: boolean, precision: TilePrecision = "f32"): WebGPUProgram =>
  tiledProgram(rows, cols, {
    variableNames: ["a", "b"],
    shaderKey: `peftlabTiledMatMul_${transposeA}_${transposeB}_${precision}`,
    userCode: () => tiledMatMulWgsl(transposeA, transposeB, precision),
  })
