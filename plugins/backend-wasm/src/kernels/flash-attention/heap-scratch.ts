// Scratch memory for a heap kernel that needs more than registers: its C may use neither the
// shadow stack nor static data (both would land in tfjs-wasm's heap, see ../c/build.sh), so the
// buffer is a block of tfjs-wasm's heap allocated like a tensor's and freed once the call returns.
import type { WasmHeapBackend } from "../tfjs-heap.ts"

interface ScratchBackend extends WasmHeapBackend {
  disposeData(dataId: object, force?: boolean): boolean
}

/** Runs `use` with the heap offset of `floats` uninitialised floats, freed after (also when `use` throws). */
export const withHeapScratch = (backend: object, floats: number, use: (scratch: number) => void): void => {
  const heap = backend as ScratchBackend
  const { dataId } = heap.makeOutput([floats], "float32")
  try {
    use(heap.dataIdMap.get(dataId).memoryOffset)
  } finally {
    heap.disposeData(dataId, true)
  }
}
