import { createHash } from "node:crypto"
import type { ClassificationExample, QAExample } from "./example.ts"

// Tuples, not objects, so the hash does not depend on key order; metadata is left out.
const tuple = (example: ClassificationExample | QAExample): ReadonlyArray<string | null> =>
  "answer" in example
    ? [example.id, example.question, example.context ?? null, example.answer]
    : [example.id, example.question, example.context, example.label]

/**
 * sha256 (hex) of the examples in order, serialised as a JSON array of tuples:
 * `[id, question, context, label]` for classification, `[id, question, context | null, answer]` for QA.
 */
export const datasetHash = (examples: ReadonlyArray<ClassificationExample | QAExample>): string =>
  createHash("sha256").update(JSON.stringify(examples.map(tuple))).digest("hex")
