// `peftlab validate SPEC`: decodes the spec, loads its plugins, checks the names it gives
// against the registry, that its data and model exist, and that the existing adapters it
// names (adapter arms, init_from) are found and agree with their arms.
import { Effect } from "effect"
import { checkAdapterReferences, registryFor } from "@peftlab/runner"
import { checkSpecFiles, isOverride, loadSpec, parseOverride, SpecError, type Override } from "@peftlab/spec"
import { runCommand, type Io } from "../exit.ts"

/** `--set` flags as overrides, or a SpecError naming the malformed ones. */
const overridesOf = (file: string, sets: ReadonlyArray<string>): Effect.Effect<Array<Override>, SpecError> => {
  const parsed = sets.map(parseOverride)
  const bad = parsed.filter((o): o is Exclude<typeof o, Override> => !isOverride(o))
  return bad.length > 0 ? Effect.fail(SpecError.fromIssues(file, bad)) : Effect.succeed(parsed.filter(isOverride))
}

/** The spec (with `--set` overrides) and the registry it runs with (the built-ins and its plugins' entries). */
export const loadCheckedSpec = (file: string, sets: ReadonlyArray<string> = []) =>
  Effect.gen(function* () {
    const loaded = yield* loadSpec(file, process.env, yield* overridesOf(file, sets))
    const registry = yield* registryFor(loaded)
    yield* checkSpecFiles(loaded)
    yield* checkAdapterReferences(loaded, process.env, registry.entries("methods"))
    return { loaded, registry }
  })

export const validateCommand = (file: string, io: Io, sets: ReadonlyArray<string> = []): Promise<number> =>
  runCommand(
    loadCheckedSpec(file, sets).pipe(
      Effect.tap(({ loaded: { spec } }) =>
        Effect.sync(() => io.out(`${file}: valid (${spec.arms.length} arms: ${spec.arms.map((a) => a.name).join(", ")})`)),
      ),
    ),
    io,
  )
