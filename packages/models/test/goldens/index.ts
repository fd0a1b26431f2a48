// Every architecture's golden cases, one fixture each (<architecture>-transformers.json).
import { bertCases, megatronBertCases } from "./bert-cases.ts"
import type { GoldenSet } from "./cases.ts"
import { falconCases } from "./falcon-cases.ts"
import { gpt2Cases } from "./gpt2-cases.ts"
import { llamaCases } from "./llama-cases.ts"
import { mistralCases } from "./mistral-cases.ts"
import { qwen2Cases } from "./qwen2-cases.ts"
import { t5Cases } from "./t5-cases.ts"

export const goldenSets: ReadonlyArray<GoldenSet> = [
  { architecture: "llama", cases: llamaCases },
  { architecture: "mistral", cases: mistralCases },
  { architecture: "qwen2", cases: qwen2Cases },
  { architecture: "falcon", cases: falconCases },
  { architecture: "gpt2", cases: gpt2Cases },
  { architecture: "t5", cases: t5Cases },
  { architecture: "bert", cases: bertCases },
  { architecture: "megatron-bert", cases: megatronBertCases },
]
