import { createHash } from "node:crypto"
import type { ClassificationExample } from "./example.ts"

/**
 * sha256 (hex) of the examples in order, serialised as a JSON array of
 * `[id, question, context, label]` tuples so the hash does not depend on object key order.
 */
export const datasetHash = (examples: ReadonlyArray<ClassificationExample>): string =>
  createHash("sha256")
    .update(JSON.stringify(examples.map((e) => [e.id, e.question, e.context, e.label])))
    .digest("hex")
