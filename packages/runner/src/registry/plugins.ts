// Plugins: the modules a spec lists under `plugins`, each adding entries to the run's registry.
// A path (./x.ts, ../x, /abs/x.ts) is relative to the spec file; anything else is an npm package
// name, resolved as Node would from a script in the spec's folder, else in the working directory
// (a spec kept outside the project still finds the project's packages). Importing one runs its code,
// so `peftlab run` does it only when asked (requirePluginOptIn); `peftlab validate` only resolves them.
import { existsSync, statSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, isAbsolute, join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { Effect } from "effect"
import { InputError } from "@peftlab/core"
import type { PeftlabPlugin, PeftlabRegistry } from "@peftlab/plugin-api"
import { formatIssue, placeIssue, renderFound, type LoadedSpec } from "@peftlab/spec"

/** A listed plugin that cannot be found, imported or registered. */
export class PluginError extends InputError("PluginError") {}

const isPath = (specifier: string): boolean => specifier.startsWith("./") || specifier.startsWith("../") || isAbsolute(specifier)

/** The plugin's file, or why there is none. */
const resolvePlugin = (specifier: string, specDir: string): { readonly file: string } | { readonly problem: string } => {
  if (isPath(specifier)) {
    const file = resolve(specDir, specifier)
    return existsSync(file) && statSync(file).isFile() ? { file } : { problem: `no module file at ${file} (paths are relative to the spec file)` }
  }
  const folders = [...new Set([specDir, process.cwd()])]
  const reasons: Array<string> = []
  for (const folder of folders) {
    try {
      return { file: createRequire(join(folder, "noop.js")).resolve(specifier) }
    } catch (error) {
      reasons.push((error as Error).message.split("\n")[0] ?? String(error))
    }
  }
  return { problem: `cannot find package ${specifier} from ${folders.join(" or ")} (${[...new Set(reasons)].join("; ")}); install it, or give a path` }
}

const registerOf = (module: Record<string, unknown>): PeftlabPlugin["register"] | undefined => {
  const named = module["register"]
  const fallback = (module["default"] as Partial<PeftlabPlugin> | undefined)?.register
  const register = typeof named === "function" ? named : fallback
  return typeof register === "function" ? (register as PeftlabPlugin["register"]) : undefined
}

/** The PluginError of the spec's `plugins[i]`, placed at its line:column. */
const pluginFailure = (loaded: LoadedSpec, i: number, message: string): PluginError =>
  new PluginError({
    source: loaded.file,
    detail: formatIssue(placeIssue(loaded.locations)({ path: ["plugins", i], expected: "a plugin module", found: renderFound(loaded.spec.plugins[i]), message })),
  })

/** The file of the spec's `plugins[i]`, found without importing it. */
const pluginFile = (loaded: LoadedSpec, i: number): Effect.Effect<string, PluginError> => {
  const resolved = resolvePlugin(loaded.spec.plugins[i] as string, dirname(resolve(loaded.file)))
  return "problem" in resolved ? Effect.fail(pluginFailure(loaded, i, resolved.problem)) : Effect.succeed(resolved.file)
}

/** Checks that each of the spec's plugins is there to import, importing none (what `peftlab validate` can check of them). */
export const resolvePlugins = (loaded: LoadedSpec): Effect.Effect<void, PluginError> =>
  Effect.forEach(loaded.spec.plugins, (_, i) => pluginFile(loaded, i), { discard: true })

/**
 * Refuses a spec that lists plugins unless running their code was asked for (`peftlab run --allow-plugins`):
 * a plugin is code from outside peftlab, imported with the user's rights.
 */
export const requirePluginOptIn = (loaded: LoadedSpec, allowed: boolean): Effect.Effect<void, PluginError> => {
  const { plugins } = loaded.spec
  if (allowed || plugins.length === 0) return Effect.void
  const message = `${JSON.stringify(plugins)} runs code from outside peftlab; pass --allow-plugins to run it`
  return Effect.fail(new PluginError({ source: loaded.file, detail: formatIssue(placeIssue(loaded.locations)({ path: ["plugins"], expected: "", found: "", message })) }))
}

/** Imports the spec's plugins in order and lets each register its entries into `registry`. */
export const loadPlugins = (loaded: LoadedSpec, registry: PeftlabRegistry): Effect.Effect<void, PluginError> =>
  Effect.forEach(
    loaded.spec.plugins,
    (_, i) => {
      const fail = (message: string) => pluginFailure(loaded, i, message)
      return Effect.gen(function* () {
        const file = yield* pluginFile(loaded, i)
        const module = yield* Effect.tryPromise({
          try: () => import(pathToFileURL(file).href) as Promise<Record<string, unknown>>,
          catch: (error) => fail(`cannot import ${file}: ${String(error)}`),
        })
        const register = registerOf(module)
        if (register === undefined) return yield* Effect.fail(fail(`${file} exports no register(registry) function, nor a default export with one`))
        yield* Effect.tryPromise({
          try: async () => register(registry),
          catch: (error) => fail(`${file}: register failed: ${error instanceof Error ? error.message : String(error)}`),
        })
      })
    },
    { discard: true },
  )
