// One output element per thread: row r of the output is row ids[r] - firstRow of the table, or
// zeros where that is outside the table's tableRows rows (the id lies in another tile of a split
// table, see row-gather-op.ts). The table is float32, or 16-bit values packed two per int32 word.
// Uniforms: cols, firstRow, tableRows, and the size tfjs adds for a program with `size`.
import { halfDecodeWgsl } from "../half-matmul/half-decode.wgsl.ts"
import type { HalfStorage } from "../half-matmul/half-weight.ts"

export type TableStorage = "f32" | HalfStorage

export const rowGatherWgsl = (storage: TableStorage): string => `
${storage === "f32" ? "fn tableAt(i : i32) -> f32 { return table[i]; }" : halfDecodeWgsl(storage, "table", "tableAt")}

fn main(index : i32) {
  if (index < uniforms.size) {
    let row = index / uniforms.cols;
    let col = index - row * uniforms.cols;
    let id = ids[row] - uniforms.firstRow;
    var value = 0.0;
    if (id >= 0 && id < uniforms.tableRows) {
      value = tableAt(id * uniforms.cols + col);
    }
    result[index] = value;
  }
}
`
