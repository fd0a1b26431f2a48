// The methods that unfreeze the base, as the runner builds them: plain fine-tuning and a soft
// prompt with the model unfrozen.
import { frozenBase, unfreezeBase, type Adapter } from "@peftlab/adapters-base"
import { createPromptTuning } from "@peftlab/adapters-prompt"
import { Rng } from "@peftlab/core"
import type { BaseModel } from "@peftlab/models"

export const unfrozenMethods: Record<string, (model: BaseModel) => Adapter> = {
  "fine-tune": (model) => unfreezeBase(frozenBase(), model),
  "prompt, unfrozen": (model) => unfreezeBase(createPromptTuning(model, { numVirtualTokens: 4, init: "random" }, Rng.seeded(3)), model),
}
