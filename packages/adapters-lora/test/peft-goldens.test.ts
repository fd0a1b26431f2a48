// LoRA against PEFT itself (goldens/cases.ts; tools/goldens/adapters.ts writes the fixtures):
// adapters PEFT made load and give PEFT's logits, and adapters peftlab writes give, read back, the
// logits PEFT computed from the same files, within 1e-4 (peftGoldenTolerance).
import { join } from "node:path"
import { describePeftGoldens } from "@peftlab/testkit/peft-goldens-suite"
import { loadLora } from "../src/index.ts"
import { peftlabMade, peftMade } from "./goldens/cases.ts"

describePeftGoldens({ packageDir: join(import.meta.dirname, ".."), peftMade, peftlabMade, load: loadLora })
