// A stand-in for the clinical concept-extraction study, whose corpora (i2b2 2010, n2c2 2018)
// are licensed and not here: PubMedQA's abstract sentences with silver spans of two types,
// `concept` (a term of a lexicon: the MeSH headings that occur verbatim in at least
// `minAbstracts` of the abstracts they index) and `measure` (a number with a unit, a
// percentage or a p-value). Every occurrence is labelled, so the labels are consistent enough
// to learn. Written as jsonl-spans:
//   node tools/data/concept-spans.ts --pubmedqa $PEFTLAB_DATA/pubmedqa/ori_pqal.json --out /tmp/concepts.jsonl [--limit 400]
import { readFileSync, writeFileSync } from "node:fs"
import { parseArgs } from "node:util"
import { compareSpans, type EntitySpan, type SpanSentence } from "@peftlab/datasets"

interface PubMedQAEntry {
  readonly CONTEXTS: ReadonlyArray<string>
  readonly MESHES?: ReadonlyArray<string>
}

const MEASURE = /\b\d+(?:\.\d+)?\s?(?:%|mg|kg|ml|mmHg|years?|months?|weeks?|days?|hours?)(?![\p{L}\p{N}])|\b[pP]\s?[<=>]\s?0?\.\d+/gu
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** Non-overlapping spans, earliest first and, at one start, the longest. */
const nonOverlapping = (spans: ReadonlyArray<EntitySpan>): Array<EntitySpan> => {
  const kept: Array<EntitySpan> = []
  for (const span of [...spans].sort((a, b) => a.start - b.start || b.end - a.end)) {
    if (kept.every((k) => span.start >= k.end || span.end <= k.start)) kept.push(span)
  }
  return kept.sort(compareSpans)
}

/** A whole-word, case-insensitive matcher of any of `terms`. */
const termPattern = (terms: ReadonlyArray<string>) => new RegExp(`(?<![\\p{L}\\p{N}])(?:${terms.map(escape).join("|")})(?![\\p{L}\\p{N}])`, "giu")

const spansOf = (sentence: string, lexicon: RegExp): Array<EntitySpan> => {
  const found: Array<EntitySpan> = []
  for (const m of sentence.matchAll(lexicon)) found.push({ type: "concept", start: m.index, end: m.index + m[0].length })
  for (const m of sentence.matchAll(MEASURE)) found.push({ type: "measure", start: m.index, end: m.index + m[0].length })
  return nonOverlapping(found)
}

/** MeSH headings found verbatim in at least `minAbstracts` of the abstracts they index, longest first (so the longer of two overlapping terms wins). */
const lexiconOf = (entries: ReadonlyArray<PubMedQAEntry>, minAbstracts: number): Array<string> => {
  const found = new Map<string, number>()
  for (const entry of entries) {
    const text = entry.CONTEXTS.join(" ")
    for (const mesh of new Set(entry.MESHES ?? [])) if (termPattern([mesh]).test(text)) found.set(mesh, (found.get(mesh) ?? 0) + 1)
  }
  return [...found].filter(([, n]) => n >= minAbstracts).map(([mesh]) => mesh).sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
}

/** Every sentence of every abstract (PMID order), id `<pmid>-<n>`, with its silver spans. */
export const conceptSentences = (pubmedqaFile: string, minAbstracts = 3): Array<SpanSentence> => {
  const entries = JSON.parse(readFileSync(pubmedqaFile, "utf8")) as Record<string, PubMedQAEntry>
  const lexicon = termPattern(lexiconOf(Object.values(entries), minAbstracts))
  return Object.entries(entries).flatMap(([pmid, entry]) =>
    entry.CONTEXTS.join(" ")
      .split(/(?<=[.!?])\s+(?=[A-Z])/)
      .filter((text) => text.trim() !== "")
      .map((text, i) => ({ id: `${pmid}-${i}`, text, entities: spansOf(text, lexicon) })),
  )
}

/** Writes the first `limit` sentences (all by default) as JSONL. */
export const writeConceptSpans = (pubmedqaFile: string, out: string, limit?: number): number => {
  const sentences = conceptSentences(pubmedqaFile).slice(0, limit)
  writeFileSync(out, sentences.map((s) => JSON.stringify(s)).join("\n") + "\n")
  return sentences.length
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { pubmedqa: { type: "string" }, out: { type: "string" }, limit: { type: "string" } } })
  if (!values.pubmedqa || !values.out) {
    console.error("usage: concept-spans --pubmedqa <ori_pqal.json> --out <file.jsonl> [--limit <sentences>]")
    process.exit(2)
  }
  const limit = values.limit === undefined ? undefined : Number(values.limit)
  console.log(`wrote ${writeConceptSpans(values.pubmedqa, values.out, limit)} sentences to ${values.out}`)
}
