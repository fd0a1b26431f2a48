// What the webgpu backend computes on, once set up: the adapter tfjs's device came from, in the
// words its driver gives (Mesa's lavapipe says "llvmpipe ... (mesa, software)": a GPU only in
// name), and the largest buffer one binding may hold; and what its buffers hold.
import * as tf from "@tensorflow/tfjs"
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu"
import type { DeviceInfo, TensorMemory } from "@peftlab/core"
import { deviceBindingLimit } from "@peftlab/gpu-kernels"

const webgpuBackend = (): WebGPUBackend => tf.backend() as WebGPUBackend

export const webgpuDevice = async (): Promise<DeviceInfo> => {
  const { adapterInfo } = webgpuBackend().device
  const name = adapterInfo.description || adapterInfo.device || "unnamed adapter"
  const maxBindingBytes = deviceBindingLimit()
  return { kind: "gpu", description: `${name} (${[adapterInfo.vendor, adapterInfo.architecture].filter(Boolean).join(", ")})`, ...(maxBindingBytes !== undefined && { maxBindingBytes }) }
}

export const webgpuMemory = (): TensorMemory => {
  const { numTensors, numBytes, numBytesAllocatedInGPU } = tf.memory() as tf.MemoryInfo & { readonly numBytesAllocatedInGPU?: number }
  return { tensors: numTensors, tensorBytes: numBytes, ...(numBytesAllocatedInGPU !== undefined && { deviceBytes: numBytesAllocatedInGPU }) }
}
