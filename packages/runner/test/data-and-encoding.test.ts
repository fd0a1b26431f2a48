import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { loadChatTemplate, loadTokenizer } from "@peftlab/tokenizers"
import { encodedTask, prepareData } from "../src/index.ts"
import { quickstartSpec } from "./fixtures.ts"

const count = (rows: ReadonlyArray<{ label: string }>, label: string) => rows.filter((r) => r.label === label).length

describe("prepareData", () => {
  it("splits PubMedQA as the spec says and subsets train to the limit, keeping class shares", async () => {
    const spec = await quickstartSpec()
    const data = await Effect.runPromise(prepareData(spec))
    expect(data.labels).toEqual(["yes", "no"])
    expect(data.splits.val).toHaveLength(48)
    expect(data.splits.test).toHaveLength(89)
    expect(data.splits.train).toHaveLength(128)
    // 128 of 712 with 442 yes: 128 * 442 / 712 = 79.46, so 79 yes and 49 no.
    expect(count(data.splits.train, "yes")).toBe(79)
    expect(count(data.splits.train, "no")).toBe(49)
    expect(data.report.dropped['label "maybe"']).toBe(110)
  })

  it("fails naming the data file and the label when the data has a label the task cannot verbalize", async () => {
    const dir = mkdtempSync(join(tmpdir(), "peftlab-runner-"))
    const file = join(dir, "ori_pqal.json")
    const entry = (label: string) => ({ QUESTION: `q ${label}?`, CONTEXTS: [`c ${label}`], final_decision: label })
    writeFileSync(file, JSON.stringify({ 1: entry("yes"), 2: entry("no"), 3: entry("maybe") }))
    const spec = await quickstartSpec((s) => ({ ...s, data: { ...s.data, path: file, cleaning: { ...s.data.cleaning, drop_labels: [] } } }))
    const error = await Effect.runPromise(Effect.flip(prepareData(spec)))
    expect(error.message).toContain(file)
    expect(error.message).toContain('example 3 has label "maybe"')
  })
})

describe("encodedTask", () => {
  it("encodes prompts within max_length minus the label tokens, and verbalizers as continuations", async () => {
    const spec = await quickstartSpec()
    const tokenizer = await Effect.runPromise(loadTokenizer(spec.model.path))
    const task = encodedTask(spec, tokenizer, ["yes", "no"])
    expect(task.labelIds).toEqual([tokenizer.continuationIds(" yes"), tokenizer.continuationIds(" no")])
    const data = await Effect.runPromise(prepareData(spec))
    const encoded = await Effect.runPromise(task.encode(data.splits.test))
    const reserve = Math.max(...task.labelIds.map((ids) => ids.length))
    for (const e of encoded) expect(e.prompt.length).toBeLessThanOrEqual(spec.training.max_length - reserve)
    expect(encoded.map((e) => task.labels[e.label])).toEqual(data.splits.test.map((e) => e.label))
    expect(encoded[0]!.prompt[0]).toBe(tokenizer.bosId)
  })

  it("names the example and the spec field when a prompt cannot fit", async () => {
    const spec = await quickstartSpec((s) => ({ ...s, training: { ...s.training, max_length: 8 } }))
    const tokenizer = await Effect.runPromise(loadTokenizer(spec.model.path))
    const data = await Effect.runPromise(prepareData(spec))
    const error = await Effect.runPromise(Effect.flip(encodedTask(spec, tokenizer, ["yes", "no"]).encode(data.splits.test.slice(0, 1))))
    expect(error.message).toMatch(new RegExp(`^training.max_length: example ${data.splits.test[0]!.id}: .*raise training.max_length`))
  })

  it("puts the template inside an instruction prompt (task.format instruction), still truncating only the context", async () => {
    const spec = await quickstartSpec((s) => ({ ...s, task: { ...s.task, format: "instruction" as const } }))
    const tokenizer = await Effect.runPromise(loadTokenizer(spec.model.path))
    const data = await Effect.runPromise(prepareData(spec))
    const [first] = await Effect.runPromise(encodedTask(spec, tokenizer, ["yes", "no"]).encode(data.splits.test.slice(0, 1)))
    const text = tokenizer.decode(first!.prompt, { skipSpecialTokens: true })
    expect(text).toMatch(/^### Instruction:\nQuestion: /)
    expect(text.endsWith("Answer:\n\n### Response:\n")).toBe(true)
    expect(text).toContain(data.splits.test[0]!.question)
    expect(first!.prompt.length).toBeLessThanOrEqual(spec.training.max_length - 1)
  })

  it("renders the template as the user turn of the model's chat template (task.format chat)", async () => {
    const spec = await quickstartSpec((s) => ({ ...s, task: { ...s.task, format: "chat" as const } }))
    const tokenizer = await Effect.runPromise(loadTokenizer(spec.model.path))
    // ChatML, as in transformers' chat-templating guide.
    const dir = mkdtempSync(join(tmpdir(), "peftlab-chat-"))
    const chatml = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
    writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify({ chat_template: chatml }))
    const chat = await Effect.runPromise(loadChatTemplate(dir))
    const data = await Effect.runPromise(prepareData(spec))
    const example = data.splits.test[0]!
    const [first] = await Effect.runPromise(encodedTask(spec, tokenizer, ["yes", "no"], chat).encode([example]))
    const text = tokenizer.decode(first!.prompt, { skipSpecialTokens: true })
    expect(text.startsWith(`<|im_start|>user\nQuestion: ${example.question}`)).toBe(true)
    expect(text.endsWith("Answer:<|im_end|>\n<|im_start|>assistant\n")).toBe(true)
  })
})
