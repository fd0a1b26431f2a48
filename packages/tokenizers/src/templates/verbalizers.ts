// Verbalizers: the text each label is scored by after the prompt (" yes", " no", " maybe").
// A verbalizer with no tokens cannot be scored, and two with the same tokens cannot be told
// apart: both are errors. Two that only share their first token are a warning, not an error:
// label scoring sums the log-probabilities of all of a verbalizer's tokens, so they still
// differ, but anything read from the first token alone (a single-step score, the first
// generated token) cannot separate them.
import { Effect } from "effect"
import { TemplateError } from "../errors.ts"
import type { Tokenizer } from "../tokenizer.ts"

export interface EncodedVerbalizers {
  /** In the order the verbalizers were given. */
  readonly labels: ReadonlyArray<string>
  /** Each label's verbalizer ids as they follow a prompt (Tokenizer.continuationIds), in label order. */
  readonly ids: ReadonlyArray<ReadonlyArray<number>>
  /** One line per group of labels that share a first token. */
  readonly warnings: ReadonlyArray<string>
}

const groupBy = <T>(items: ReadonlyArray<T>, key: (item: T) => string): Array<Array<T>> => {
  const groups = new Map<string, Array<T>>()
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item])
  return [...groups.values()]
}

const quoted = (labels: ReadonlyArray<{ readonly label: string }>) => labels.map((l) => `"${l.label}"`).join(", ")

/** `source` names where the verbalizers came from (e.g. the spec field) in errors. */
export const encodeVerbalizers = (
  tokenizer: Tokenizer,
  verbalizers: Readonly<Record<string, string>>,
  source = "verbalizers",
): Effect.Effect<EncodedVerbalizers, TemplateError> => {
  const encoded = Object.entries(verbalizers).map(([label, text]) => ({ label, text, ids: tokenizer.continuationIds(text) }))
  const empty = encoded.find((v) => v.ids.length === 0)
  if (empty) return Effect.fail(new TemplateError({ source, detail: `the verbalizer of label "${empty.label}" (${JSON.stringify(empty.text)}) has no tokens` }))
  const same = groupBy(encoded, (v) => v.ids.join(",")).find((group) => group.length > 1)
  if (same) {
    const detail = `labels ${quoted(same)} have the same tokens [${same[0]?.ids.join(", ")}], so no score can tell them apart`
    return Effect.fail(new TemplateError({ source, detail }))
  }
  const warnings = groupBy(encoded, (v) => String(v.ids[0]))
    .filter((group) => group.length > 1)
    .map((group) => {
      const first = group[0]?.ids[0] as number
      return `labels ${quoted(group)} share their first token ${first} (${JSON.stringify(tokenizer.decode([first]))}); only their later tokens separate them`
    })
  return Effect.succeed({ labels: encoded.map((v) => v.label), ids: encoded.map((v) => v.ids), warnings })
}
