// `peftlab validate SPEC`: decodes the spec, loads its plugins, checks the names it gives
// against the registry and that its data and model exist.
import { Effect } from "effect"
import { registryFor } from "@peftlab/runner"
import { checkSpecFiles, loadSpec } from "@peftlab/spec"
import { runCommand, type Io } from "../exit.ts"

/** The spec and the registry it runs with (the built-ins and its plugins' entries). */
export const loadCheckedSpec = (file: string) =>
  Effect.gen(function* () {
    const loaded = yield* loadSpec(file, process.env)
    const registry = yield* registryFor(loaded)
    yield* checkSpecFiles(loaded)
    return { loaded, registry }
  })

export const validateCommand = (file: string, io: Io): Promise<number> =>
  runCommand(
    loadCheckedSpec(file).pipe(
      Effect.tap(({ loaded: { spec } }) =>
        Effect.sync(() => io.out(`${file}: valid (${spec.arms.length} arms: ${spec.arms.map((a) => a.name).join(", ")})`)),
      ),
    ),
    io,
  )
