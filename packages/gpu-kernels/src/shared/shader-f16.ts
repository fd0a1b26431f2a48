// WGSL's f16 type needs two things tfjs-backend-webgpu 4.22 does not provide: a device created
// with the "shader-f16" feature (tfjs requests only timestamp-query and bgra8unorm-storage,
// whatever the adapter offers), and `enable f16;` ahead of every declaration in the shader (tfjs
// puts a program's WGSL after its own prologue).
import * as tf from "@tensorflow/tfjs"
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu"
import { webgpu, webgpuBackend } from "./kernel-path.ts"

export type ShaderF16Support = { readonly available: true } | { readonly available: false; readonly reason: string }

/** Whether tfjs's current backend can run f16 shaders, and if not, why. */
export const shaderF16Support = (): ShaderF16Support => {
  if (tf.getBackend() !== webgpu) return { available: false, reason: `tfjs runs on ${tf.getBackend()}: f16 shaders need its webgpu backend` }
  if (webgpuBackend(tf.backend()).device.features.has("shader-f16")) return { available: true }
  return {
    available: false,
    reason: "tfjs's webgpu device was created without the 'shader-f16' feature (tfjs-backend-webgpu 4.22 does not request it, even where the adapter has it)",
  }
}

const enableDirectives = /^[ \t]*enable[^;]*;/gm
const hoisting = new WeakSet<object>()

/**
 * Makes the device's shader compiler move a shader's `enable` directives to its top, where WGSL
 * requires them. Shaders without one (all of tfjs's) compile unchanged. Once per device.
 */
export const hoistEnableDirectives = (device: WebGPUBackend["device"]): void => {
  if (hoisting.has(device)) return
  hoisting.add(device)
  const compile = device.createShaderModule.bind(device)
  device.createShaderModule = (descriptor) => {
    const directives = descriptor.code.match(enableDirectives)
    if (directives === null) return compile(descriptor)
    return compile({ ...descriptor, code: [...directives.map((d) => d.trim()), descriptor.code.replace(enableDirectives, "")].join("\n") })
  }
}
