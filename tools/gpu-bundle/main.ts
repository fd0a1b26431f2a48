// `node tools/gpu-bundle/main.ts --entry <file.ts> [--out <dir>]`: packs a program and what it needs
// to run on a lent GPU machine that has no Node (see README.md): the bundled program, Node 22,
// Dawn's binding, tfjs-backend-wasm's binaries and the wasm plugin's kernel .wasm files, a Vulkan
// loader, and run.sh to start it.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { bundleEntry, bundleFile } from "./bundle-entry.ts"
import { nativePieceEntries, placeNativePieces } from "./native-pieces.ts"
import { projectNode } from "./node-binary.ts"
import { runScript } from "./run-script.ts"
import { copyVulkanLoader } from "./vulkan-loader.ts"
import { compressInto } from "./xz.ts"

/** Every top-level entry a build (or run.sh, unpacking) writes: cleared before each build. */
const ownEntries = [bundleFile, "run.sh", "node", "node.xz", "lib", ...nativePieceEntries]

/** Clears a previous bundle from `outDir`, refusing a folder holding anything else. */
const clearOutDir = (outDir: string): void => {
  if (!existsSync(outDir)) {
    mkdirSync(outDir, { recursive: true })
    return
  }
  const foreign = readdirSync(outDir).filter((name) => !ownEntries.includes(name))
  if (foreign.length > 0) throw new Error(`${outDir} holds files no gpu bundle writes (${foreign.join(", ")}): choose an empty or bundle folder`)
  for (const name of ownEntries) rmSync(join(outDir, name), { recursive: true, force: true })
}

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((name) => statSync(join(dir, name)).isFile())

const mebibytes = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`

const root = join(import.meta.dirname, "..", "..")
// Inside the repository by default: the device tool carries only paths inside it.
const defaultOut = join(root, ".gpu-bundle")

const { values } = parseArgs({ options: { entry: { type: "string" }, out: { type: "string", default: defaultOut } } })
if (!values.entry) {
  console.error("usage: node tools/gpu-bundle/main.ts --entry <file.ts> [--out <dir>, default <repo>/.gpu-bundle]")
  process.exit(2)
}
const [entry, outDir] = [resolve(values.entry), resolve(values.out)]
const node = projectNode(root)
clearOutDir(outDir)
const moduleIds = await bundleEntry(entry, outDir)
compressInto(node, join(outDir, "node.xz"))
const packed = placeNativePieces(moduleIds, outDir)
const missing = copyVulkanLoader(outDir)
if (missing.length > 0) console.warn(`not carried (this machine has none): ${missing.join(", ")}`)
writeFileSync(join(outDir, "run.sh"), runScript(packed), { mode: 0o755 })

const sizes = filesUnder(outDir).map((name) => ({ name, bytes: statSync(join(outDir, name)).size }))
for (const { name, bytes } of sizes) console.log(`${mebibytes(bytes).padStart(10)}  ${name}`)
console.log(`${mebibytes(sizes.reduce((sum, { bytes }) => sum + bytes, 0)).padStart(10)}  in ${outDir} (${moduleIds.length} modules bundled; Node from ${node})`)
