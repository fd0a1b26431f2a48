// Prompt tuning against PEFT itself (goldens/cases.ts; tools/goldens/adapters.ts writes the
// fixtures): prompts PEFT made load and give PEFT's logits, and prompts peftlab writes give, read
// back, the logits PEFT computed from the same files, within 1e-4 (peftGoldenTolerance). PEFT's
// text init is the embedding rows of tokenizer(init_text)'s ids, special tokens included, repeated
// to the prompt's length: peftlab's text init from the same ids gives the same rows, to the bit.
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs"
import { Effect } from "effect"
import { expect } from "vitest"
import { Rng } from "@peftlab/core"
import { loadTokenizer } from "@peftlab/tokenizers"
import { describePeftGoldens } from "@peftlab/testkit/peft-goldens-suite"
import { createPromptTuning, loadPromptTuning, type PromptTuning } from "../src/index.ts"
import { peftlabMade, peftMade, textInit } from "./goldens/cases.ts"

describePeftGoldens({
  packageDir: join(import.meta.dirname, ".."),
  peftMade,
  peftlabMade,
  load: loadPromptTuning,
  inspect: async (name, model, adapter) => {
    if (name !== "prompt-llama-text") return
    const tokenizer = await Effect.runPromise(loadTokenizer(join(import.meta.dirname, "..", "..", "..", textInit.tokenizer)))
    const loaded = (adapter as PromptTuning).prompt
    const ours = createPromptTuning(model, { numVirtualTokens: loaded.shape[0], init: "text", initIds: tokenizer.encode(textInit.text) }, Rng.seeded(0))
    expect(tf.tidy(() => tf.max(tf.abs(ours.prompt.sub(loaded))).dataSync()[0])).toBe(0)
    ours.dispose()
  },
})
