// Which workspace packages are published: those under packages/ and plugins/ whose package.json
// has a publishConfig. The build and the packing script both read this list, so adding a package
// to it is one edit.
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

export const repoRoot = join(import.meta.dirname, "..", "..")

export interface Manifest {
  readonly name: string
  readonly version: string
  readonly exports?: unknown
  readonly dependencies?: Readonly<Record<string, string>>
  readonly publishConfig?: Readonly<Record<string, unknown>>
  readonly [field: string]: unknown
}

export interface PublishablePackage {
  /** The package's folder. */
  readonly dir: string
  /** The folder relative to the repository root (packages/<name> or plugins/<name>), also its path in the build's output. */
  readonly folder: string
  readonly manifest: Manifest
}

/** The workspace folders that hold packages, relative to the repository root. */
export const packageGroups = ["packages", "plugins"] as const

export const publishablePackages = (): PublishablePackage[] =>
  packageGroups
    .flatMap((group) => readdirSync(join(repoRoot, group)).map((name) => ({ folder: `${group}/${name}`, dir: join(repoRoot, group, name) })))
    .filter(({ dir }) => existsSync(join(dir, "package.json")))
    .map(({ folder, dir }) => ({ folder, dir, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest }))
    .filter((pkg) => pkg.manifest.publishConfig !== undefined)

/**
 * The named packages and every @peftlab package they depend on, transitively. Throws when one of
 * them depends on a @peftlab package that is not publishable: its tarball could not install.
 */
export const withDependencies = (names: readonly string[]): PublishablePackage[] => {
  const byName = new Map(publishablePackages().map((pkg) => [pkg.manifest.name, pkg]))
  const found = new Map<string, PublishablePackage>()
  const visit = (name: string, from: string) => {
    if (found.has(name)) return
    const pkg = byName.get(name)
    if (pkg === undefined) throw new Error(`${name} (needed by ${from}) has no publishConfig, so it is not published`)
    found.set(name, pkg)
    for (const dep of Object.keys(pkg.manifest.dependencies ?? {})) if (dep.startsWith("@peftlab/")) visit(dep, name)
  }
  for (const name of names) visit(name, "the command line")
  return [...found.values()]
}
