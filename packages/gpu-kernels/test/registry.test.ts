import * as tf from "@tensorflow/tfjs"
import { describe, expect, it, vi } from "vitest"
import { gpuKernelNames, registerGpuKernels } from "../src/index.ts"

describe("registerGpuKernels", () => {
  it("has registered, on import, a webgpu kernel under every name, and a gradient under every one but the row gather's", () => {
    expect(gpuKernelNames).toEqual([
      "PeftlabRmsNorm",
      "PeftlabSoftmaxCrossEntropy",
      "PeftlabLoraLinear",
      "PeftlabTiledMatMul",
      "PeftlabNf4MatMul",
      "PeftlabFlashAttention",
      "PeftlabHalfMatMul",
      "PeftlabRowGather",
    ])
    for (const name of gpuKernelNames) {
      expect(tf.getKernel(name, "webgpu")?.kernelName).toBe(name)
      // Tables are frozen and ids are integers: the gather has nothing to differentiate.
      expect(tf.getGradient(name)?.kernelName).toBe(name === "PeftlabRowGather" ? undefined : name)
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
