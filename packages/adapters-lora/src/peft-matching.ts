// PEFT's rules for which modules a LoRA config wraps and with what rank and alpha, so that an
// adapter PEFT saved with exclude_modules, layers_to_transform (+ layers_pattern), rank_pattern or
// alpha_pattern is rebuilt module for module. Followed from PEFT 0.21.2's
// tuners_utils.check_target_module_exists and utils/other.get_pattern_key (the goldens check them
// against PEFT's own adapters: test/peft-goldens.test.ts).

/** What picks the wrapped modules (LoraConfig's fields of the same names). */
export interface TargetSelection {
  /** A list matches a name in it or ending in "." + an entry; a string is a regex the whole name must match. */
  readonly targetModules: ReadonlyArray<string> | string
  /** The same forms as targetModules; a match is never wrapped. */
  readonly excludeModules?: ReadonlyArray<string> | string
  /** Only modules in these layer indexes (list targetModules only; an empty list means every layer). */
  readonly layersToTransform?: ReadonlyArray<number> | number
  /** The name segment before the layer index ("layers", "h"); by default the first numbered segment. */
  readonly layersPattern?: ReadonlyArray<string> | string
}

// Python's re.fullmatch / re.match (anchored at the start) written as JavaScript regexes.
const fullMatch = (pattern: string, name: string): boolean => new RegExp(`^(?:${pattern})$`).test(name)
const listMatch = (list: ReadonlyArray<string>, name: string): boolean => list.some((entry) => name === entry || name.endsWith(`.${entry}`))

/** The layer index PEFT reads from a module name, or undefined when it finds none. */
export const layerIndexOf = (name: string, layersPattern: TargetSelection["layersPattern"]): number | undefined => {
  const patterns = layersPattern === undefined || layersPattern.length === 0 ? [] : typeof layersPattern === "string" ? [layersPattern] : layersPattern
  // Lazy .*? takes the first numbered segment, as PEFT does (not an expert index further in).
  const regexes = patterns.length === 0 ? [/^.*?\.[^.]*\.(\d+)\./] : patterns.map((pattern) => new RegExp(`^.*?\\.${pattern}\\.(\\d+)\\.`))
  for (const regex of regexes) {
    const match = regex.exec(name)
    if (match) return Number(match[1])
  }
  return undefined
}

/** check_target_module_exists: whether PEFT wraps the module `name` under `selection`. */
export const isTargeted = (name: string, selection: TargetSelection): boolean => {
  const { excludeModules, targetModules, layersToTransform } = selection
  if (excludeModules !== undefined && (typeof excludeModules === "string" ? fullMatch(excludeModules, name) : listMatch(excludeModules, name))) return false
  if (typeof targetModules === "string") return fullMatch(targetModules, name)
  // A name listed whole is wrapped whatever its layer.
  if (targetModules.includes(name)) return true
  if (!targetModules.some((entry) => name.endsWith(`.${entry}`))) return false
  const usingLayers = layersToTransform !== undefined && (typeof layersToTransform === "number" || layersToTransform.length > 0)
  if (!usingLayers) return true
  const index = layerIndexOf(name, selection.layersPattern)
  if (index === undefined) return false
  return typeof layersToTransform === "number" ? index === layersToTransform : layersToTransform.includes(index)
}

/** get_pattern_key: the first key (in the dict's order) whose regex ends the name at a segment boundary. */
export const patternKey = (keys: Iterable<string>, name: string): string | undefined => {
  for (const key of keys) if (new RegExp(`^(.*\\.)?(${key})$`).test(name)) return key
  return undefined
}

/** A rank_pattern or alpha_pattern value for `name`, else `fallback` (r or lora_alpha). */
export const patternValue = (pattern: Readonly<Record<string, number>> | undefined, name: string, fallback: number): number => {
  const key = pattern === undefined ? undefined : patternKey(Object.keys(pattern), name)
  return key === undefined ? fallback : (pattern as Readonly<Record<string, number>>)[key] as number
}
