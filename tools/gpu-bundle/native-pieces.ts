// The binary files a bundle's packages load from disk at run time, placed where the bundled code
// looks for them, which is relative to the bundle itself, so no package code needs changing.
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs"
import { dirname, join, sep } from "node:path"
import { compressInto } from "./xz.ts"

/** The lent GPU machines are x86-64 Linux: the one Dawn build a bundle carries. */
const dawnPlatform = "linux-x64"

const findModule = (moduleIds: readonly string[], suffix: string): string | undefined =>
  moduleIds.find((id) => id.endsWith(suffix.split("/").join(sep)))

/**
 * `webgpu`'s index.js requires dist/<platform>-<arch>/dawn.node beside the file that holds it,
 * which is now the bundle: dawn.node goes there, compressed. Returns the .xz written, if any.
 */
const placeDawn = (moduleIds: readonly string[], outDir: string): string | undefined => {
  const webgpu = findModule(moduleIds, "/node_modules/webgpu/index.js")
  if (!webgpu) return undefined
  const packed = join("dist", dawnPlatform, "dawn.node.xz")
  mkdirSync(join(outDir, "dist", dawnPlatform), { recursive: true })
  compressInto(join(dirname(webgpu), "dist", dawnPlatform, "dawn.node"), join(outDir, packed))
  return packed
}

// @peftlab/backend-wasm finds the .wasm files by resolving @tensorflow/tfjs-backend-wasm from
// its own module (the bundle): a package with only its entry file's name and the binaries,
// in node_modules beside the bundle, is what that resolution needs.
const wasmPackage = join("node_modules", "@tensorflow", "tfjs-backend-wasm")
const wasmBinaries = ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm"]
const anchorEntry =
  "// tools/gpu-bundle inlined @tensorflow/tfjs-backend-wasm into bundle.mjs: this file only marks where its .wasm files are.\n" +
  'throw new Error("@tensorflow/tfjs-backend-wasm is inlined in bundle.mjs")\n'

const placeWasmBinaries = (moduleIds: readonly string[], outDir: string): void => {
  const wasm = moduleIds.find((id) => id.includes(join("node_modules", "@tensorflow", "tfjs-backend-wasm", "dist") + sep))
  if (!wasm) return
  const dist = join(outDir, wasmPackage, "dist")
  mkdirSync(dist, { recursive: true })
  for (const name of wasmBinaries) copyFileSync(join(dirname(wasm), name), join(dist, name))
  writeFileSync(join(dist, "index.js"), anchorEntry)
  writeFileSync(join(outDir, wasmPackage, "package.json"), JSON.stringify({ name: "@tensorflow/tfjs-backend-wasm", main: "dist/index.js" }, null, 2))
}

// @peftlab/backend-wasm loads each of its kernels (the GEMM, the packed-weight matmul, RMSNorm,
// SwiGLU, fused attention, RoPE, the cross-entropy loss: every kernels/<name>/<name>.wasm) from
// new URL("./<kernel>.wasm", import.meta.url), which in the bundle names the bundle's folder: the
// files go there. Without one the plugin warns and runs that kernel's work on XNNPACK or composed
// tfjs ops instead. The list is read from the plugin's folder, so a new kernel is carried too.
const kernelsFolder = join(import.meta.dirname, "..", "..", "plugins", "backend-wasm", "src", "kernels")
const kernelWasms = readdirSync(kernelsFolder, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(kernelsFolder, entry.name, `${entry.name}.wasm`)))
  .map((entry) => ({ folder: entry.name, file: `${entry.name}.wasm` }))

/** The kernel files placeNativePieces puts beside a bundle that uses @peftlab/backend-wasm. */
export const kernelWasmFiles: ReadonlyArray<string> = kernelWasms.map((k) => k.file)

const placeKernelWasms = (moduleIds: readonly string[], outDir: string): void => {
  const plugin = moduleIds.find((id) => id.includes("/plugins/backend-wasm/src/kernels/"))
  if (!plugin) return
  const kernels = plugin.slice(0, plugin.indexOf("/src/kernels/") + "/src/kernels/".length)
  for (const { folder, file } of kernelWasms) copyFileSync(join(kernels, folder, file), join(outDir, file))
}

/** Places what the bundled modules need beside the bundle; returns the .xz files run.sh must unpack. */
export const placeNativePieces = (moduleIds: readonly string[], outDir: string): readonly string[] => {
  placeWasmBinaries(moduleIds, outDir)
  placeKernelWasms(moduleIds, outDir)
  const dawn = placeDawn(moduleIds, outDir)
  return dawn ? [dawn] : []
}

/** The top-level entries placeNativePieces may create in an output folder. */
export const nativePieceEntries = ["dist", "node_modules", ...kernelWasmFiles] as const
