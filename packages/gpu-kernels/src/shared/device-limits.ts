// What one tensor may take on tfjs's webgpu device: a binding larger than the device's
// maxStorageBufferBindingSize (or a buffer larger than maxBufferSize) fails validation, so a
// frozen matrix over it is split by rows (see @peftlab/models' device placement). The device
// peftlab creates already asks for the adapter's own limits (backend-webgpu's
// shader-f16-device.ts): on Mesa's lavapipe that is 128 MiB per binding, 4 GiB per buffer.
// Tests and tools may force a lower limit (forceBindingLimit), on any backend, so that what
// splits or chunks by it (row tiles, LM-head chunks, the refusals) runs on tiny models.
import * as tf from "@tensorflow/tfjs"
import { webgpu, webgpuBackend } from "./kernel-path.ts"

let forcedLimit: number | undefined

/**
 * Makes deviceBindingLimit return `bytes` on every backend (undefined: the device's own limit
 * again), for tests and tools that exercise tiling and chunking on small tensors.
 */
export const forceBindingLimit = (bytes: number | undefined): void => {
  if (bytes !== undefined && !(Number.isInteger(bytes) && bytes > 0)) throw new RangeError(`a binding limit must be a positive integer of bytes, got ${bytes}`)
  forcedLimit = bytes
}

/** The largest tensor, in bytes, the current webgpu device binds (or the forced limit); undefined on other backends. */
export const deviceBindingLimit = (): number | undefined => {
  if (forcedLimit !== undefined) return forcedLimit
  if (tf.getBackend() !== webgpu) return undefined
  const { limits } = webgpuBackend(tf.backend()).device
  return Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize)
}

/**
 * Puts `tensor`'s values in device memory now rather than at its first use, so that the host
 * array it was made from can go (tfjs's webgpu backend keeps it until then). Elsewhere nothing.
 */
export const uploadNow = (tensor: tf.Tensor): void => {
  if (tf.getBackend() === webgpu) webgpuBackend(tf.backend()).uploadToGPU(tensor.dataId)
}
