// Identity (what tf.clone runs, and what tfjs's tape runs on every tensor it saves for the backward
// pass) sharing its input's data, as tfjs-backend-cpu's does. tfjs-backend-wasm's copies it:
// training on wasm held a second copy of every saved activation and of every weight a gradient
// reads (a fully fine-tuned 345M-parameter encoder's 205 MB embedding table, say), though tfjs
// never writes tensor data in place. The backend counts references per data id (its Reshape
// shares data the same way), so the data lives until its last holder lets go.
import * as tf from "@tensorflow/tfjs"

/** What this kernel reads of tfjs-backend-wasm's backend (its BackendWasm class). */
interface RefCountingBackend {
  incRef(dataId: tf.TensorInfo["dataId"]): void
}

export const sharedIdentityConfig = (copying: tf.KernelConfig): tf.KernelConfig => ({
  kernelName: "Identity",
  backendName: "wasm",
  kernelFunc: (args) => {
    const x = args.inputs["x"] as tf.TensorInfo
    // String tensors live outside the heap; the backend's own kernel handles them.
    if (x.dtype === "string") return copying.kernelFunc(args)
    ;(args.backend as unknown as RefCountingBackend).incRef(x.dataId)
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype }
  },
})
