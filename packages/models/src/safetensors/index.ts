export type { SafetensorsDtype } from "./dtype.ts"
export { readSafetensors, type SafetensorsTensor } from "./read.ts"
export { writeSafetensors, type Float32Tensor } from "./write.ts"
