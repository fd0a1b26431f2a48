// One MedQuAD XML file: a root element (<Document>, or <DiseaseFile> in one CDC file) with
// id (or fid), source and url attributes, a <Focus>, and <QAPairs> of <QAPair>s, each
// a <Question qid qtype> and an <Answer> (empty where the answer was removed).
import { XMLParser, XMLValidator } from "fast-xml-parser"
import { collapseWhitespace } from "../cleaning/whitespace.ts"
import type { QAExample } from "../example.ts"
import { malformed, type Malformed } from "../files/malformed-rows.ts"
import { decodeXmlEntities } from "./xml-entities.ts"

export type MedQuADDocument =
  /** Every pair in the file, answered or not, with whitespace collapsed. */
  | { readonly _tag: "Pairs"; readonly pairs: Array<QAExample | Malformed> }
  /** A file in another layout (four NINDS files use <doc>/<qaPairs>/<pair>). */
  | { readonly _tag: "NoQAPairs"; readonly root: string }
  | { readonly _tag: "BadFile"; readonly reason: string; readonly detail: string }

// Answers are taken as raw text (a stop node) and entities decoded here: this halves the
// parse time of the 61 MB tree, and fast-xml-parser would leave &#233;-style references as written.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  captureMetaData: true,
  stopNodes: ["*.Answer", "*.FocusAnnotations"],
  isArray: (name) => name === "QAPair",
})
// Typed as the `Symbol` wrapper object, but it is a symbol primitive.
const metaData = XMLParser.getMetaDataSymbol() as unknown as symbol

type Node = Readonly<Record<string | symbol, unknown>>

const isNode = (value: unknown): value is Node => typeof value === "object" && value !== null && !Array.isArray(value)

/** An element's text: a bare string, or `#text` of an element with attributes; "" when empty or absent. */
const textOf = (value: unknown): string =>
  typeof value === "string" ? value : isNode(value) && typeof value["#text"] === "string" ? value["#text"] : ""

const attribute = (node: Node, ...names: Array<string>): string | undefined => {
  for (const name of names) if (typeof node[name] === "string") return decodeXmlEntities(node[name])
  return undefined
}

const lineAt = (text: string, offset: number): number => {
  let line = 1
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++
  return line
}

const clean = (raw: string): string => collapseWhitespace(decodeXmlEntities(raw))

interface DocumentFields {
  readonly text: string
  /** Id prefix of its pairs: the file's path without `.xml`. */
  readonly name: string
  readonly metadata: Readonly<Record<string, string>>
}

const decodePair = (pair: unknown, position: number, doc: DocumentFields): QAExample | Malformed => {
  const offset = isNode(pair) ? (pair[metaData] as { startIndex?: number } | undefined)?.startIndex : undefined
  const where = offset === undefined ? "" : `line ${lineAt(doc.text, offset)}: `
  const fail = (problem: string) => malformed(`QAPair ${problem}`, `${where}QAPair ${position} ${problem}`)
  const question = isNode(pair) ? pair["Question"] : undefined
  if (!isNode(pair) || question === undefined) return fail("has no <Question>")
  if (Array.isArray(question) || Array.isArray(pair["Answer"])) return fail("has more than one <Question> or <Answer>")
  const qid = isNode(question) ? attribute(question, "qid") : undefined
  const qtype = isNode(question) ? attribute(question, "qtype") : undefined
  if (qid === undefined || qtype === undefined) return fail("has a <Question> without qid or qtype")
  return {
    id: `${doc.name}#${position}`,
    question: clean(textOf(question)),
    answer: clean(textOf(pair["Answer"])),
    metadata: { ...doc.metadata, qid, qtype },
  }
}

/** Reads one MedQuAD file; `path` (relative to the data set's folder) names its pairs. */
export const parseMedQuADDocument = (text: string, path: string): MedQuADDocument => {
  const valid = XMLValidator.validate(text)
  if (valid !== true) {
    return { _tag: "BadFile", reason: "invalid XML", detail: `line ${valid.err.line}, column ${valid.err.col}: invalid XML: ${valid.err.msg}` }
  }
  const parsed: unknown = parser.parse(text)
  const rootName = isNode(parsed) ? Object.keys(parsed)[0] : undefined
  const root = rootName === undefined ? undefined : (parsed as Node)[rootName]
  if (rootName === undefined || !isNode(root) || root["QAPairs"] === undefined) return { _tag: "NoQAPairs", root: rootName ?? "" }
  const id = attribute(root, "id", "fid")
  const source = attribute(root, "source")
  if (id === undefined || source === undefined) {
    return { _tag: "BadFile", reason: "root without id or source", detail: `line ${lineAt(text, text.indexOf(`<${rootName}`))}: <${rootName}> needs id (or fid) and source attributes` }
  }
  const doc: DocumentFields = {
    text,
    name: path.replace(/\.xml$/, ""),
    metadata: { source, focus: clean(textOf(root["Focus"])), document: id, url: attribute(root, "url") ?? "" },
  }
  const qaPairs = root["QAPairs"]
  const pairs = isNode(qaPairs) && Array.isArray(qaPairs["QAPair"]) ? qaPairs["QAPair"] : []
  return { _tag: "Pairs", pairs: pairs.map((pair: unknown, i) => decodePair(pair, i + 1, doc)) }
}
