// Builds the addon with node-gyp from binding.gyp (npm run build:native in this package), against
// the headers of the Node that runs this script: an official Node distribution has include/node
// with node_api.h and the gypi files node-gyp reads (the workspace's `node` package installs one,
// node-<platform>-<arch>, beside the binary npm scripts run), so the build downloads nothing. The result is build/Release/native_gemm.node, which loadNativeGemm()
// prefers to the committed prebuilt (a local or CI build of these sources is what is tested);
// `--prebuilt` also copies it to prebuilds/<platform>-<arch>/native-gemm.node, the binary the
// package ships. It needs a C compiler and make; users never run it.
import { spawnSync } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync } from "node:fs"
import { createRequire } from "node:module"
import { availableParallelism } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { builtPath, prebuiltPath } from "../src/addon.ts"

/** The version node_version.h in a distribution's headers names. */
const nodeVersionOf = (dir: string): string => {
  const header = readFileSync(join(dir, "include", "node", "node_version.h"), "utf8")
  const part = (name: string) => new RegExp(`#define NODE_${name}_VERSION (\\d+)`).exec(header)?.[1]
  return [part("MAJOR"), part("MINOR"), part("PATCH")].join(".")
}

const packageRoot = fileURLToPath(new URL("..", import.meta.url))
const require = createRequire(import.meta.url)
const distributionOfNodePackage = (): string | undefined => {
  try {
    const nodePackage = dirname(require.resolve("node/package.json"))
    return dirname(createRequire(join(nodePackage, "package.json")).resolve(`node-${process.platform}-${process.arch}/package.json`))
  } catch {
    return undefined // not installed through the `node` package: the running binary's own folder is the other candidate
  }
}
const candidates = [dirname(dirname(realpathSync(process.execPath))), distributionOfNodePackage()].filter((dir) => dir !== undefined)
const nodeDir = candidates.find((dir) => existsSync(join(dir, "include", "node", "common.gypi")) && nodeVersionOf(dir) === process.versions.node)
if (nodeDir === undefined) {
  console.error(`build:native: no Node ${process.versions.node} headers (include/node/common.gypi) in ${candidates.join(" or ")}; run it with the Node of an official distribution (npm run puts the workspace's first on the PATH)`)
  process.exit(2)
}
const nodeGyp = require.resolve("node-gyp/bin/node-gyp.js")
const result = spawnSync(process.execPath, [nodeGyp, "rebuild", "--release", `--nodedir=${nodeDir}`, `--jobs=${availableParallelism()}`], { cwd: packageRoot, stdio: "inherit" })
if (result.status !== 0) process.exit(result.status ?? 1)
if (process.argv.includes("--prebuilt")) {
  mkdirSync(dirname(prebuiltPath()), { recursive: true })
  copyFileSync(builtPath, prebuiltPath())
  console.log(`build:native: ${builtPath} -> ${prebuiltPath()}`)
}
