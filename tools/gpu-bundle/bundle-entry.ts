// One ESM file holding an entry and everything it imports (workspace packages, tfjs, ...), so
// it runs where there is no node_modules. Only Node's built-in modules stay imports.
import { build } from "rolldown"

/** The bundle's name inside the output folder; run.sh runs it. */
export const bundleFile = "bundle.mjs"

// Some CommonJS inside the bundle (tfjs-backend-wasm's Emscripten loader) reads __dirname and
// __filename, which an ES module lacks: defined once at the top, they name the bundle itself.
const commonJsGlobals = [
  `import { fileURLToPath as __bundleFileURLToPath } from "node:url";`,
  `import { dirname as __bundleDirname } from "node:path";`,
  `const __filename = __bundleFileURLToPath(import.meta.url);`,
  `const __dirname = __bundleDirname(__filename);`,
].join("\n")

/** Bundles `entry` into `outDir`/bundle.mjs; returns the absolute paths of the modules inlined. */
export const bundleEntry = async (entry: string, outDir: string): Promise<readonly string[]> => {
  const unresolved: string[] = []
  const output = await build({
    input: entry,
    platform: "node",
    // An import left unresolved would become an external import that fails only on the device.
    onLog: (level, log, handle) => (log.code === "UNRESOLVED_IMPORT" ? unresolved.push(log.message) : handle(level, log)),
    output: { dir: outDir, format: "esm", codeSplitting: false, entryFileNames: bundleFile, banner: commonJsGlobals },
  })
  if (unresolved.length > 0) throw new Error(`cannot bundle ${entry}:\n${unresolved.join("\n")}`)
  return output.output.flatMap((chunk) => (chunk.type === "chunk" ? chunk.moduleIds : []))
}
