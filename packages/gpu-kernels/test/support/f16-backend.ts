// tfjs's webgpu backend on a device created with the "shader-f16" feature, which
// tfjs-backend-webgpu 4.22 never requests: the plugin's backend with that one change, so that the
// f16 kernels can be checked. Each test file runs in its own process, so replacing tfjs's
// "webgpu" backend here touches no other file's tests.
import * as tf from "@tensorflow/tfjs"
import { plugin } from "@peftlab/backend-webgpu"

// The limits tfjs raises to the adapter's when it creates its device.
const raisedLimits = [
  "maxComputeWorkgroupStorageSize",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupSizeX",
  "maxComputeInvocationsPerWorkgroup",
] as const

/** Selects tfjs's webgpu backend on a shader-f16 device; the reason it cannot, if so. */
export const setupWebgpuWithShaderF16 = async (): Promise<string | undefined> => {
  await plugin.setup()
  // Only now: tfjs-backend-webgpu registers its backend on import if navigator.gpu exists by then.
  const { WebGPUBackend } = await import("@tensorflow/tfjs-backend-webgpu")
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" })
  if (!adapter?.features.has("shader-f16")) return "the WebGPU adapter has no 'shader-f16' feature"
  const device = await adapter.requestDevice({
    requiredFeatures: ["shader-f16"],
    requiredLimits: Object.fromEntries(raisedLimits.map((name) => [name, adapter.limits[name]])),
  })
  tf.removeBackend("webgpu")
  tf.registerBackend("webgpu", () => new WebGPUBackend(device, adapter.info))
  if (!(await tf.setBackend("webgpu"))) throw new Error("tfjs could not initialise its webgpu backend on the shader-f16 device")
  return undefined
}
