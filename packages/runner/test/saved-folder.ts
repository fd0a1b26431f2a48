// A results folder's files written by hand, for the tests of what a run and `peftlab report` read
// back (the runner's saved-files test and the end-to-end report-folder test).
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"

/** `value` as JSON (a string as it is) at `file`, its folders made. */
export const writeJson = (file: string, value: unknown): void => {
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value))
}

/** A manifest.json as `peftlab report` reads it: fingerprint f1, one base arm. */
export const reportManifest = {
  fingerprint: "f1",
  spec: {
    name: "saved",
    task: { template: "{question}" },
    data: { kind: "pubmedqa" },
    model: { path: "model" },
    training: { max_length: 64 },
    evaluation: { mode: "label-score" },
    stats: { baseline: "base", mcnemar: false, bootstrap: { B: 10, seed: 3 } },
    arms: [{ name: "base", kind: "base", group: "base", config: "base" }],
  },
  data: { labels: ["yes", "no"] },
}
