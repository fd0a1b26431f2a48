export { dequantizeNf4, nf4Bytes, quantizeNf4, type Nf4Weights } from "./nf4.ts"
export { nf4Levels } from "./nf4-levels.ts"
export { isNf4Linear, nf4Linear, type Nf4Linear } from "./nf4-linear.ts"
export { roundHalfEven, roundToFloat16 } from "./float16.ts"
export { dequantizeInt8, dequantizeInt8ForMatmul, int8Bytes, quantizeInt8, type Int8Weights } from "./int8.ts"
export { defaultInt8Threshold, quantizeActivations, type Int8Activations } from "./int8-activations.ts"
export { int8HostLinear, int8Linear, isInt8Linear, type Int8Linear } from "./int8-linear.ts"
export {
  isQuantizedLinear,
  quantizationOf,
  quantizedBytes,
  quantizeModelLinears,
  quantizeModelLinearsAs,
  setQuantizedTraining,
  type QuantizationKind,
  type QuantizationReport,
  type QuantizedLinear,
} from "./quantize-model.ts"
