// Named entries by category (dataset kinds, metrics, backends, ...): built-ins and plugins add
// theirs to the same registry, and specs name them. The categories and their entry types are
// the caller's (the runner's), so core knows nothing about any of them.
import { InputError } from "./input-error.ts"

/** A registry problem: an unknown category, a name registered twice, a name nobody registered. */
export class RegistryError extends InputError("RegistryError") {}

export interface Named {
  readonly name: string
}

export interface Registry<Categories extends Record<string, Named>> {
  /** The categories, in the order given when the registry was made. */
  readonly categories: ReadonlyArray<keyof Categories & string>
  /** Registers `entry` under its name; throws RegistryError when the name is taken. */
  readonly add: <C extends keyof Categories & string>(category: C, entry: Categories[C]) => void
  /** The entry called `name`; throws RegistryError, listing the registered names, when there is none. */
  readonly get: <C extends keyof Categories & string>(category: C, name: string) => Categories[C]
  readonly has: (category: keyof Categories & string, name: string) => boolean
  /** Registered names in registration order. */
  readonly names: (category: keyof Categories & string) => ReadonlyArray<string>
  /** Registered entries in registration order. */
  readonly entries: <C extends keyof Categories & string>(category: C) => ReadonlyArray<Categories[C]>
}

const quoted = (names: Iterable<string>): string => {
  const list = [...names]
  return list.length === 0 ? "none" : list.map((name) => JSON.stringify(name)).join(", ")
}

/**
 * An empty registry with these categories. Plugins may be plain JavaScript, so categories and
 * names are checked at run time too: an unknown category or an unnamed entry throws.
 */
export const makeRegistry = <Categories extends Record<string, Named>>(
  categories: ReadonlyArray<keyof Categories & string>,
): Registry<Categories> => {
  const tables = new Map<string, Map<string, Named>>(categories.map((category) => [category, new Map()]))
  const table = (category: string): Map<string, Named> => {
    const found = tables.get(category)
    if (found === undefined) {
      throw new RegistryError({ source: "registry", detail: `no category ${JSON.stringify(category)}; the categories are ${quoted(tables.keys())}` })
    }
    return found
  }
  return {
    categories,
    add: (category, entry) => {
      const entries = table(category)
      const name: unknown = (entry as Named | undefined)?.name
      if (typeof name !== "string" || name === "") {
        throw new RegistryError({ source: `${category} registry`, detail: `an entry needs a non-empty string name, got ${JSON.stringify(name)}` })
      }
      if (entries.has(name)) {
        throw new RegistryError({ source: `${category} registry`, detail: `${JSON.stringify(name)} is already registered; pick another name` })
      }
      entries.set(name, entry)
    },
    get: <C extends keyof Categories & string>(category: C, name: string) => {
      const entries = table(category)
      const entry = entries.get(name)
      if (entry === undefined) {
        throw new RegistryError({ source: `${category} registry`, detail: `nothing registered as ${JSON.stringify(name)}; registered: ${quoted(entries.keys())}` })
      }
      return entry as Categories[C]
    },
    has: (category, name) => table(category).has(name),
    names: (category) => [...table(category).keys()],
    entries: <C extends keyof Categories & string>(category: C) => [...table(category).values()] as Array<Categories[C]>,
  }
}
