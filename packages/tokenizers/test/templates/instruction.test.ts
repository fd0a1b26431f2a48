import { join } from "node:path"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { stories260kDir } from "@peftlab/quickstart-assets"
import { encodeInstruction, INSTRUCTION_INPUT_TEMPLATE, type InstructionRequest, loadTokenizer, type Tokenizer } from "../../src/index.ts"

const models = process.env.PEFTLAB_MODELS
if (!models) console.warn("skipping encodeInstruction tests on tiny-gpt2 and flan-t5-small: PEFTLAB_MODELS unset")

const instruction = "Summarise what the leaflet says about aspirin and fever in children and adults, in one sentence."
const response = "Aspirin lowers fever in adults."
const prompt = (text: string) => `### Instruction:\n${text}\n\n### Response:\n`
const request = (overrides: Partial<InstructionRequest> = {}): InstructionRequest => ({
  fields: { instruction },
  truncateField: "instruction",
  target: response,
  maxLength: 512,
  ...overrides,
})

const encodeInstructionTests = (dir: string) => () => {
  let tokenizer: Tokenizer
  beforeAll(async () => {
    tokenizer = await Effect.runPromise(loadTokenizer(dir))
  })
  const encode = (r: InstructionRequest) => Effect.runPromise(encodeInstruction(tokenizer, r))

  it("splits the sequence into the prompt and the response the loss covers, then eos", async () => {
    // Reference: the whole text encoded in one go (BOS included where the tokenizer adds it), plus eos.
    const { promptIds, targetIds, truncatedTokens } = await encode(request())
    expect(promptIds).toEqual(tokenizer.encode(prompt(instruction)))
    expect([...promptIds, ...targetIds]).toEqual([...tokenizer.encode(prompt(instruction) + response), tokenizer.eosId])
    expect(truncatedTokens).toBe(0)
  })

  it("shortens only the instruction so that prompt and target fit maxLength together", async () => {
    const whole = (await encode(request())).promptIds.length
    const { targetIds } = await encode(request())
    const maxLength = whole + targetIds.length - 6
    const { promptIds, truncatedTokens } = await encode(request({ maxLength }))
    expect(promptIds.length + targetIds.length).toBeLessThanOrEqual(maxLength)
    expect(truncatedTokens).toBe(whole - promptIds.length)
    const match = /^### Instruction:\n(.*)\n\n### Response:\n$/s.exec(tokenizer.decode(promptIds, { skipSpecialTokens: true }))
    expect(instruction.startsWith(match?.[1] ?? "-")).toBe(true)
    expect(match?.[1]?.length).toBeLessThan(instruction.length)
  })

  it("truncates the input field of the Alpaca-style template, never the instruction", async () => {
    const input = "The leaflet: aspirin is used to reduce fever and to relieve mild to moderate pain in adults."
    const r = request({ template: INSTRUCTION_INPUT_TEMPLATE, fields: { instruction: "Summarise.", input }, truncateField: "input" })
    const { promptIds, targetIds } = await encode(r)
    const { promptIds: short } = await encode({ ...r, maxLength: promptIds.length + targetIds.length - 5 })
    const match = /^### Instruction:\nSummarise\.\n\n### Input:\n(.*)\n\n### Response:\n$/s.exec(tokenizer.decode(short, { skipSpecialTokens: true }))
    expect(input.startsWith(match?.[1] ?? "-")).toBe(true)
  })

  it("caps the target with maxTargetLength, and fails when the target leaves no room", async () => {
    const { targetIds } = await encode(request())
    const capped = await encode(request({ maxTargetLength: 3 }))
    expect(capped.targetIds).toEqual([...targetIds.slice(0, 2), tokenizer.eosId])
    expect(capped.truncatedTargetTokens).toBe(targetIds.length - 3)
    const error = await Effect.runPromise(Effect.flip(encodeInstruction(tokenizer, request({ maxLength: targetIds.length }))))
    expect(error.detail).toBe(
      `the target takes ${targetIds.length} tokens, leaving no room for the prompt in maxLength ${targetIds.length}; set maxTargetLength below it`,
    )
  })
}

// stories260k is embedded in the repository (@peftlab/quickstart-assets); tiny-gpt2 comes from PEFTLAB_MODELS.
describe("encodeInstruction with stories260k", encodeInstructionTests(stories260kDir))
describe.skipIf(!models)("encodeInstruction with tiny-gpt2", encodeInstructionTests(join(models ?? "", "tiny-gpt2")))

describe.skipIf(!models)("encodeInstruction's response boundary", () => {
  it("encodes the response on its own when it merges with the prompt's last token", async () => {
    // flan-t5-small's SentencePiece ends "Response:\n" with a lone "▁" that "The" absorbs in a joint encoding,
    // so the prompt's ids are no prefix; the response then gets its own ids (T5 appends </s> to them itself).
    const tokenizer = await Effect.runPromise(loadTokenizer(join(models ?? "", "flan-t5-small")))
    const promptIds = tokenizer.encode(prompt(instruction), { addSpecialTokens: false })
    const joint = tokenizer.encode(prompt(instruction) + "The cat", { addSpecialTokens: false })
    expect(joint.slice(0, promptIds.length)).not.toEqual(promptIds)
    const { targetIds } = await Effect.runPromise(encodeInstruction(tokenizer, request({ target: "The cat" })))
    expect(targetIds).toEqual(tokenizer.encode("The cat"))
  })
})
