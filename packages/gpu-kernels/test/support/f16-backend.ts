// tfjs's webgpu backend as @peftlab/backend-webgpu sets it up: on a device with the "shader-f16"
// feature wherever the adapter has it, which the f16 kernels need.
import { plugin } from "@peftlab/backend-webgpu"
import { shaderF16Support } from "../../src/index.ts"

/** Selects tfjs's webgpu backend; the reason it cannot run f16 shaders there, if so. */
export const setupWebgpuWithShaderF16 = async (): Promise<string | undefined> => {
  await plugin.setup()
  const support = shaderF16Support()
  return support.available ? undefined : support.reason
}
