// RMSNorm (Zhang & Sennrich, 2019) as in HF Llama: x / sqrt(mean(x²) + eps) * weight, over the
// last axis. One op with its own gradient, which keeps only x (tfjs's tape would keep the
// square, mean, rsqrt and both products of every norm for the backward pass). Where the backend
// has @peftlab/gpu-kernels' one-pass kernel (WGSL on webgpu, the wasm plugin's C kernel on
// wasm) it runs that instead, whose gradient also keeps only x and the weight.
import * as tf from "@tensorflow/tfjs"
import { rmsNorm as rmsNormKernel, rmsNormKernelName, usesFusedKernel } from "@peftlab/gpu-kernels"

const inverseRms = (x: tf.Tensor, eps: number): tf.Tensor => tf.rsqrt(x.square().mean(-1, true).add(eps))

const rmsNormOp = (eps: number) =>
  tf.customGrad((...args) => {
    const [x, weight, save] = args as unknown as [tf.Tensor, tf.Tensor1D, tf.GradSaveFunc]
    save([x, weight])
    return {
      value: x.mul(inverseRms(x, eps)).mul(weight),
      gradFunc: (dy: tf.Tensor, saved: Array<tf.Tensor>) =>
        tf.tidy(() => {
          const [sx, sw] = saved as [tf.Tensor, tf.Tensor1D]
          const r = inverseRms(sx, eps)
          const scaled = dy.mul(sw)
          // d/dx of x·r: r·g - x·r³·mean(g·x), with g the gradient reaching the normalised x.
          const dx = scaled.mul(r).sub(sx.mul(r.pow(3)).mul(scaled.mul(sx).mean(-1, true)))
          const dWeight = dy.mul(sx).mul(r).reshape([-1, sw.shape[0]]).sum(0)
          return [dx, dWeight]
        }),
    }
  })

export const rmsNorm = (x: tf.Tensor3D, weight: tf.Tensor1D, eps: number): tf.Tensor3D =>
  usesFusedKernel(rmsNormKernelName) ? rmsNormKernel(x, weight, eps) : (rmsNormOp(eps)(x, weight) as tf.Tensor3D)
