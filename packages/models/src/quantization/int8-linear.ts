// A Linear whose weight is kept as bitsandbytes' int8 codes and row scales (int8.ts), computing
// what Linear8bitLt computes on the CPU with transformers' default threshold 6.0 (bitsandbytes
// 0.50.2, bnb.matmul), by mode as bitsandbytes picks its path from module.training:
// - eval (training false, the default): MatMul8bitLt -> int8_mixed_scaled_mm: the input quantized
//   row-wise (int8-activations.ts), the integer product CA CBᵀ scaled by SCA SCB / 127² (its
//   6.200124e-05), the bias, then the outlier columns' product in float32 with the dequantized
//   weight's columns. A step function of the input: a float16 cast and a rounding per entry.
// - training: MatMul8bitFp, bitsandbytes' CPU fine-tuning path: x W_deqᵀ + bias in float32 with
//   W_deq = CB * (SCB / 127) (dequantizeInt8ForMatmul), no activation quantization at all.
// In both modes the gradient reaches x only, dx = dy W_deq, as bitsandbytes' backward passes. The
// codes stay on the host; each call widens them to float32 for its matmul and frees them, so the
// backend holds one layer's weight at a time. readWeight is int8_vectorwise_dequant's W (what PEFT's
// dequantize_bnb_weight gives DoRA's norm and merges).
import * as tf from "@tensorflow/tfjs"
import type { Linear } from "../layers/linear.ts"
import { hostWeight } from "./host-weight.ts"
import { dequantizeInt8, dequantizeInt8ForMatmul, int8DequantFactor, quantizeInt8, type Int8Weights } from "./int8.ts"
import { defaultInt8Threshold, quantizeActivations } from "./int8-activations.ts"

export interface Int8Linear extends Linear {
  /** The weight [out, in] as Linear8bitLt holds it (CB, SCB). */
  readonly int8: Int8Weights
  /** The activation outlier threshold (llm_int8_threshold). */
  readonly threshold: number
  /** bitsandbytes' module.training: the dequantized-weight matmul while on, LLM.int8()'s int8 product while off (the default). */
  training: boolean
}

/** Whether `module` keeps its weight as int8 codes. */
export const isInt8Linear = (module: Linear): module is Int8Linear => "int8" in module

/** int8_mm_dequant's factor, 1/127² as bitsandbytes writes it. */
const productDequantFactor = 6.200124e-5

/** CBᵀ [in, out] as float32 integers, the right operand of x Wᵀ. */
const codesInByOut = ({ codes, rows, columns }: Int8Weights): tf.Tensor2D => {
  const values = new Float32Array(rows * columns)
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) values[c * rows + r] = codes[r * columns + c]!
  return tf.tensor2d(values, [columns, rows])
}

/** The dequantized weight's columns `picked`, transposed: [picked, out]. */
const dequantizedColumns = ({ codes, scales, rows, columns }: Int8Weights, picked: ReadonlyArray<number>): tf.Tensor2D => {
  const values = new Float32Array(picked.length * rows)
  picked.forEach((c, k) => {
    for (let r = 0; r < rows; r++) values[k * rows + r] = Math.fround(codes[r * columns + c]! * scales[r]!) * int8DequantFactor
  })
  return tf.tensor2d(values, [picked.length, rows])
}

/** x [rows, in] -> [rows, out] as int8_mixed_scaled_mm. */
const mixedProduct = (x: tf.Tensor2D, q: Int8Weights, threshold: number, bias: tf.Tensor1D | undefined): tf.Tensor2D => {
  const [rows, inFeatures] = x.shape
  const { codes, scales, outlierColumns } = quantizeActivations(x.dataSync() as Float32Array, rows, inFeatures, threshold)
  return tf.tidy(() => {
    const integers = tf.matMul(tf.tensor2d(codes, [rows, inFeatures]), codesInByOut(q))
    const rowByColumn = tf.tensor2d(scales, [rows, 1]).mul(tf.tensor2d(q.scales, [1, q.rows]))
    const scaled = integers.mul(rowByColumn).mul(productDequantFactor) as tf.Tensor2D
    const withBias = bias ? scaled.add(bias) : scaled
    if (outlierColumns.length === 0) return withBias as tf.Tensor2D
    const outlierInputs = tf.gather(x, tf.tensor1d([...outlierColumns], "int32"), 1) as tf.Tensor2D
    return withBias.add(tf.matMul(outlierInputs, dequantizedColumns(q, outlierColumns))) as tf.Tensor2D
  })
}

/** A module over `int8` (the weight [out, in]) computing as Linear8bitLt with `threshold`, in eval mode until `training` is set. */
export const int8HostLinear = (name: string, int8: Int8Weights, bias?: tf.Tensor1D, threshold = defaultInt8Threshold): Int8Linear => {
  const [outFeatures, inFeatures] = [int8.rows, int8.columns]
  const readWeight = () => tf.tensor2d(dequantizeInt8(int8), [outFeatures, inFeatures])
  const matmulWeight = () => tf.tensor2d(dequantizeInt8ForMatmul(int8), [outFeatures, inFeatures])
  /** x [rows, in] -> [rows, out] by the module's mode now. */
  const product = (x: tf.Tensor2D): tf.Tensor2D => {
    if (!module.training) return mixedProduct(x, int8, threshold, bias)
    return tf.tidy((): tf.Tensor2D => {
      const plain = tf.matMul(x, matmulWeight(), false, true)
      return (bias ? plain.add(bias) : plain) as tf.Tensor2D
    })
  }
  const project = tf.customGrad((x) => {
    const input = x as tf.Tensor
    return {
      value: product(input.reshape([-1, inFeatures]) as tf.Tensor2D).reshape([...input.shape.slice(0, -1), outFeatures]),
      gradFunc: (dy) => tf.tidy(() => tf.matMul((dy as tf.Tensor).reshape([-1, outFeatures]) as tf.Tensor2D, matmulWeight()).reshape(input.shape)),
    }
  })
  const module: Int8Linear = {
    name,
    shape: [outFeatures, inFeatures],
    ...(bias && { bias }),
    int8,
    threshold,
    training: false,
    readWeight,
    apply: (x) => tf.tidy(() => project(x)),
    dispose: () => {},
  }
  return module
}

/**
 * The int8 counterpart of `source` (same name and shape), quantized as Linear8bitLt; `source` is
 * left as it is. Async because quantizing reads the weight to the host.
 */
export const int8Linear = async (source: Linear, threshold = defaultInt8Threshold): Promise<Int8Linear> =>
  int8HostLinear(source.name, quantizeInt8(await hostWeight(source), source.shape), source.bias, threshold)
