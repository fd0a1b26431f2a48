export { dequantizeNf4, nf4Bytes, quantizeNf4, type Nf4Weights } from "./nf4.ts"
export { nf4Levels } from "./nf4-levels.ts"
export { isNf4Linear, nf4Linear, type Nf4Linear } from "./nf4-linear.ts"
export { quantizeModelLinears, type Nf4Report } from "./quantize-model.ts"
