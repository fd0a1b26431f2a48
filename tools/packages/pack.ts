// `node tools/packages/pack.ts [--out <dir>] [<@peftlab/name> …]` (npm run pack:packages): builds,
// then `npm pack`s the named packages (all publishable ones by default) and the @peftlab packages
// they depend on into --out (default out/packages). npm 11 does not apply publishConfig.exports,
// so each package is staged in a temporary folder (its "files": dist/, README.md and any asset
// folders, and a package.json whose exports are publishConfig's) and packed from there; the
// workspace's package.json is untouched.
import { execFileSync } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { buildPackages } from "./build.ts"
import { type Manifest, publishablePackages, repoRoot, withDependencies } from "./publishable.ts"

/** The package.json as published: exports from publishConfig, which keeps its registry settings. */
const packedManifest = (manifest: Manifest): Manifest => {
  const { exports, ...publishConfig } = manifest.publishConfig ?? {}
  return { ...manifest, exports, publishConfig }
}

/** Builds and packs; returns the tarballs' paths. */
export const packPackages = (names: readonly string[], outDir: string): string[] => {
  buildPackages()
  mkdirSync(outDir, { recursive: true })
  return withDependencies(names).map((pkg) => {
    const stage = mkdtempSync(join(tmpdir(), "peftlab-pack-"))
    try {
      for (const entry of pkg.manifest["files"] as string[]) cpSync(join(pkg.dir, entry), join(stage, entry), { recursive: true })
      writeFileSync(join(stage, "package.json"), `${JSON.stringify(packedManifest(pkg.manifest), null, 2)}\n`)
      const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", outDir], { cwd: stage, encoding: "utf8" })) as Array<{ filename: string }>
      return join(outDir, packed[0]!.filename)
    } finally {
      rmSync(stage, { recursive: true, force: true })
    }
  })
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({ options: { out: { type: "string", default: join(repoRoot, "out", "packages") } }, allowPositionals: true })
  const names = positionals.length > 0 ? positionals : publishablePackages().map((pkg) => pkg.manifest.name)
  for (const tarball of packPackages(names, resolve(values.out))) console.log(tarball)
}
