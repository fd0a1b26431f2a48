// `peftlab validate SPEC`: decodes the spec and checks that its data and model exist.
import { Effect } from "effect"
import { checkSpecFiles, loadSpec } from "@peftlab/spec"
import { runCommand, type Io } from "../exit.ts"

export const loadCheckedSpec = (file: string) =>
  Effect.gen(function* () {
    const loaded = yield* loadSpec(file, process.env)
    yield* checkSpecFiles(loaded)
    return loaded
  })

export const validateCommand = (file: string, io: Io): Promise<number> =>
  runCommand(
    loadCheckedSpec(file).pipe(
      Effect.tap(({ spec }) =>
        Effect.sync(() => io.out(`${file}: valid (${spec.arms.length} arms: ${spec.arms.map((a) => a.name).join(", ")})`)),
      ),
    ),
    io,
  )
