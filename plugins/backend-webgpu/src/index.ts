// tfjs's WebGPU backend under Node, on Dawn (see dawn.ts). On a machine without a GPU, Mesa's
// lavapipe (Vulkan on the CPU) gives it an adapter, which is slow but exercises the same path.
// setup() also registers @peftlab/gpu-kernels' WGSL kernels, which the models and adapters then
// take on webgpu, on a device with shader-f16 where the adapter has it (see shader-f16-device.ts).
import * as tf from "@tensorflow/tfjs"
import type { BackendPlugin } from "@peftlab/core"
import { registerGpuKernels } from "@peftlab/gpu-kernels"
import { installBrowserGlobals, loadDawn } from "./dawn.ts"
import { webgpuDevice, webgpuMemory } from "./device-info.ts"
import { registerShaderF16Backend } from "./shader-f16-device.ts"
import { explainFailedSyncReads } from "./sync-reads.ts"

export { syncReadHint } from "./sync-reads.ts"

const noAdapter =
  "Dawn found no WebGPU adapter: it needs a Vulkan driver on Linux (your GPU's, or Mesa's lavapipe, " +
  "which runs on the CPU: apt-get install mesa-vulkan-drivers), Metal on macOS, D3D12 on Windows"

export const plugin: BackendPlugin = {
  name: "webgpu",
  description: "tfjs WebGPU backend on Dawn (Vulkan, Metal or D3D12); reads are asynchronous only",
  probe: async () => {
    let gpu: GPU
    try {
      gpu = (await loadDawn()).gpu
    } catch (cause) {
      return { available: false, reason: `cannot load Dawn's Node bindings (the "webgpu" package): ${String(cause)}` }
    }
    // tfjs asks for the same adapter when it creates its backend.
    return (await gpu.requestAdapter({ powerPreference: "high-performance" })) ? { available: true } : { available: false, reason: noAdapter }
  },
  setup: async () => {
    await installBrowserGlobals()
    // Imported here rather than at the top: it registers webgpu only if navigator.gpu exists by
    // then, and with a higher priority than cpu, which would change tfjs's default for
    // programs that never chose webgpu.
    const { WebGPUBackend } = await import("@tensorflow/tfjs-backend-webgpu")
    registerShaderF16Backend(WebGPUBackend)
    registerGpuKernels()
    if (!(await tf.setBackend("webgpu"))) throw new Error("tfjs could not initialise its webgpu backend (its warning above says why)")
    await tf.ready()
    explainFailedSyncReads(tf.backend())
  },
  device: webgpuDevice,
  memory: webgpuMemory,
}
