// The linear modules of a model folder read from its config.json and checkpoint headers alone,
// without loading a weight: what a merge needs to match an adapter's targets against and to find
// each module's stored tensor, so that a 7B model is never held whole. The modules are those the
// architecture builds (every rank-2 `<module>.weight` but the token embedding and the position
// tables, and a decoder's lm_head, tied to the token embedding when there is no lm_head.weight);
// merge-outline.test.ts checks the names against the loaded model's own `linears`.
import { join } from "node:path"
import { Effect } from "effect"
import { ModelFileError, type Architecture } from "@peftlab/models"

export interface OutlinedLinear {
  /** HF module name, e.g. "model.layers.0.self_attn.q_proj". */
  readonly name: string
  /** The checkpoint tensor holding its weight (the token embedding for a tied lm_head). */
  readonly tensor: string
  /** [out, in], as LoraLinear sees it. */
  readonly shape: readonly [number, number]
  /** Stored [in, out] (GPT-2's Conv1D). */
  readonly storedTransposed: boolean
  /** lm_head over the token embedding: merging into it would change the embedding too. */
  readonly tied: boolean
}

const lmHead = "lm_head"
/** The encoders peftlab builds without an LM head (their models' `linears` have no lm_head). */
const encoderTypes: ReadonlySet<string> = new Set(["bert", "megatron-bert"])

/** Checkpoint tensor names by the names the architecture gives them (Architecture.canonicalName). */
const canonicalNames = (architecture: Architecture, stored: Iterable<string>): Map<string, string> => {
  const byCanonical = new Map<string, string>()
  for (const name of stored) {
    const canonical = architecture.canonicalName ? architecture.canonicalName(name) : name
    if (canonical !== undefined && !byCanonical.has(canonical)) byCanonical.set(canonical, name)
  }
  return byCanonical
}

/**
 * The model's linear modules, in the architecture's order, each with the checkpoint tensor that
 * holds its weight; fails naming `modelDir` and the tensor when the checkpoint lacks one or stores it
 * in another shape than config.json implies.
 */
export const outlineLinears = (
  modelDir: string,
  architecture: Architecture,
  config: unknown,
  stored: ReadonlyMap<string, { readonly shape: ReadonlyArray<number> }>,
): Effect.Effect<ReadonlyArray<OutlinedLinear>, ModelFileError> =>
  Effect.gen(function* () {
    const shapes = architecture.parameterShapes(config)
    const tensors = canonicalNames(architecture, stored.keys())
    const fail = (detail: string) => Effect.fail(new ModelFileError({ source: modelDir, detail }))
    const linears: Array<OutlinedLinear> = []
    const outline = function* (name: string, canonical: string, shape: ReadonlyArray<number>, tied: boolean) {
      const tensor = tensors.get(canonical)
      if (tensor === undefined) return yield* fail(`missing tensor "${canonical}" (the weight of module ${name})`)
      const found = stored.get(tensor)?.shape ?? []
      if (found.join(",") !== shape.join(",")) return yield* fail(`tensor "${tensor}" has shape [${found.join(", ")}], but ${join(modelDir, "config.json")} implies [${shape.join(", ")}]`)
      const storedTransposed = architecture.isStoredTransposed?.(canonical) ?? false
      const [rows, columns] = shape as [number, number]
      linears.push({ name, tensor, shape: storedTransposed ? [columns, rows] : [rows, columns], storedTransposed, tied })
    }
    for (const [canonical, shape] of shapes) {
      const module = canonical.endsWith(".weight") ? canonical.slice(0, -".weight".length) : undefined
      if (module === undefined || shape.length !== 2 || canonical === architecture.tokenEmbeddingName || architecture.isBackendTable?.(canonical)) continue
      yield* outline(module, canonical, shape, false)
    }
    const embedding = shapes.get(architecture.tokenEmbeddingName)
    const decoder = !architecture.modelTypes.some((type) => encoderTypes.has(type))
    if (decoder && !shapes.has(`${lmHead}.weight`) && embedding !== undefined) {
      yield* outline(lmHead, architecture.tokenEmbeddingName, embedding, true)
    }
    return linears
  })
