// Prefix tuning against PEFT itself (goldens/cases.ts; tools/goldens/adapters.ts writes the
// fixtures): prefixes PEFT made load and give PEFT's logits, and prefixes peftlab writes give, read
// back, the logits PEFT computed from the same files, within 1e-4 (peftGoldenTolerance).
import { join } from "node:path"
import { describePeftGoldens } from "@peftlab/testkit/peft-goldens-suite"
import { loadPrefixTuning } from "../src/index.ts"
import { peftlabMade, peftMade } from "./goldens/cases.ts"

describePeftGoldens({ packageDir: join(import.meta.dirname, ".."), peftMade, peftlabMade, load: loadPrefixTuning })
