// What the plugin's own C kernels (packed-matmul/, gemm/) share on the JavaScript side: each is a
// freestanding wasm32 module that exports its memory and __heap_base, is read from the .wasm file
// shipped beside its loader, and has the caller lay buffers out in that memory, grown to fit.
import { readFile } from "node:fs/promises"

// The WebAssembly API as far as it is used here (the project's TypeScript libraries do not declare it).
declare const WebAssembly: { instantiate(bytes: Uint8Array): Promise<{ instance: { exports: unknown } }> }

/** The exports every kernel module has, besides its functions. */
export interface KernelModuleExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number }
  readonly __heap_base: { readonly value: number }
}

const pageBytes = 65536
/** wasm32 addresses end here. */
export const maxModuleBytes = 2 ** 32

/** `offset` rounded up to 16 bytes, the alignment of every buffer laid out in a module's memory. */
export const align16 = (offset: number): number => Math.ceil(offset / 16) * 16

/** Instantiates the kernel module in the file `source`; its exports, typed as the caller declares them. */
export const instantiateKernelModule = async <Exports extends KernelModuleExports>(source: URL | string): Promise<Exports> =>
  (await WebAssembly.instantiate(await readFile(source))).instance.exports as Exports

/** Grows `memory` to hold `end` bytes (the caller checks `end` against maxModuleBytes first). */
export const growTo = (memory: KernelModuleExports["memory"], end: number): void => {
  if (memory.buffer.byteLength < end) memory.grow(Math.ceil((end - memory.buffer.byteLength) / pageBytes))
}
