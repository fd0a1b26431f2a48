// Turns an effect Schema issue tree into flat field issues: one per problem, each with its
// path, the field's `expected` phrase (the key annotation set in schema.ts) and what was found.
import type { SchemaAST, SchemaIssue } from "effect"
import { type FieldIssue, renderFound } from "./errors.ts"
import type { Path, PathSegment } from "./path.ts"

// Struct keys may be symbols in general; spec keys never are, but the types must say so.
const segments = (keys: ReadonlyArray<PropertyKey>): Path => keys.map((key) => (typeof key === "symbol" ? String(key) : key))

const valueAt = (tree: unknown, path: Path): unknown =>
  path.reduce<unknown>(
    (node, segment) =>
      typeof node === "object" && node !== null ? (node as Record<PathSegment, unknown>)[segment] : undefined,
    tree,
  )

/** The schema of the child a pointer steps into: a struct field, record value or list item. */
const childSchema = (container: SchemaAST.AST, segment: PathSegment): SchemaAST.AST | undefined => {
  if (container._tag === "Objects") {
    return container.propertySignatures.find((p) => p.name === segment)?.type ?? container.indexSignatures[0]?.type
  }
  if (container._tag === "Arrays" && typeof segment === "number") return container.elements[segment] ?? container.rest[0]
  return undefined
}

const expectedOf = (field: SchemaAST.AST | undefined): string | undefined => {
  const expected = field?.context?.annotations?.expected
  return typeof expected === "string" ? expected : undefined
}

/** A failed union with no member chosen: for tagged structs, blame the tag (e.g. an arm's `kind`). */
const unmatchedUnion = (union: SchemaAST.Union, path: Path, tree: unknown, field: SchemaAST.AST | undefined): FieldIssue => {
  const input = valueAt(tree, path)
  const tags = union.types.map((member) =>
    member._tag === "Objects" ? member.propertySignatures.find((p) => p.type._tag === "Literal") : undefined,
  )
  const first = tags[0]
  const sameTag = first !== undefined && tags.every((tag) => tag?.name === first.name)
  if (sameTag && typeof input === "object" && input !== null && !Array.isArray(input)) {
    const tagPath = [...path, first.name as PathSegment]
    const literals = tags.map((tag) => (tag?.type as SchemaAST.Literal).literal)
    return { path: tagPath, expected: `one of ${literals.join(", ")}`, found: renderFound(valueAt(tree, tagPath)) }
  }
  return { path, expected: expectedOf(field) ?? "a valid value", found: renderFound(input) }
}

const isMethodArmIssue = (issue: SchemaIssue.Issue): boolean => "ast" in issue && issue.ast.annotations?.["methodArm"] === true

/** Every problem in `root`, a failed decoding of `tree` by the schema whose AST is `schema`. */
export const fieldIssues = (root: SchemaIssue.Issue, tree: unknown, schema: SchemaAST.AST): ReadonlyArray<FieldIssue> => {
  const walk = (issue: SchemaIssue.Issue, path: Path, field: SchemaAST.AST | undefined): ReadonlyArray<FieldIssue> => {
    switch (issue._tag) {
      case "Composite":
        return issue.issues.flatMap((child) => {
          if (child._tag !== "Pointer") return walk(child, path, field)
          const steps = segments(child.path)
          const schema = steps.length === 1 ? childSchema(issue.ast, steps[0] as PathSegment) : undefined
          return walk(child.issue, [...path, ...steps], schema)
        })
      case "Pointer":
        return walk(issue.issue, [...path, ...segments(issue.path)], undefined)
      case "Encoding":
        return walk(issue.issue, path, field)
      case "AnyOf": {
        // A method arm (schema.ts' MethodArm) is a candidate for every arm; it speaks only when none of the spec's own kinds does.
        const builtin = issue.issues.filter((child) => !isMethodArmIssue(child))
        const children = builtin.length > 0 ? builtin : issue.issues
        return children.length > 0 ? children.flatMap((child) => walk(child, path, field)) : [unmatchedUnion(issue.ast, path, tree, field)]
      }
      case "UnexpectedKey":
        return [{ path, expected: "no such field", found: renderFound(valueAt(tree, path)), at: "key" }]
      case "Filter": {
        const own = issue.filter.annotations?.expected
        const expected = expectedOf(field) ?? (typeof own === "string" ? own : "a valid value")
        return [{ path, expected, found: renderFound(valueAt(tree, path)) }]
      }
      default:
        return [{ path, expected: expectedOf(field) ?? "a valid value", found: renderFound(valueAt(tree, path)) }]
    }
  }
  return walk(root, [], schema)
}
