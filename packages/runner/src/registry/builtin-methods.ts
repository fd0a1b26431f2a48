// The PEFT methods peftlab ships, each a MethodPlugin from its adapters package, registered in
// every run's registry beside the plugins' ones; also what loading an adapter by its peft_type
// falls back to where no registry is given.
import { loraMethod } from "@peftlab/adapters-lora"
import { prefixTuningMethod } from "@peftlab/adapters-prefix"
import { promptTuningMethod } from "@peftlab/adapters-prompt"
import { pTuningMethod } from "@peftlab/adapters-ptuning"
import type { MethodPlugin } from "@peftlab/plugin-api"

/** In this order: lists of peft_types (LORA, PROMPT_TUNING, PREFIX_TUNING) follow it. */
export const builtinMethods: ReadonlyArray<MethodPlugin<any, any>> = [loraMethod, promptTuningMethod, prefixTuningMethod, pTuningMethod]
