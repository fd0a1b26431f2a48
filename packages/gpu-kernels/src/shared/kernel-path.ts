// Which path an op takes: its WGSL kernel when tfjs runs on webgpu and the kernel is registered
// (see registry.ts), or a kernel another backend plugin registered under the same name (the wasm
// plugin's C kernels), else the same computation composed of tfjs ops, which every backend runs.
import * as tf from "@tensorflow/tfjs"
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu"

export const webgpu = "webgpu"

export const usesWgslKernel = (kernelName: string): boolean =>
  tf.getBackend() === webgpu && tf.getKernel(kernelName, webgpu) !== undefined

/** Whether tfjs's current backend has a kernel named `kernelName` (WGSL on webgpu, C on wasm). */
export const usesFusedKernel = (kernelName: string): boolean => tf.getKernel(kernelName, tf.getBackend()) !== undefined

/** A kernel registered for "webgpu" only ever receives tfjs's WebGPUBackend. */
export const webgpuBackend = (backend: object): WebGPUBackend => backend as WebGPUBackend

/** Runs a registered single-output kernel (recorded on the gradient tape like tfjs's own). */
export const runKernel = (kernelName: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor =>
  tf.engine().runKernel(kernelName, inputs, attrs) as tf.Tensor

/** Runs a registered kernel with several outputs (recorded on the gradient tape like tfjs's own). */
export const runKernels = (kernelName: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): Array<tf.Tensor> =>
  tf.engine().runKernel(kernelName, inputs, attrs) as Array<tf.Tensor>

/**
 * The same data as a 1-D tensor. tfjs keys its pipeline cache on how each input's shape compares
 * with the output's (equal, broadcast), which kernels that index flat buffers by their own size
 * uniforms never use: 1-D views spare them a shader compile per such case (a second on lavapipe).
 */
export const flatView = (tensor: tf.TensorInfo): tf.TensorInfo => ({ ...tensor, shape: [tf.util.sizeFromShape(tensor.shape)] })

type RunArgs = Parameters<WebGPUBackend["runWebGPUProgram"]>

/** What one call of a single-program kernel runs: the program, its inputs and its uniforms. */
export interface WgslDispatch {
  readonly program: RunArgs[0]
  readonly inputs: RunArgs[1]
  readonly uniforms?: RunArgs[3]
}

/** A webgpu kernel computed by `run` from its inputs, tfjs's WebGPUBackend and its attributes. */
export const webgpuKernel = (
  kernelName: string,
  run: (inputs: Record<string, tf.TensorInfo>, gpu: WebGPUBackend, attrs: tf.NamedAttrMap) => tf.TensorInfo,
): tf.KernelConfig => ({
  kernelName,
  backendName: webgpu,
  kernelFunc: ({ inputs, backend, attrs }) => run(inputs as Record<string, tf.TensorInfo>, webgpuBackend(backend), attrs ?? {}),
})

/** A webgpu kernel that runs one WGSL program, chosen with its inputs and uniforms from each call; float32 out. */
export const wgslKernel = (kernelName: string, dispatch: (inputs: Record<string, tf.TensorInfo>, attrs: tf.NamedAttrMap) => WgslDispatch): tf.KernelConfig =>
  webgpuKernel(kernelName, (inputs, gpu, attrs) => {
    const { program, inputs: programInputs, uniforms } = dispatch(inputs, attrs)
    return gpu.runWebGPUProgram(program, programInputs, "float32", uniforms)
  })
