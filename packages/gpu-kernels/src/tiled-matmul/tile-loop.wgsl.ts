// The tile loop of a matrix product C [M, N] = A B, where the kernel says how to read A and B.
// Each workgroup of 8×8 threads computes a 32×32 tile of C (workgroupId.x counts row tiles, .y
// column tiles), each thread a 4×4 block of it. Per step along the inner dimension, the workgroup
// stages 32×32 tiles of A and B in shared memory, reading each element once, as vec4s: on lavapipe
// (LLVM, SIMD across threads) that halves the time of the same loop on scalars. M and N are the
// uniforms rows and cols; tfjs's shader prologue declares them with the buffers, result,
// workgroupId, localId and localIndex. The tiles and the accumulators hold f32, or f16 where the
// device has the shader-f16 feature (see shared/shader-f16.ts): A and B are then rounded to f16 as
// they are staged, each fused multiply-add rounds to f16, and the result is widened back to f32.

export const matMulTiling = { rows: 32, cols: 32, inner: 32, threadsX: 8, threadsY: 8 } as const

export interface TileSource {
  /**
   * WGSL defining fn innerSize() -> i32, fn readA(row : i32, k : i32) -> f32 and
   * fn readB(k : i32, col : i32) -> f32, which read 0 outside A and B (so partial tiles need no
   * other care).
   */
  readonly readers: string
  /** Whether A's, and B's, consecutive k are adjacent in memory: staging then walks its tile along k. */
  readonly aAlongK: boolean
  readonly bAlongK: boolean
  /** The tiles' and accumulators' float type: "f32" unless said. */
  readonly precision?: TilePrecision
}

export type TilePrecision = "f32" | "f16"

// The tile coordinates of staging index i, walking a tile along `fast` (of size `fastSize`).
const walk = (slow: string, fast: string, fastSize: string): string => `let ${fast} = i % ${fastSize}; let ${slow} = i / ${fastSize};`

export const tileLoopWgsl = ({ readers, aAlongK, bAlongK, precision = "f32" }: TileSource): string => `
${precision === "f16" ? "enable f16;" : ""}
const tileRows = ${matMulTiling.rows};
const tileCols = ${matMulTiling.cols};
const tileInner = ${matMulTiling.inner};
const threads = ${matMulTiling.threadsX * matMulTiling.threadsY};
// A's rows hold 4 consecutive k per vec4, B's rows 4 consecutive columns.
var<workgroup> aTile : array<array<vec4<${precision}>, tileInner / 4>, tileRows>;
var<workgroup> bTile : array<array<vec4<${precision}>, tileCols / 4>, tileInner>;
${readers}

fn main() {
  let row0 = i32(workgroupId.x) * tileRows;
  let col0 = i32(workgroupId.y) * tileCols;
  // This thread's 4×4 block: rows firstRow.., columns firstCol..
  let firstRow = i32(localId.y) * 4;
  let firstCol = i32(localId.x) * 4;
  var acc : array<vec4<${precision}>, 4>;

  for (var k0 = 0; k0 < innerSize(); k0 += tileInner) {
    for (var i = i32(localIndex); i < tileRows * tileInner; i += threads) {
      ${aAlongK ? walk("r", "k", "tileInner") : walk("k", "r", "tileRows")}
      aTile[r][k / 4][k % 4] = ${precision}(readA(row0 + r, k0 + k));
    }
    for (var i = i32(localIndex); i < tileInner * tileCols; i += threads) {
      ${bAlongK ? walk("c", "k", "tileInner") : walk("k", "c", "tileCols")}
      bTile[k][c / 4][c % 4] = ${precision}(readB(k0 + k, col0 + c));
    }
    workgroupBarrier();

    for (var k4 = 0; k4 < tileInner / 4; k4++) {
      var b : array<vec4<${precision}>, 4>;
      for (var kk = 0; kk < 4; kk++) { b[kk] = bTile[k4 * 4 + kk][firstCol / 4]; }
      for (var i = 0; i < 4; i++) {
        let a = aTile[firstRow + i][k4];
        acc[i] = fma(vec4<${precision}>(a.x), b[0], fma(vec4<${precision}>(a.y), b[1], fma(vec4<${precision}>(a.z), b[2], fma(vec4<${precision}>(a.w), b[3], acc[i]))));
      }
    }
    workgroupBarrier();
  }

  for (var i = 0; i < 4; i++) {
    let row = row0 + firstRow + i;
    for (var j = 0; j < 4; j++) {
      let col = col0 + firstCol + j;
      if (row < uniforms.rows && col < uniforms.cols) {
        result[row * uniforms.cols + col] = f32(acc[i][j]);
      }
    }
  }
}
`
