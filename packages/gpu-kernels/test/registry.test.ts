import * as tf from "@tensorflow/tfjs"
import { describe, expect, it, vi } from "vitest"
import { gpuKernelNames, registerGpuKernels } from "../src/index.ts"

describe("registerGpuKernels", () => {
  it("has registered, on import, a webgpu kernel and a gradient under every name", () => {
    expect(gpuKernelNames).toEqual(["PeftlabRmsNorm", "PeftlabSoftmaxCrossEntropy", "PeftlabLoraLinear", "PeftlabTiledMatMul", "PeftlabNf4MatMul", "PeftlabFlashAttention"])
    for (const name of gpuKernelNames) {
      expect(tf.getKernel(name, "webgpu")?.kernelName).toBe(name)
      expect(tf.getGradient(name)?.kernelName).toBe(name)
    }
  })

  it("registers nothing twice (tfjs would warn about each)", () => {
    const warn = vi.spyOn(console, "warn")
    const kernels = gpuKernelNames.map((name) => tf.getKernel(name, "webgpu"))
    registerGpuKernels()
    expect(warn).not.toHaveBeenCalled()
    expect(gpuKernelNames.map((name) => tf.getKernel(name, "webgpu"))).toEqual(kernels)
    warn.mockRestore()
  })
})
