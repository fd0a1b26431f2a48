// Rotary position embeddings fused with the split into heads, and the gradient, as tfjs kernels
// for the "wasm" backend, on rope.wasm (c/rope.c), which works in tfjs-wasm's heap.
// @peftlab/gpu-kernels' rope op runs them by name whenever the backend has them, and its
// registered gradient runs the gradient kernel: the names, inputs and attributes are the contract.
import type * as tf from "@tensorflow/tfjs"
import { expectFloat32, heapAddress, heapFloat32Output, type HeapKernelModule } from "../heap-module.ts"
import type { WasmHeapBackend } from "../tfjs-heap.ts"

/**
 * Inputs x [b, t, heads·d], cos and sin [maxPositions, d], positions int32 [b, t]; attributes heads,
 * headDim and scale; output y [b, heads, t, d], each head vector rotated (HF's rotate_half layout,
 * its sign in sin) and scaled.
 */
export const ropeKernelName = "PeftlabRope"
/** Inputs dy [b, heads, t, d], cos, sin and positions; the same attributes; output dx [b, t, heads·d]. */
export const ropeGradKernelName = "PeftlabRopeGrad"

type Pointer = number
type Sizes = [batch: number, time: number, heads: number, dim: number, scale: number]

export interface RopeExports {
  rope(x: Pointer, cos: Pointer, sin: Pointer, positions: Pointer, y: Pointer, ...sizes: Sizes): void
  rope_grad(dy: Pointer, cos: Pointer, sin: Pointer, positions: Pointer, dx: Pointer, ...sizes: Sizes): void
}

/** rope.wasm, shipped beside this file. */
export const ropeWasmUrl = new URL("./rope.wasm", import.meta.url)

/** The layouts of x (and dx), one row of all heads per token, and of y (and dy), one matrix per head. */
const layouts = (batch: number, time: number, heads: number, dim: number) => ({ projection: [batch, time, heads * dim], heads: [batch, heads, time, dim] })

/**
 * The C functions' size arguments and the output's shape (the other layout than `data`'s), once the
 * shapes agree, the dtypes are right and every position indexes a row of the tables: the kernel
 * reads the rows unchecked, so a position outside them is refused here (as the cpu backend's
 * gather refuses it) rather than read from elsewhere in the heap, and before any output exists.
 */
const checked = (
  kernelName: string,
  backend: object,
  { data, cos, sin, positions }: Record<"data" | "cos" | "sin" | "positions", tf.TensorInfo>,
  attrs: tf.NamedAttrMap,
  layout: "projection" | "heads",
): { sizes: Sizes; outputShape: Array<number> } => {
  expectFloat32(kernelName, { [layout === "projection" ? "x" : "dy"]: data, cos, sin })
  const [batch, time] = positions.shape as [number, number]
  const [heads, dim, scale] = [attrs.heads as number, attrs.headDim as number, attrs.scale as number]
  const rows = cos.shape[0]!
  const shapes = layouts(batch, time, heads, dim)
  const agree = positions.dtype === "int32" && positions.shape.length === 2 && dim % 2 === 0 && cos.shape.join() === [rows, dim].join() && sin.shape.join() === cos.shape.join()
  if (!agree || data.shape.join() !== shapes[layout].join()) {
    throw new TypeError(
      `${kernelName}: expected ${layout === "projection" ? "x [b, t, heads·d]" : "dy [b, heads, t, d]"}, cos and sin [positions, d], positions int32 [b, t] (heads ${heads}, d ${dim}); ` +
        `got [${data.shape}], cos [${cos.shape}], sin [${sin.shape}], positions ${positions.dtype} [${positions.shape}]`,
    )
  }
  const values = new Int32Array((backend as WasmHeapBackend).wasm.HEAPF32.buffer, heapAddress(backend, positions), batch * time)
  const outside = values.findIndex((p) => p < 0 || p >= rows)
  if (outside >= 0) throw new RangeError(`${kernelName}: position ${values[outside]} (at ${outside}) is outside the tables' rows [0, ${rows - 1}]`)
  return { sizes: [batch, time, heads, dim, scale], outputShape: shapes[layout === "projection" ? "heads" : "projection"] }
}

/** The kernel `kernelName` on the C function `entry`, from the layout of its input `data` (x or dy) to the other. */
const ropeKernel = (module: HeapKernelModule<RopeExports>, kernelName: string, entry: keyof RopeExports, layout: "projection" | "heads"): tf.KernelConfig => ({
  kernelName,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { [layout === "projection" ? "x" : "dy"]: data, cos, sin, positions } = inputs as Record<string, tf.TensorInfo>
    const { sizes, outputShape } = checked(kernelName, backend, { data: data!, cos: cos!, sin: sin!, positions: positions! }, attrs!, layout)
    const out = heapFloat32Output(backend, outputShape)
    const at = (t: tf.TensorInfo) => heapAddress(backend, t)
    module.on(backend)[entry](at(data!), at(cos!), at(sin!), at(positions!), at(out), ...sizes)
    return out
  },
})

/** Both kernel configs over the compiled module. */
export const ropeKernels = (module: HeapKernelModule<RopeExports>): ReadonlyArray<tf.KernelConfig> => [
  ropeKernel(module, ropeKernelName, "rope", "projection"),
  ropeKernel(module, ropeGradKernelName, "rope_grad", "heads"),
]
