// The host CPU as a backend's device: the cpu, wasm and tfjs-node backends compute on it, each
// on its own number of threads.
import { cpus } from "node:os"
import type { DeviceInfo } from "./backend.ts"

/** The host's CPU model with `threads` threads, and how the backend runs on it (`how`, e.g. "WebAssembly SIMD"). */
export const hostDevice = (threads: number, how: string): DeviceInfo => {
  const model = cpus()[0]?.model.trim() || "unknown CPU"
  return { kind: "cpu", description: `${model}, ${threads} thread${threads === 1 ? "" : "s"} (${how})`, threads }
}
