// One adapter per arm of the spec: the frozen base, or a method from its adapters package.
import { frozenBase, type Adapter } from "@peftlab/adapters-base"
import { createPromptTuning } from "@peftlab/adapters-prompt"
import type { Rng } from "@peftlab/core"
import type { CausalLM } from "@peftlab/models"
import type { ArmSpec } from "@peftlab/spec"
import type { Tokenizer } from "@peftlab/tokenizers"

export const createAdapter = (arm: ArmSpec, model: CausalLM, tokenizer: Tokenizer, rng: Rng, modelPath: string): Adapter => {
  switch (arm.kind) {
    case "base":
      return frozenBase()
    case "prompt":
      return createPromptTuning(
        model,
        {
          numVirtualTokens: arm.num_virtual_tokens,
          init: arm.init,
          initIds: arm.init === "text" ? tokenizer.continuationIds(arm.init_text ?? "") : undefined,
          initText: arm.init_text,
          baseModelNameOrPath: modelPath,
        },
        rng,
      )
  }
}

export const isTrainable = (arm: ArmSpec): boolean => arm.kind !== "base"
