import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers"
import { loadTokenizer, type Tokenizer } from "@peftlab/tokenizers"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import {
  decodeSpans,
  entityTypes,
  loadBioSpans,
  spanQuestionEncoder,
  spansBySentence,
  toSpanQuestions,
  type EncodedSpanQuestion,
  type SpanSentence,
} from "../src/spans/index.ts"
import { writeTempFile } from "./fixtures.ts"

const models = process.env.PEFTLAB_MODELS
if (!models) console.warn("skipping the BERT span round trip: PEFTLAB_MODELS unset")

// Edge cases: an entity first in the sentence and split into subwords (Hydrochlorothiazide),
// adjacent entities of two types (drug, dose) and of one type (lisinopril, HCTZ), punctuation
// around entities, one entity last in the sentence (Chest pain) and a sentence without any.
const bio = `
Hydrochlorothiazide B-drug
25 B-dose
mg I-dose
, O
lisinopril B-drug
HCTZ B-drug
( O
Zestoretic B-drug
) O
for O
hypertension B-problem
. O

No O
acute O
distress O

Denies O
Chest B-problem
pain I-problem
`

const questionsFor = (sentences: ReadonlyArray<SpanSentence>) =>
  toSpanQuestions(sentences, entityTypes(sentences), { questions: { drug: "Which drugs are mentioned?" } })

/** Decodes each encoded question from its own targets as probabilities (1 at answer boundaries, 0 elsewhere). */
const decodeTargets = (sentences: ReadonlyArray<SpanSentence>, encoded: ReadonlyArray<EncodedSpanQuestion>) =>
  spansBySentence(
    sentences,
    encoded.map((e) => ({ sentenceId: e.sentenceId, spans: decodeSpans(e, e.startTargets, e.endTargets) })),
  )

describe.skipIf(!models)("span questions on bert-tiny's WordPiece tokenizer", () => {
  const dir = join(models ?? "", "bert-tiny")
  let tokenizer: Tokenizer
  let sentences: Array<SpanSentence>
  beforeAll(async () => {
    tokenizer = await Effect.runPromise(loadTokenizer(dir))
    sentences = (await Effect.runPromise(loadBioSpans(writeTempFile("concepts.bio", bio)))).sentences
  })

  it("encodes exactly what the tokenizer encodes for the (question, sentence) pair, segment ids included", () => {
    // The reference is @huggingface/tokenizers encoding the pair through tokenizer.json's
    // TemplateProcessing post-processor: whole-text encoding, not our word-by-word one.
    const hf = new HfTokenizer(JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8")), {})
    const encode = spanQuestionEncoder(tokenizer, { maxLength: 128 })
    for (const q of questionsFor(sentences)) {
      const reference = hf.encode(q.question, { text_pair: q.context, return_token_type_ids: true })
      const encoded = encode(q)
      expect(encoded.ids).toEqual(reference.ids)
      expect(encoded.tokenTypeIds).toEqual(reference.token_type_ids)
    }
  })

  it("round-trips BIO → spans → questions → token targets → decoded spans to the gold spans", () => {
    expect(sentences.map((s) => s.entities.map((e) => s.text.slice(e.start, e.end)))).toEqual([
      ["Hydrochlorothiazide", "25 mg", "lisinopril", "HCTZ", "Zestoretic", "hypertension"],
      [],
      ["Chest pain"],
    ])
    const encoded = questionsFor(sentences).map(spanQuestionEncoder(tokenizer, { maxLength: 128 }))
    // The first drug is several WordPiece tokens sharing the word's characters.
    const first = encoded.find((e) => e.type === "drug")!
    const hctzTokens = first.offsets.filter((o) => o?.start === 0 && o.end === "Hydrochlorothiazide".length)
    expect(hctzTokens.length).toBeGreaterThan(1)
    expect(first.startTargets.filter((t) => t === 1)).toHaveLength(4)
    expect(encoded.every((e) => e.lostAnswers === 0 && e.widenedAnswers === 0)).toBe(true)
    expect(decodeTargets(sentences, encoded)).toEqual(sentences.map((s) => s.entities))
  })

  it("with a short maxLength loses the entities that do not fit, whole, and keeps the rest", () => {
    const questions = questionsFor(sentences)
    const full = questions.map(spanQuestionEncoder(tokenizer, { maxLength: 128 }))
    // Cut each sequence right before the token of "hypertension" (sentence 1) / "pain" (sentence 3).
    const problem = (i: number) => full.find((e) => e.sentenceId === sentences[i]!.id && e.type === "problem")!
    const cutAt = (e: EncodedSpanQuestion, word: string, text: string) => e.offsets.findIndex((o) => o !== null && text.slice(o.start, o.end) === word)
    const hypertension = cutAt(problem(0), "hypertension", sentences[0]!.text)
    const pain = cutAt(problem(2), "pain", sentences[2]!.text)
    expect(hypertension).toBeGreaterThan(0)
    expect(pain).toBeGreaterThan(0)

    const shortFirst = spanQuestionEncoder(tokenizer, { maxLength: hypertension + 1 })(questions.find((q) => q.id === problem(0).questionId)!)
    expect(shortFirst.ids).toHaveLength(hypertension + 1)
    expect(shortFirst.lostAnswers).toBe(1)
    expect(decodeSpans(shortFirst, shortFirst.startTargets, shortFirst.endTargets)).toEqual([])

    // "Chest" still fits but "pain" does not: the entity is dropped, not shortened to "Chest".
    const shortLast = spanQuestionEncoder(tokenizer, { maxLength: pain + 1 })(questions.find((q) => q.id === problem(2).questionId)!)
    expect(shortLast.lostAnswers).toBe(1)
    expect(shortLast.startTargets.concat(shortLast.endTargets).every((t) => t === 0)).toBe(true)

    // The drugs of sentence 1 all lie before "hypertension" and survive the same cut.
    const drugs = full.find((e) => e.sentenceId === sentences[0]!.id && e.type === "drug")!
    const shortDrugs = spanQuestionEncoder(tokenizer, { maxLength: hypertension + 1 })(questions.find((q) => q.id === drugs.questionId)!)
    expect(shortDrugs.lostAnswers).toBe(0)
    expect(decodeSpans(shortDrugs, shortDrugs.startTargets, shortDrugs.endTargets)).toEqual(sentences[0]!.entities.filter((e) => e.type === "drug"))
  })
})
