// Dawn, Chromium's WebGPU implementation, through its Node bindings: the `webgpu` package ships
// Dawn prebuilt (Linux, macOS, Windows), which reaches the GPU through Vulkan on Linux. Dawn
// holds no handle open after its work is done, so the process still exits by itself.

interface Dawn {
  readonly gpu: GPU
  /** The GPU* classes and constants a browser defines (GPUBufferUsage, GPUMapMode, ...). */
  readonly globals: object
}

let dawn: Promise<Dawn> | undefined

/** Dawn's GPU entry point, created once per process; rejects when the package cannot load. */
export const loadDawn = (): Promise<Dawn> =>
  (dawn ??= import("webgpu").then(({ create, globals }) => ({ gpu: create([]), globals })))

/**
 * tfjs's WebGPU backend is written for browsers: it finds the GPU at navigator.gpu and uses the
 * GPU* constants as globals. Dawn's stand in for both (Node defines none of them).
 */
export const installBrowserGlobals = async (): Promise<void> => {
  const { gpu, globals } = await loadDawn()
  Object.assign(globalThis, globals)
  Object.defineProperty(navigator, "gpu", { value: gpu, configurable: true })
}
