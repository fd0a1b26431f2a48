// What the plugin's heap C kernels (rms-norm/, swiglu/, cross-entropy/, …) share on the JavaScript side. Unlike
// the matmuls, which copy operands into a memory of their own, each of these modules imports
// tfjs-wasm's memory and is called with the tensors' heap offsets, so a kernel reads its inputs
// and writes its outputs where tfjs keeps them: one pass over the data, no copy in or out.
import { readFile } from "node:fs/promises"
import type * as tf from "@tensorflow/tfjs"
import type { WasmHeapBackend } from "./tfjs-heap.ts"

// The WebAssembly API as far as it is used here (the project's TypeScript libraries do not declare it).
interface CompiledModule {
  readonly compiled: unique symbol
}
declare const WebAssembly: {
  compile(bytes: Uint8Array): Promise<CompiledModule>
  Instance: new (module: CompiledModule, imports: { env: { memory: object } }) => { exports: unknown }
}

/** tfjs-backend-wasm's backend, with the Emscripten module's exports (its memory among them). */
interface TfjsWasmBackend extends WasmHeapBackend {
  readonly wasm: WasmHeapBackend["wasm"] & { readonly asm: { readonly memory: object } }
}

/** A compiled kernel module, instantiated on the memory of whichever tfjs-wasm backend calls it. */
export interface HeapKernelModule<Exports> {
  /** The module's exports, bound to `backend`'s memory (one instance per memory, made on first use). */
  on(backend: object): Exports
}

/** Compiles the kernel module in the file `source` (instantiation waits for a backend's memory). */
export const compileHeapKernelModule = async <Exports>(source: URL): Promise<HeapKernelModule<Exports>> => {
  const compiled = await WebAssembly.compile(await readFile(source))
  const instances = new WeakMap<object, Exports>()
  return {
    on: (backend) => {
      const { memory } = (backend as TfjsWasmBackend).wasm.asm
      const known = instances.get(memory)
      if (known) return known
      // Synchronous instantiation: the module is a few kilobytes, far under any engine's limit.
      const exports = new WebAssembly.Instance(compiled, { env: { memory } }).exports as Exports
      instances.set(memory, exports)
      return exports
    },
  }
}

/** The byte offset of `t`'s values in tfjs-wasm's heap, the pointer a kernel module takes. */
export const heapAddress = (backend: object, t: tf.TensorInfo): number => (backend as WasmHeapBackend).dataIdMap.get(t.dataId).memoryOffset

/** A new float32 tensor of `shape` on `backend`, to be written by a kernel module. */
export const heapFloat32Output = (backend: object, shape: ReadonlyArray<number>): tf.TensorInfo => (backend as WasmHeapBackend).makeOutput(shape, "float32")

/** What a heap kernel's body gets for one call: the module on the calling backend, tensors' heap pointers, new float32 outputs. */
export interface HeapCall<Exports> {
  readonly exports: Exports
  at(t: tf.TensorInfo): number
  output(shape: ReadonlyArray<number>): tf.TensorInfo
}

/** A "wasm" kernel config over `module`: `run` checks the inputs, makes the outputs and calls the module in place. */
export const heapKernel = <Exports>(
  kernelName: string,
  module: HeapKernelModule<Exports>,
  run: (inputs: Record<string, tf.TensorInfo>, attrs: tf.NamedAttrMap, call: HeapCall<Exports>) => tf.TensorInfo | Array<tf.TensorInfo>,
): tf.KernelConfig => ({
  kernelName,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) =>
    run(inputs as Record<string, tf.TensorInfo>, attrs ?? {}, { exports: module.on(backend), at: (t) => heapAddress(backend, t), output: (shape) => heapFloat32Output(backend, shape) }),
})

/** Throws unless every input is float32. */
export const expectFloat32 = (kernelName: string, inputs: Record<string, tf.TensorInfo>): void => {
  const other = Object.entries(inputs).find(([, t]) => t.dtype !== "float32")
  if (other) throw new TypeError(`${kernelName}: ${other[0]} must be float32, got ${other[1].dtype}`)
}
