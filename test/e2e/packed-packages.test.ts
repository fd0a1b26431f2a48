// The published packages work outside the monorepo: @peftlab/stats and @peftlab/adapters-lora are
// packed as npm would publish them (tools/packages/pack.ts, with the @peftlab packages they depend
// on), installed from the tarballs into a scratch project in the temp folder beside the repo's
// versions of tfjs and effect from the registry, and each README's runnable example is run there
// with Node 22 and type-checked against the packed .d.ts files. One copy of tfjs means no "kernel
// already registered" warning on stderr.
import { execFileSync, spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { packPackages } from "../../tools/packages/pack.ts"
import { repoRoot } from "./cli.ts"

const scratch = mkdtempSync(join(tmpdir(), "peftlab-packed-"))

// npm run / npx put npm_* settings (the workspace among them) in the environment: not the scratch
// project's. FORCE_COLOR (nx sets it) would make console.log colour the examples' output.
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_") && key !== "FORCE_COLOR")),
  NO_COLOR: "1",
}

const registryReachable = spawnSync("npm", ["ping"], { env, timeout: 20_000 }).status === 0

/** `name@version` as installed in the workspace, so the scratch project gets what the tests use. */
const installed = (name: string): string => {
  const manifest = createRequire(join(repoRoot, "package.json")).resolve(`${name}/package.json`)
  return `${name}@${(JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version}`
}

/** The ```ts block of a package's README that starts with "// Runs as is". */
const readmeExample = (folder: string): string => {
  const readme = readFileSync(join(repoRoot, "packages", folder, "README.md"), "utf8")
  const block = readme.split("```ts\n").find((part) => part.startsWith("// Runs as is"))
  if (block === undefined) throw new Error(`packages/${folder}/README.md has no "// Runs as is" example`)
  return block.slice(0, block.indexOf("```"))
}

const runExample = (folder: string) => {
  const file = join(scratch, `${folder}-example.ts`)
  writeFileSync(file, readmeExample(folder))
  const result = spawnSync(process.execPath, [file], { cwd: scratch, env, encoding: "utf8", timeout: 60_000 })
  expect(result.status, result.stderr).toBe(0)
  expect(result.stderr).not.toMatch(/already registered/i)
  return result.stdout.trim().split("\n")
}

describe("the packed packages in a project outside the monorepo", () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))

  it("install from their tarballs and run their README examples", (context) => {
    if (!registryReachable) return context.skip("the npm registry is unreachable: tfjs and effect cannot be installed")
    const tarballs = packPackages(["@peftlab/stats", "@peftlab/adapters-lora"], join(scratch, "tarballs"))
    writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "scratch", private: true, type: "module" }))
    const peers = ["@tensorflow/tfjs", "@tensorflow/tfjs-backend-webgpu", "effect"].map(installed)
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", ...tarballs, ...peers], { cwd: scratch, env, stdio: "pipe" })

    expect(runExample("stats")).toEqual(["0 3 0.2500", "0.5", "[ '0.1667', '0.8333' ]", "0.0330"])
    expect(runExample("adapters-lora").slice(0, 3)).toEqual(["768", "[ 1, 4, 50 ]", "[ 'adapter_config.json', 'adapter_model.safetensors' ]"])

    // tfjs's own declarations do not check under strict settings, hence skipLibCheck.
    const tsc = ["--ignoreConfig", "--noEmit", "--strict", "--skipLibCheck", "--module", "nodenext", "--target", "es2023"]
    const types = ["--types", "node", "--typeRoots", join(repoRoot, "node_modules", "@types")]
    const check = spawnSync(join(repoRoot, "node_modules", ".bin", "tsc"), [...tsc, ...types, "stats-example.ts", "adapters-lora-example.ts"], { cwd: scratch, encoding: "utf8" })
    expect(check.status, check.stdout).toBe(0)
  })
})
