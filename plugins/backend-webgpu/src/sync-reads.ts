// tfjs's webgpu backend reads synchronously (dataSync, arraySync) through an OffscreenCanvas,
// which Node lacks, so such a read fails with "OffscreenCanvas is not defined". This says what
// to do instead. Reads of values still on the host never reach the canvas and keep working.
import type * as tf from "@tensorflow/tfjs"

export const syncReadHint =
  "the webgpu backend cannot read a tensor synchronously under Node (dataSync, arraySync): read it with await tensor.data() or await tensor.array()"

const explained = new WeakSet<tf.KernelBackend>()

export const explainFailedSyncReads = (backend: tf.KernelBackend): void => {
  if (explained.has(backend)) return
  explained.add(backend)
  const readSync = backend.readSync.bind(backend)
  backend.readSync = (dataId) => {
    try {
      return readSync(dataId)
    } catch (cause) {
      if (cause instanceof ReferenceError && !("OffscreenCanvas" in globalThis)) throw new Error(syncReadHint, { cause })
      throw cause
    }
  }
}
