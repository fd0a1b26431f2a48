// WGSL reading element i of a 16-bit matrix packed two per int32 word (half-weight.ts) as f32:
// bf16 is the top half of an f32, so a shift; f16 goes through unpack2x16float, a core builtin
// (no shader-f16 feature needed). Shared by the half matmul and the row gather.
import type { HalfStorage } from "./half-weight.ts"

/** Defines fn `name`(i : i32) -> f32 over the int32 buffer `buffer`. */
export const halfDecodeWgsl = (storage: HalfStorage, buffer: string, name: string): string =>
  storage === "bf16"
    ? `
fn ${name}(i : i32) -> f32 {
  let word = bitcast<u32>(${buffer}[i >> 1]);
  return bitcast<f32>(select(word << 16u, word & 0xffff0000u, (i & 1) == 1));
}`
    : `
fn ${name}(i : i32) -> f32 {
  let pair = unpack2x16float(bitcast<u32>(${buffer}[i >> 1]));
  return select(pair.x, pair.y, (i & 1) == 1);
}`
