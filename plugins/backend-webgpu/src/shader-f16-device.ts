// tfjs's "webgpu" backend on a device that also has the "shader-f16" feature where the adapter
// offers it. tfjs-backend-webgpu 4.22 registers a backend whose device asks only for
// timestamp-query and bgra8unorm-storage, so @peftlab/gpu-kernels' f16 matmul could never run;
// this factory asks for what tfjs asks for (its base.ts: the same adapter, features and raised
// limits) plus shader-f16. tfjs's own kernels never use the feature, so they run as before.
// Its device's validation errors fail every later read (device-errors.ts).
import * as tf from "@tensorflow/tfjs"
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu"
import { failReadsOnDeviceErrors } from "./device-errors.ts"

// The limits raised from WebGPU's defaults to the adapter's own: tfjs's, and the storage buffers
// one shader may bind (WebGPU's default 8; lavapipe offers 16), which tfjs's addN and concat of
// many tensors need, as summing a large vocabulary's tiles does (@peftlab/models' device placement).
// The binding limits stay what the adapter has (128 MiB per binding on lavapipe): a larger frozen
// matrix is split in row tiles rather than bound whole.
const raisedLimits = [
  "maxComputeWorkgroupStorageSize",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupSizeX",
  "maxComputeInvocationsPerWorkgroup",
  "maxStorageBuffersPerShaderStage",
] as const

const wantedFeatures: ReadonlyArray<GPUFeatureName> = ["timestamp-query", "bgra8unorm-storage", "shader-f16"]

const createBackend = async (Backend: typeof WebGPUBackend): Promise<tf.KernelBackend> => {
  const powerPreference = tf.env().getBool("WEBGPU_USE_LOW_POWER_GPU") ? "low-power" : "high-performance"
  const adapter = await navigator.gpu.requestAdapter({ powerPreference })
  if (adapter === null) throw new Error("Dawn found no WebGPU adapter")
  const device = await adapter.requestDevice({
    requiredFeatures: wantedFeatures.filter((feature) => adapter.features.has(feature)),
    requiredLimits: Object.fromEntries(raisedLimits.map((name) => [name, adapter.limits[name]])),
  })
  const backend = new Backend(device, adapter.info)
  failReadsOnDeviceErrors(device, backend)
  return backend
}

/**
 * Puts this factory in place of tfjs's for "webgpu" (same priority), unless a webgpu backend was
 * already created (by either): replacing it would free every tensor it holds. `Backend` is
 * @tensorflow/tfjs-backend-webgpu's, whose import registers tfjs's factory.
 */
export const registerShaderF16Backend = (Backend: typeof WebGPUBackend): void => {
  // Not tf.findBackend: it would start creating the backend it looks for.
  const engine = tf.engine()
  if ("webgpu" in engine.registry) return
  if ("webgpu" in engine.registryFactory) tf.removeBackend("webgpu")
  tf.registerBackend("webgpu", () => createBackend(Backend), 3)
}
