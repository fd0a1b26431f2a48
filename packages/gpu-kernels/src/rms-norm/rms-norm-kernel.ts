// The webgpu kernel behind rmsNorm, and its gradient: the backend's own gradient kernel where it
// has one (the wasm plugin's one-pass C kernel, by the name below), else composed tfjs ops.
import * as tf from "@tensorflow/tfjs"
import { runKernels, usesFusedKernel, wgslKernel } from "../shared/kernel-path.ts"
import { rmsNormProgram } from "./rms-norm-program.ts"

export const rmsNormKernelName = "PeftlabRmsNorm"
/** Inputs dy, x [rows, cols] and weight [cols]; attribute eps; outputs dx and dweight. No WGSL kernel (yet). */
export const rmsNormGradKernelName = "PeftlabRmsNormGrad"

/** Inputs x [rows, cols] and weight [cols]; attribute eps. */
export const rmsNormKernel: tf.KernelConfig = wgslKernel(rmsNormKernelName, ({ x, weight }, attrs) => {
  const [rows, cols] = x!.shape as [number, number]
  return { program: rmsNormProgram(rows, cols), inputs: [x!, weight!], uniforms: [{ type: "float32", data: [attrs.eps as number] }] }
})

// With r = 1 / sqrt(mean(x²) + eps) per row and g = dy * weight:
// dx = r g - x r³ mean(g x) and dweight = Σ_rows dy x r.
export const rmsNormGradient: tf.GradConfig = {
  kernelName: rmsNormKernelName,
  inputsToSave: ["x", "weight"],
  gradFunc: (dy, saved, attrs) => {
    const [x, weight] = saved as [tf.Tensor2D, tf.Tensor1D]
    const upstream = dy as tf.Tensor2D
    if (usesFusedKernel(rmsNormGradKernelName)) {
      const [dx, dWeight] = runKernels(rmsNormGradKernelName, { dy: upstream, x, weight }, { eps: attrs.eps as number })
      return { x: () => dx!, weight: () => dWeight! }
    }
    const inverseRms = () => tf.rsqrt(x.square().mean(-1, true).add(attrs.eps as number))
    return {
      x: () => {
        const r = inverseRms()
        const g = upstream.mul(weight)
        return g.mul(r).sub(x.mul(r.pow(3)).mul(g.mul(x).mean(-1, true)))
      },
      weight: () => upstream.mul(x).mul(inverseRms()).sum(0),
    }
  },
}
