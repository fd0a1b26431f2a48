// Span extraction's truncation counts: a sentence counts as cut when any of its questions lost
// sentence tokens to training.max_length. Arms asking by bare type name (fine-tune with
// hard_prompt false) have shorter questions, so their counts are given per arm.
import type { SplitName, SplitsTruncation, TruncationCounts } from "@peftlab/core"
import type { EncodedSpanQuestion, SpanSentence } from "@peftlab/datasets"
import type { ConcreteArm, ExperimentSpec } from "@peftlab/spec"
import { countSplits, truncationCounts, type EncodedSplits, type TruncatedInput } from "../../truncation/count.ts"

/** Each sentence with the most tokens any of its questions lost. */
const sentenceInputs = (sentences: ReadonlyArray<SpanSentence>, questions: ReadonlyArray<EncodedSpanQuestion>): Array<TruncatedInput> => {
  const lost = new Map<string, number>()
  for (const q of questions) lost.set(q.sentenceId, Math.max(lost.get(q.sentenceId) ?? 0, q.truncatedTokens))
  return sentences.map((s) => ({ id: s.id, truncatedTokens: lost.get(s.id) ?? 0 }))
}

const countPhrasing = (sentences: EncodedSplits<SpanSentence>, questions: EncodedSplits<EncodedSpanQuestion>): SplitsTruncation => {
  const of = (name: SplitName) => sentenceInputs(sentences[name], questions[name])
  return countSplits({ train: of("train"), val: of("val"), test: of("test") })
}

/** Counts for the phrasing most arms use (the task's questions, if any arm asks them), and per arm for the others. */
export const spanTruncation = (
  spec: ExperimentSpec,
  sentences: EncodedSplits<SpanSentence>,
  questions: { readonly hard: EncodedSplits<EncodedSpanQuestion>; readonly typeName: EncodedSplits<EncodedSpanQuestion> },
  asksHardPrompt: (arm: ConcreteArm) => boolean,
): TruncationCounts => {
  const main = spec.arms.some(asksHardPrompt)
  const hard = countPhrasing(sentences, questions.hard)
  const typeName = countPhrasing(sentences, questions.typeName)
  const others = spec.arms.filter((arm) => asksHardPrompt(arm) !== main)
  return truncationCounts(spec, "sentences", main ? hard : typeName, Object.fromEntries(others.map((arm) => [arm.name, main ? typeName : hard])))
}
