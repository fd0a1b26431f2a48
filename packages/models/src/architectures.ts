// Every architecture peftlab can load, looked up by config.json's model_type.
import type { Architecture } from "./architecture.ts"
import { llama } from "./llama/index.ts"

export const architectures: ReadonlyArray<Architecture> = [llama]

export const architectureFor = (modelType: string): Architecture | undefined =>
  architectures.find((a) => a.modelTypes.includes(modelType))

export const supportedModelTypes = (): ReadonlyArray<string> => architectures.flatMap((a) => a.modelTypes)
