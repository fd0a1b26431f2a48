// `peftlab validate SPEC`: decodes the spec, checks the names it gives against the built-in
// registry, that its data and model exist, that its plugins resolve, and that the existing adapters
// it names (adapter arms, init_from) are found and agree with their arms. It imports no plugin
// (that runs their code): names a plugin may register are left for `peftlab run --allow-plugins`,
// and said so. loadCheckedSpec is the same checks for run, with the plugins imported.
import { Effect } from "effect"
import { builtinMethodArmChecks, builtinRegistry, checkAdapterReferences, checkNamesWithoutPlugins, registryFor, requirePluginOptIn, resolvePlugins } from "@peftlab/runner"
import { checkSpecFiles, isOverride, loadSpec, parseOverride, SpecError, type Override } from "@peftlab/spec"
import { runCommand, type Io } from "../exit.ts"

/** `--set` flags as overrides, or a SpecError naming the malformed ones. */
const overridesOf = (file: string, sets: ReadonlyArray<string>): Effect.Effect<Array<Override>, SpecError> => {
  const parsed = sets.map(parseOverride)
  const bad = parsed.filter((o): o is Exclude<typeof o, Override> => !isOverride(o))
  return bad.length > 0 ? Effect.fail(SpecError.fromIssues(file, bad)) : Effect.succeed(parsed.filter(isOverride))
}

/** The spec with `--set` overrides. */
const loadWithSets = (file: string, sets: ReadonlyArray<string>) => overridesOf(file, sets).pipe(Effect.flatMap((overrides) => loadSpec(file, process.env, overrides, builtinMethodArmChecks)))

/**
 * For run: the spec (with `--set` overrides) and the registry it runs with, the built-ins and its
 * plugins' entries; a spec with plugins is refused, before any is imported, unless `allowPlugins`.
 */
export const loadCheckedSpec = (file: string, sets: ReadonlyArray<string>, allowPlugins: boolean) =>
  Effect.gen(function* () {
    const loaded = yield* loadWithSets(file, sets)
    yield* requirePluginOptIn(loaded, allowPlugins)
    const registry = yield* registryFor(loaded)
    yield* checkSpecFiles(loaded)
    yield* checkAdapterReferences(loaded, process.env, registry.entries("methods"))
    return { loaded, registry }
  })

/** What validate checks, importing no plugin; gives the spec and the names left for run. */
const validateSpec = (file: string, sets: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const loaded = yield* loadWithSets(file, sets)
    yield* resolvePlugins(loaded)
    const left = yield* checkNamesWithoutPlugins(loaded)
    yield* checkSpecFiles(loaded)
    yield* checkAdapterReferences(loaded, process.env, builtinRegistry().entries("methods"))
    return { loaded, left }
  })

/** The note on the names validate left for run, if any. */
const leftNote = (file: string, left: ReadonlyArray<string>): Array<string> =>
  left.length === 0
    ? []
    : [`${file}: not checked here, since validate imports no plugin: ${left.join("; ")}; \`peftlab run --allow-plugins\` checks these (and a plugin arm's options) once its plugins register their names`]

export const validateCommand = (file: string, io: Io, sets: ReadonlyArray<string> = []): Promise<number> =>
  runCommand(
    validateSpec(file, sets).pipe(
      Effect.tap(({ loaded: { spec }, left }) =>
        Effect.sync(() => {
          io.out(`${file}: valid (${spec.arms.length} arms: ${spec.arms.map((a) => a.name).join(", ")})`)
          for (const line of leftNote(file, left)) io.out(line)
        }),
      ),
    ),
    io,
  )
