// A WebGPU validation error (a binding larger than maxStorageBufferBindingSize, say) makes Dawn
// skip the dispatch, and tfjs then reads back whatever the output buffer held: zeros, with no
// error. Here every such error, and a lost device, is recorded as it is reported, and from then
// on every read from the device fails with it: a wrong result never reaches a caller silently.
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu"

export class WebGpuDeviceError extends Error {
  override readonly name = "WebGpuDeviceError"
}

/** The first lines of Dawn's message: what failed, and the call it failed in. */
const summary = (message: string): string => message.split("\n").slice(0, 3).join(" ").replace(/\s+/g, " ").trim()

export const failReadsOnDeviceErrors = (device: GPUDevice, backend: WebGPUBackend): void => {
  let failure: string | undefined
  device.addEventListener("uncapturederror", (event) => {
    failure ??= `WebGPU validation error, so results computed on the device are wrong: ${summary((event as GPUUncapturedErrorEvent).error.message)}`
  })
  void device.lost.then((info) => {
    // A device destroyed on purpose (the backend disposed) computes nothing more to read.
    if (info.reason !== "destroyed") failure ??= `the WebGPU device was lost: ${summary(info.message)}`
  })
  const read = backend.read.bind(backend)
  backend.read = async (dataId) => {
    const values = await read(dataId)
    if (failure !== undefined) throw new WebGpuDeviceError(failure)
    return values
  }
}
