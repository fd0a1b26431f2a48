// BERTScore of a QA arm's generated answers (evaluation.bertscore): the encoder the spec names,
// found like model.path (a folder or a Hugging Face id through the cache), loaded once for the
// run and released with it, scoring each answer against its reference as bert-score 0.3.13 does
// (@peftlab/evaluators' bertScore, checked against bert-score within 1e-4).
import { Effect } from "effect"
import { tryUserPromise, type AnyInputError } from "@peftlab/core"
import { bertScore, type BertScoreResult } from "@peftlab/evaluators"
import { resolveModel } from "@peftlab/hub"
import type { ExperimentSpec } from "@peftlab/spec"
import { loadTokenizer } from "@peftlab/tokenizers"
import { loadSpanEncoder } from "../../language-model.ts"
import { scoped } from "../task-model.ts"

export type BertScoreSettings = NonNullable<ExperimentSpec["evaluation"]["bertscore"]>

/** Scores generated answers against their references, one P, R and F1 each. */
export type AnswerScorer = (generated: ReadonlyArray<string>, references: ReadonlyArray<string>) => Effect.Effect<BertScoreResult, AnyInputError>

/** The scorer of `settings`, its encoder held for the length of the run's scope. */
export const loadAnswerScorer = (settings: BertScoreSettings) =>
  Effect.gen(function* () {
    const dir = yield* resolveModel(settings.model)
    const encoder = yield* scoped(loadSpanEncoder(dir))
    const tokenizer = yield* loadTokenizer(dir)
    const options = { numLayers: settings.layer, idf: settings.idf, ...(settings.baseline !== undefined && { baselineFile: settings.baseline }) }
    // A layer past the encoder's depth, a baseline file it cannot read: the user's to fix; anything else a bug.
    const scorer: AnswerScorer = (generated, references) => tryUserPromise(() => bertScore(encoder, tokenizer, generated, references, options))
    return scorer
  })
