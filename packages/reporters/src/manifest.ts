import { join } from "node:path"
import { writeFileAtomic } from "@peftlab/core"

/** manifest.json: what the run was (spec, data hash, versions, seed ...), as pretty JSON. */
export const writeManifest = (dir: string, manifest: Record<string, unknown>): Promise<void> =>
  writeFileAtomic(join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`)
