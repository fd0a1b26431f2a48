// SwiGLU, silu(gate) · up, and its gradient as tfjs kernels for the "wasm" backend, on swiglu.wasm
// (c/swiglu.c), which works in tfjs-wasm's heap. @peftlab/gpu-kernels' swiGlu op runs them by
// name whenever the backend has them, and its registered gradient runs the gradient kernel: the
// names and inputs below are the contract.
import type * as tf from "@tensorflow/tfjs"
import { expectFloat32, heapKernel, type HeapKernelModule } from "../heap-module.ts"

/** The forward kernel's name: inputs gate and up, of one shape; output silu(gate) · up. */
export const swiGluKernelName = "PeftlabSwiGlu"
/** The gradient kernel's name: inputs dy, gate and up, of one shape; outputs dgate and dup. */
export const swiGluGradKernelName = "PeftlabSwiGluGrad"

export interface SwiGluExports {
  swiglu(gate: number, up: number, y: number, size: number): void
  swiglu_grad(dy: number, gate: number, up: number, dGate: number, dUp: number, size: number): void
}

/** swiglu.wasm, shipped beside this file. */
export const swiGluWasmUrl = new URL("./swiglu.wasm", import.meta.url)

/** The inputs' common shape and size; throws when they differ or are not float32. */
const commonShape = (kernelName: string, inputs: Record<string, tf.TensorInfo>): { shape: ReadonlyArray<number>; size: number } => {
  expectFloat32(kernelName, inputs)
  const [first, ...others] = Object.values(inputs) as [tf.TensorInfo, ...Array<tf.TensorInfo>]
  const other = others.find((t) => t.shape.join() !== first.shape.join())
  if (other) throw new TypeError(`${kernelName}: inputs must share one shape, got [${first.shape}] and [${other.shape}]`)
  return { shape: first.shape, size: first.shape.reduce((a, b) => a * b, 1) }
}

/** Both kernel configs over the compiled module. */
export const swiGluKernels = (module: HeapKernelModule<SwiGluExports>): ReadonlyArray<tf.KernelConfig> => [
  heapKernel(swiGluKernelName, module, ({ gate, up }, _, { exports, at, output }) => {
    const { shape, size } = commonShape(swiGluKernelName, { gate: gate!, up: up! })
    const y = output(shape)
    exports.swiglu(at(gate!), at(up!), at(y), size)
    return y
  }),
  heapKernel(swiGluGradKernelName, module, ({ dy, gate, up }, _, { exports, at, output }) => {
    const { shape, size } = commonShape(swiGluGradKernelName, { dy: dy!, gate: gate!, up: up! })
    const [dGate, dUp] = [output(shape), output(shape)]
    exports.swiglu_grad(at(dy!), at(gate!), at(up!), at(dGate), at(dUp), size)
    return [dGate, dUp]
  }),
]
