import { existsSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { Effect, Schema } from "effect"
import { TokenizerFileError } from "./errors.ts"

/** Reads and parses a JSON file; a missing file or bad JSON is a TokenizerFileError naming it. */
export const readJson = (path: string): Effect.Effect<unknown, TokenizerFileError> =>
  Effect.gen(function* () {
    const text = yield* Effect.tryPromise({
      try: () => readFile(path, "utf8"),
      catch: (e) => {
        const code = (e as NodeJS.ErrnoException).code
        return new TokenizerFileError({ source: path, detail: code === "ENOENT" ? "file not found" : `cannot read file (${String(e)})` })
      },
    })
    return yield* Effect.try({
      try: (): unknown => JSON.parse(text),
      catch: (e) => new TokenizerFileError({ source: path, detail: `invalid JSON: ${(e as Error).message}` }),
    })
  })

/** Like readJson, but an absent file reads as `undefined`. */
export const readOptionalJson = (path: string): Effect.Effect<unknown, TokenizerFileError> =>
  Effect.suspend(() => (existsSync(path) ? readJson(path) : Effect.succeed(undefined)))

/** Decodes parsed JSON with `schema`; issues become a TokenizerFileError naming the file. */
export const decodeFile = <S extends Schema.Codec<unknown, unknown>>(schema: S, path: string, json: unknown) =>
  Schema.decodeUnknownEffect(schema)(json, { reportInput: true }).pipe(
    Effect.mapError((e) => new TokenizerFileError({ source: path, detail: e.message.replace(/\n\s*/g, " ") })),
  )
