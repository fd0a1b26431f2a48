// RMSNorm and its gradient as tfjs kernels for the "wasm" backend, on rms-norm.wasm (c/rms-norm.c),
// which works in tfjs-wasm's heap. @peftlab/gpu-kernels' rmsNorm op runs them by name whenever
// the backend has them (its WGSL kernel has the same name on webgpu), and its registered gradient
// runs the gradient kernel: the names, inputs and attributes below are the contract.
import type * as tf from "@tensorflow/tfjs"
import { expectFloat32, heapKernel, type HeapKernelModule } from "../heap-module.ts"

/** The forward kernel's name: inputs x [rows, cols] and weight [cols], attribute eps; output y [rows, cols]. */
export const rmsNormKernelName = "PeftlabRmsNorm"
/** The gradient kernel's name: inputs dy, x [rows, cols] and weight [cols], attribute eps; outputs dx and dweight. */
export const rmsNormGradKernelName = "PeftlabRmsNormGrad"

export interface RmsNormExports {
  rms_norm(x: number, weight: number, y: number, rows: number, cols: number, eps: number): void
  rms_norm_grad(dy: number, x: number, weight: number, dx: number, dWeight: number, rows: number, cols: number, eps: number): void
}

/** rms-norm.wasm, shipped beside this file. */
export const rmsNormWasmUrl = new URL("./rms-norm.wasm", import.meta.url)

/** x's [rows, cols], once x is 2-D and the weight is [cols]. */
const rowsAndCols = (kernelName: string, x: tf.TensorInfo, weight: tf.TensorInfo): [number, number] => {
  const [rows, cols] = x.shape
  if (x.shape.length !== 2 || weight.shape.length !== 1 || weight.shape[0] !== cols) {
    throw new TypeError(`${kernelName}: expected x [rows, cols] and weight [cols], got x [${x.shape}] and weight [${weight.shape}]`)
  }
  return [rows!, cols!]
}

/** Both kernel configs over the compiled module. */
export const rmsNormKernels = (module: HeapKernelModule<RmsNormExports>): ReadonlyArray<tf.KernelConfig> => [
  heapKernel(rmsNormKernelName, module, ({ x, weight }, attrs, { exports, at, output }) => {
    expectFloat32(rmsNormKernelName, { x: x!, weight: weight! })
    const [rows, cols] = rowsAndCols(rmsNormKernelName, x!, weight!)
    const y = output([rows, cols])
    exports.rms_norm(at(x!), at(weight!), at(y), rows, cols, attrs.eps as number)
    return y
  }),
  heapKernel(rmsNormGradKernelName, module, ({ dy, x, weight }, attrs, { exports, at, output }) => {
    expectFloat32(rmsNormGradKernelName, { dy: dy!, x: x!, weight: weight! })
    const [rows, cols] = rowsAndCols(rmsNormGradKernelName, x!, weight!)
    if (dy!.shape.join() !== x!.shape.join()) throw new TypeError(`${rmsNormGradKernelName}: dy [${dy!.shape}] must have x's shape [${x!.shape}]`)
    const [dx, dWeight] = [output([rows, cols]), output([cols])]
    exports.rms_norm_grad(at(dy!), at(x!), at(weight!), at(dx), at(dWeight), rows, cols, attrs.eps as number)
    return [dx, dWeight]
  }),
]
