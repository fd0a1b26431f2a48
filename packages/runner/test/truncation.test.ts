// Counting the inputs cut to fit training.max_length, for every task kind, and
// training.truncation: error refusing a run that would cut any.
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import type { ClassificationExample, EncodedSpanQuestion, QAExample, SpanSentence } from "@peftlab/datasets"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { isGenerativeQa, type ConcreteArm, type ExperimentSpec } from "@peftlab/spec"
import { loadTokenizer } from "@peftlab/tokenizers"
import { countSplits, encodedTask, encodeQA, refuseTruncation, truncationCounts } from "../src/index.ts"
import { spanTruncation } from "../src/tasks/span-extraction/span-truncation.ts"
import { decodeSmall, qaSpecText, quickstartSpec } from "./fixtures.ts"

const example = (id: string, context: string): ClassificationExample => ({ id, question: "Is aspirin an analgesic?", context, label: "yes" })
const short = example("short", "Aspirin relieves pain.")
const long = example("long", "Aspirin relieves pain and lowers fever in adults and children. ".repeat(40))

describe("classification: counting cut prompts", () => {
  it("counts a prompt whose long context was cut, and not one that fits", async () => {
    const spec = await quickstartSpec()
    const tokenizer = await Effect.runPromise(loadTokenizer(spec.model.path))
    const encode = encodedTask(spec, tokenizer, ["yes", "no"]).encode
    const [whole, cut] = await Effect.runPromise(encode([short, long]))
    expect(whole!.truncatedTokens).toBe(0)
    expect(cut!.truncatedTokens).toBeGreaterThan(0)
    const splits = countSplits({ train: [whole!, cut!], val: [whole!], test: [cut!, whole!, cut!] })
    expect(splits).toStrictEqual({ train: { cut: 1, total: 2, example: "long" }, val: { cut: 0, total: 1 }, test: { cut: 2, total: 3, example: "long" } })
    expect(truncationCounts(spec, "examples", splits)).toStrictEqual({ max_length: 192, policy: "cut", unit: "examples", splits })
  })
})

describe("generative QA: counting cut questions", () => {
  it("counts a question cut to make room, and not a short one", async () => {
    const decoded = (await decodeSmall(qaSpecText)).spec
    const spec: ExperimentSpec = { ...decoded, training: { ...decoded.training, max_length: 160 } }
    if (!isGenerativeQa(spec.task)) throw new Error("expected a generative-qa spec")
    const tokenizer = await Effect.runPromise(loadTokenizer(stories260kDir))
    const examples: Array<QAExample> = [
      { id: "q1", question: "What is high blood pressure?", answer: "Blood pressure that stays high.", metadata: {} },
      { id: "q2", question: "Who gets gout? ".repeat(30), answer: "Mostly adults.", metadata: {} },
    ]
    const encoded = await Effect.runPromise(encodeQA(spec, spec.task, tokenizer, examples))
    expect(countSplits({ train: [], val: [], test: encoded })).toStrictEqual({ train: { cut: 0, total: 0 }, val: { cut: 0, total: 0 }, test: { cut: 1, total: 2, example: "q2" } })
  })
})

describe("span extraction: counting cut sentences", () => {
  const sentence = (id: string): SpanSentence => ({ id, text: id, entities: [] })
  const question = (sentenceId: string, type: string, truncatedTokens: number) => ({ sentenceId, type, truncatedTokens }) as EncodedSpanQuestion
  const sentences = { train: [sentence("s1"), sentence("s2")], val: [sentence("s3")], test: [sentence("s4")] }
  // The task's questions are longer than the bare type names: s1 is cut only when asked them.
  const hard = { train: [question("s1", "drug", 0), question("s1", "dose", 3), question("s2", "drug", 0), question("s2", "dose", 0)], val: [question("s3", "drug", 0)], test: [question("s4", "drug", 1)] }
  const typeName = { train: [question("s1", "drug", 0), question("s1", "dose", 0), question("s2", "drug", 0), question("s2", "dose", 0)], val: [question("s3", "drug", 0)], test: [question("s4", "drug", 0)] }
  const arm = (name: string, hardPrompt: boolean) => ({ name, hardPrompt }) as unknown as ConcreteArm
  const asks = (a: ConcreteArm) => (a as unknown as { hardPrompt: boolean }).hardPrompt

  it("counts a sentence once when any of its questions lost tokens, and gives arms asking otherwise their own counts", async () => {
    const spec = { ...(await quickstartSpec()), arms: [arm("lora", true), arm("names", false)] }
    const counts = spanTruncation(spec, sentences, { hard, typeName }, asks)
    expect(counts.unit).toBe("sentences")
    expect(counts.splits).toStrictEqual({ train: { cut: 1, total: 2, example: "s1" }, val: { cut: 0, total: 1 }, test: { cut: 1, total: 1, example: "s4" } })
    expect(counts.arms).toStrictEqual({ names: { train: { cut: 0, total: 2 }, val: { cut: 0, total: 1 }, test: { cut: 0, total: 1 } } })
  })

  it("gives no per-arm counts when every arm asks the same way", async () => {
    const spec = { ...(await quickstartSpec()), arms: [arm("names", false)] }
    const counts = spanTruncation(spec, sentences, { hard, typeName }, asks)
    expect(counts.splits.train).toStrictEqual({ cut: 0, total: 2 })
    expect(counts.arms).toBeUndefined()
  })
})

describe("training.truncation: error", () => {
  const splits = { train: { cut: 0, total: 10 }, val: { cut: 0, total: 4 }, test: { cut: 16, total: 60, example: "12345" } }
  const counts = { max_length: 256, policy: "error" as const, unit: "examples", splits }

  it("refuses a run that would cut, naming the split, the count, an example and training.max_length", async () => {
    const error = await Effect.runPromise(Effect.flip(refuseTruncation(counts)))
    expect(error._tag).toBe("TruncationRefused")
    expect(error.message).toBe(
      "training.truncation: 16 of 60 test examples (e.g. example 12345) are longer than training.max_length 256 and would be cut; " +
        "raise training.max_length, shorten the inputs, or set training.truncation: cut",
    )
  })

  it("names the arm when only an arm's own inputs are cut", async () => {
    const none = { train: { cut: 0, total: 2 }, val: { cut: 0, total: 1 }, test: { cut: 0, total: 1 } }
    const error = await Effect.runPromise(Effect.flip(refuseTruncation({ ...counts, unit: "sentences", splits: none, arms: { lora: { ...none, val: { cut: 1, total: 1, example: "s3" } } } })))
    expect(error.detail).toMatch(/^1 of 1 val sentences of arm lora \(e\.g\. sentence s3\) are longer than training\.max_length 256/)
  })

  it("lets a run without cuts, or with policy cut, go on", async () => {
    await Effect.runPromise(refuseTruncation({ ...counts, splits: { ...splits, test: { cut: 0, total: 60 } } }))
    await Effect.runPromise(refuseTruncation({ ...counts, policy: "cut" }))
  })
})
