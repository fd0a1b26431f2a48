// Child process of checkpoint-writing.test.ts: writes a random checkpoint of the config given
// as JSON in argv[2] to the folder argv[3] and prints its peak resident memory before and
// after (KiB), so the test can tell whether writing held the whole model at once.
import { Effect } from "effect"
import { writeRandomCheckpointFiles } from "../src/index.ts"

const [configText, dir, dtype] = process.argv.slice(2) as [string, string, "F32" | "BF16" | "F16"]
const before = process.resourceUsage().maxRSS
const { parameters } = await Effect.runPromise(writeRandomCheckpointFiles(dir, JSON.parse(configText), 1, { dtype }))
console.log(JSON.stringify({ before, after: process.resourceUsage().maxRSS, parameters }))
