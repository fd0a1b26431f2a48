// Field paths as segments (`["arms", 1, "num_virtual_tokens"]`) and their rendering
// (`arms[1].num_virtual_tokens`), shared by issues, variable records and YAML positions.

export type PathSegment = string | number
export type Path = ReadonlyArray<PathSegment>

const identifier = /^[A-Za-z_][A-Za-z0-9_-]*$/

export const renderPath = (path: Path): string =>
  path.reduce<string>((out, segment) => {
    if (typeof segment === "number") return `${out}[${segment}]`
    if (!identifier.test(segment)) return `${out}[${JSON.stringify(segment)}]`
    return out === "" ? segment : `${out}.${segment}`
  }, "")
