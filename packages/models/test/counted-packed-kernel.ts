// The wasm plugin's packed-weight matmul re-registered so that a test counts its calls, and can
// take it away to compare with the widening path; it is registered again after every test.
import * as tf from "@tensorflow/tfjs"
import { plugin as wasm } from "@peftlab/backend-wasm"
import { afterEach, beforeAll } from "vitest"
import { packedMatMulKernelName } from "../src/frozen/packed-matmul-op.ts"

export interface CountedKernel {
  calls: number
  /** Unregisters the kernel: frozen linears built after this widen. */
  remove(): void
  /** Registers it again. */
  restore(): void
}

/** Sets up wasm and wraps the kernel, for the enclosing describe block. */
export const countedPackedKernel = (): CountedKernel => {
  let kernel: tf.KernelConfig | undefined
  const counted: CountedKernel = {
    calls: 0,
    remove: () => tf.unregisterKernel(packedMatMulKernelName, "wasm"),
    restore: () => {
      if (kernel && !tf.getKernel(packedMatMulKernelName, "wasm")) tf.registerKernel(kernel)
    },
  }
  beforeAll(async () => {
    await wasm.setup()
    const registered = tf.getKernel(packedMatMulKernelName, "wasm")
    if (!registered) throw new Error("the wasm plugin registered no packed matmul")
    kernel = { ...registered, kernelFunc: (args) => (counted.calls++, registered.kernelFunc(args)) }
    tf.unregisterKernel(packedMatMulKernelName, "wasm")
    tf.registerKernel(kernel)
  })
  afterEach(() => counted.restore())
  return counted
}
