// The longest text an example may hold (data.max_text_chars), checked once the data is read
// and before anything is tokenized: a 50 MB single-row text otherwise runs for minutes and
// gigabytes (issue 17). The default is far above any clinical note or abstract; a spec raises it.
import { Effect } from "effect"
import type { ExperimentSpec } from "@peftlab/spec"
import { SpecDataMismatch } from "./spec-data-mismatch.ts"

/** The default of data.max_text_chars: a million characters (PubMedQA's abstracts hold a few thousand). */
export const defaultMaxTextChars = 1_000_000

type Examples = ReadonlyArray<{ readonly id: string }>

/** Refuses the first example whose text fields (question, context, answer, text) exceed data.max_text_chars. */
export const checkTextLengths = (spec: ExperimentSpec, splits: { readonly train: Examples; readonly val: Examples; readonly test: Examples }) =>
  Effect.gen(function* () {
    const max = spec.data.max_text_chars ?? defaultMaxTextChars
    for (const examples of [splits.train, splits.val, splits.test]) {
      for (const example of examples) {
        for (const [field, value] of Object.entries(example)) {
          if (field === "id" || typeof value !== "string" || value.length <= max) continue
          return yield* Effect.fail(
            new SpecDataMismatch({
              source: spec.data.path,
              detail: `example ${example.id}: its ${field} holds ${value.length} characters, past data.max_text_chars (${max}); raise data.max_text_chars to read it, or drop the example`,
            }),
          )
        }
      }
    }
  })
