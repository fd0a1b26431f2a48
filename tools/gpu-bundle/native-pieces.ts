// The binary files a bundle's packages load from disk at run time, placed where the bundled code
// looks for them, which is relative to the bundle itself, so no package code needs changing.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs"
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

// @peftlab/backend-wasm loads its packed-weight matmul from new URL("./packed-matmul.wasm",
// import.meta.url), which in the bundle names the bundle's folder: the file goes there. Without
// it the plugin warns and widens frozen NF4 and bf16 weights per call.
const packedMatMulWasm = "packed-matmul.wasm"

const placePackedMatMul = (moduleIds: readonly string[], outDir: string): void => {
  const loader = findModule(moduleIds, "/src/kernels/packed-matmul/packed-matmul-module.ts")
  if (loader) copyFileSync(join(dirname(loader), packedMatMulWasm), join(outDir, packedMatMulWasm))
}

/** Places what the bundled modules need beside the bundle; returns the .xz files run.sh must unpack. */
export const placeNativePieces = (moduleIds: readonly string[], outDir: string): readonly string[] => {
  placeWasmBinaries(moduleIds, outDir)
  placePackedMatMul(moduleIds, outDir)
  const dawn = placeDawn(moduleIds, outDir)
  return dawn ? [dawn] : []
}

/** The top-level entries placeNativePieces may create in an output folder. */
export const nativePieceEntries = ["dist", "node_modules", packedMatMulWasm] as const
