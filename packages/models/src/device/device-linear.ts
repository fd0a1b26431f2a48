// A frozen linear module over a device matrix (device-matrix.ts). Over row tiles of W [out, in]
// the product x Wᵀ is the tiles' products side by side and dy W the sum of each tile's share;
// over a weight stored [in, out] (GPT-2's Conv1D), the other way round. So an LM head whose
// weight exceeds one binding is computed in vocabulary tiles and concatenated, and no float32
// copy of the weight is made: the tiles are multiplied as stored (halfMatMul decodes 16-bit
// values inside the kernel). The gradient reaches x through each op's own gradient; the module
// also offers dy W directly (multiplyByWeight), which the chunked LM loss uses in place of
// readWeight. An NF4 matrix is QLoRA's base on the device: nf4-linear.ts's kernel module.
// readWeight (a LoRA merge) builds the float32 matrix whole, refused over one binding
// (device-values.ts).
import * as tf from "@tensorflow/tfjs"
import { nf4KernelLinear } from "../quantization/nf4-linear.ts"
import type { DeviceLinear, DeviceMatrix, TiledDeviceMatrix } from "./device-matrix.ts"
import { matrixValues } from "./device-values.ts"
import { sumOfParts, tileColumns, timesTile, timesTileTransposed } from "./device-tiles.ts"

/** Σ over tiles of f(the tile's columns of x, tile), or f(x, tile) for a single tile. */
const sumOverTiles = (x: tf.Tensor2D, matrix: TiledDeviceMatrix): tf.Tensor2D => {
  const parts = matrix.tiles.map((tile) => timesTile(tileColumns(x, tile), tile))
  return sumOfParts(parts)
}

/** The tiles' products x tileᵀ side by side. */
const concatOverTiles = (x: tf.Tensor2D, matrix: TiledDeviceMatrix): tf.Tensor2D => {
  const parts = matrix.tiles.map((tile) => timesTileTransposed(x, tile))
  return parts.length === 1 ? parts[0]! : (tf.concat(parts, 1) as tf.Tensor2D)
}

/**
 * `matrix` is the weight as the checkpoint stores it: [out, in] (nn.Linear), or [in, out] with
 * `storedTransposed`. The module holds nothing of its own; the matrix is the model's to free.
 */
export const deviceLinear = (name: string, matrix: DeviceMatrix, bias?: tf.Tensor1D, storedTransposed = false): DeviceLinear => {
  const readWeight = () => matrixValues(matrix, `the weight of ${name}`, "readWeight")
  if (matrix.storage === "NF4") return { ...nf4KernelLinear(name, matrix.quantized, matrix.nf4, bias, () => {}), readWeight, deviceMatrix: matrix }
  const [outFeatures, inFeatures] = storedTransposed ? [matrix.shape[1], matrix.shape[0]] : matrix.shape
  // x [n, in] -> [n, out], and dy [n, out] -> dy W [n, in].
  const forward = (x: tf.Tensor2D) => (storedTransposed ? sumOverTiles(x, matrix) : concatOverTiles(x, matrix))
  const backward = (dy: tf.Tensor2D) => (storedTransposed ? concatOverTiles(dy, matrix) : sumOverTiles(dy, matrix))
  return {
    name,
    shape: [outFeatures, inFeatures],
    ...(bias && { bias }),
    ...(storedTransposed && { storedTransposed }),
    deviceMatrix: matrix,
    readWeight: () => tf.tidy(() => (storedTransposed ? readWeight().transpose() : readWeight())),
    apply: (x) =>
      tf.tidy(() => {
        const product = forward(x.reshape([-1, inFeatures]) as tf.Tensor2D)
        return (bias ? product.add(bias) : product).reshape([...x.shape.slice(0, -1), outFeatures])
      }),
    multiplyByWeight: (dy) => tf.tidy(() => backward(dy)),
    dispose: () => {},
  }
}
