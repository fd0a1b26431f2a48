// `node tools/packages/build.ts` (npm run build:packages): compiles every publishable package's
// src/ (packages/* and plugins/*) into its dist/ (JavaScript and .d.ts), since Node strips no
// types under node_modules. One tsc program over all of them, relative ".ts" imports rewritten to
// ".js"; tsc writes <out>/<group>/<name>/src/…, which is then moved to <group>/<name>/dist. Files
// under src/ that the code reads at run time beside itself (backend-wasm's .wasm kernels) are
// copied to the same place under dist/.
import { spawnSync } from "node:child_process"
import { cpSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { publishablePackages, repoRoot } from "./publishable.ts"

/** Extensions of the non-TypeScript files under src/ that a package loads at run time. */
const assetExtensions = [".wasm"]

const runtimeAssets = (src: string): string[] =>
  readdirSync(src, { recursive: true, encoding: "utf8" })
    .filter((file) => assetExtensions.some((extension) => file.endsWith(extension)))
    .map((file) => join(src, file))

export const buildPackages = (): void => {
  const packages = publishablePackages()
  const work = mkdtempSync(join(tmpdir(), "peftlab-build-"))
  try {
    const out = join(work, "out")
    const config = {
      extends: join(repoRoot, "tsconfig.base.json"),
      compilerOptions: {
        noEmit: false,
        declaration: true,
        rewriteRelativeImportExtensions: true,
        rootDir: repoRoot,
        outDir: out,
        typeRoots: [join(repoRoot, "node_modules", "@types")],
      },
      include: packages.map((pkg) => join(pkg.dir, "src")),
    }
    writeFileSync(join(work, "tsconfig.json"), JSON.stringify(config))
    const tsc = spawnSync(join(repoRoot, "node_modules", ".bin", "tsc"), ["-p", join(work, "tsconfig.json")], { stdio: "inherit" })
    if (tsc.status !== 0) throw new Error(`tsc exited with ${tsc.status ?? tsc.signal}`)
    for (const pkg of packages) {
      rmSync(join(pkg.dir, "dist"), { recursive: true, force: true })
      renameSync(join(out, pkg.folder, "src"), join(pkg.dir, "dist"))
      for (const asset of runtimeAssets(join(pkg.dir, "src"))) cpSync(asset, join(pkg.dir, "dist", relative(join(pkg.dir, "src"), asset)))
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

if (import.meta.main) buildPackages()
