// Attention in one pass over the keys (flash attention's forward): each thread owns one query
// row and keeps, over the keys it sees, the running max of its scores, the sum of exp(score -
// max) and the exp-weighted sum of value rows, rescaling both when the max grows. The workgroup's
// rows (of one batch and head) share tiles of keys and values staged in shared memory.
// Buffers q [B, H, Tq, D], k and v [B, Hkv, Tk, D], mask [B, Tk] (additive); uniforms heads,
// kvHeads, groupSize (H / Hkv), queries, keys, past, causal and scale; workgroupId.x counts tiles
// of query rows, .y heads, .z batches.

/** Query rows (threads) per workgroup. */
export const queryRowsPerGroup = 64

/**
 * Keys per staged tile for a head size: both tiles fit in WebGPU's default 16 KiB of workgroup
 * memory, 32 keys at most (the scores of a tile live in each thread's registers).
 */
export const keyTileSize = (headDim: number): number => Math.max(1, Math.min(32, Math.floor(16384 / (2 * 4 * headDim))))

export const flashAttentionWgsl = (headDim: number): string => `
const headDim = ${headDim};
const keyTile = ${keyTileSize(headDim)};
const queryRows = ${queryRowsPerGroup};
var<workgroup> keyTiles : array<array<f32, headDim>, keyTile>;
var<workgroup> valueTiles : array<array<f32, headDim>, keyTile>;
var<workgroup> sharedKeyEnd : i32;

// The keys query row \`row\` sees: [0, keyEnd(row)).
fn keyEnd(row : i32) -> i32 {
  return select(uniforms.keys, min(uniforms.keys, uniforms.past + row + 1), uniforms.causal != 0);
}

fn main() {
  let firstRow = i32(workgroupId.x) * queryRows;
  let head = i32(workgroupId.y);
  let batch = i32(workgroupId.z);
  let row = firstRow + i32(localIndex);
  // A row past the last computes the last one's, without writing it.
  let queryRow = min(row, uniforms.queries - 1);
  let rowStart = ((batch * uniforms.heads + head) * uniforms.queries + queryRow) * headDim;
  let kvStart = (batch * uniforms.kvHeads + head / uniforms.groupSize) * uniforms.keys * headDim;
  let maskStart = batch * uniforms.keys;

  var query : array<f32, headDim>;
  for (var d = 0; d < headDim; d++) { query[d] = uniforms.scale * q[rowStart + d]; }
  var acc : array<f32, headDim>;
  // The lowest finite float rather than -inf, so that the first rescale is exp(-huge) = 0, not NaN.
  var runningMax = -3.402823e+38f;
  var runningSum = 0.0;
  let rowKeyEnd = keyEnd(queryRow);

  // Every thread walks the tiles any row of the workgroup sees (its last row sees the most), as
  // the barriers require: workgroupUniformLoad makes that bound provably the same for all.
  if (localIndex == 0u) { sharedKeyEnd = keyEnd(min(firstRow + queryRows, uniforms.queries) - 1); }
  let groupKeyEnd = workgroupUniformLoad(&sharedKeyEnd);
  for (var k0 = 0; k0 < groupKeyEnd; k0 += keyTile) {
    for (var i = i32(localIndex); i < keyTile * headDim; i += queryRows) {
      let at = kvStart + min(k0 + i / headDim, uniforms.keys - 1) * headDim + i % headDim;
      keyTiles[i / headDim][i % headDim] = k[at];
      valueTiles[i / headDim][i % headDim] = v[at];
    }
    workgroupBarrier();

    let count = clamp(rowKeyEnd - k0, 0, keyTile);
    var scores : array<f32, keyTile>;
    var tileMax = runningMax;
    for (var j = 0; j < count; j++) {
      var score = mask[maskStart + k0 + j];
      for (var d = 0; d < headDim; d++) { score = fma(query[d], keyTiles[j][d], score); }
      scores[j] = score;
      tileMax = max(tileMax, score);
    }
    let rescale = exp(runningMax - tileMax);
    runningSum *= rescale;
    for (var d = 0; d < headDim; d++) { acc[d] *= rescale; }
    for (var j = 0; j < count; j++) {
      let weight = exp(scores[j] - tileMax);
      runningSum += weight;
      for (var d = 0; d < headDim; d++) { acc[d] = fma(weight, valueTiles[j][d], acc[d]); }
    }
    runningMax = tileMax;
    workgroupBarrier();
  }

  if (row < uniforms.queries) {
    for (var d = 0; d < headDim; d++) { result[rowStart + d] = acc[d] / runningSum; }
  }
}
`
