// What a spec plugin module exports, the module a spec lists under `plugins`: `register`, or a
// default export that has it. The runner imports the module (only under `--allow-plugins`) and
// calls `register` with the run's registry, before it checks the spec's names.
import type { PeftlabRegistry } from "./registry.ts"

/**
 * What a plugin module exports: `register`, or a default export that has it. It adds entries
 * with `registry.add(category, entry)`; throwing (a name already taken, say) fails the run.
 */
export interface PeftlabPlugin {
  readonly register: (registry: PeftlabRegistry) => void | Promise<void>
}
