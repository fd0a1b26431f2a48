// Every architecture peftlab can load, looked up by config.json's model_type.
import type { Architecture } from "./architecture.ts"
import { bert } from "./bert/index.ts"
import { falcon } from "./falcon/index.ts"
import { gpt2 } from "./gpt2/index.ts"
import { llama } from "./llama/index.ts"
import { mistral } from "./mistral/index.ts"
import { qwen2 } from "./qwen2/index.ts"
import { t5 } from "./t5/index.ts"

export const architectures: ReadonlyArray<Architecture> = [llama, mistral, qwen2, falcon, gpt2, bert, t5]

export const architectureFor = (modelType: string): Architecture | undefined =>
  architectures.find((a) => a.modelTypes.includes(modelType))

export const supportedModelTypes = (): ReadonlyArray<string> => architectures.flatMap((a) => a.modelTypes)
