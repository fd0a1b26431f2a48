// CoNLL-style BIO files: one token per line with its tag in the last whitespace-separated
// column (CoNLL-2003 keeps POS and chunk columns in between), a blank line between sentences,
// and optional `-DOCSTART-` lines between documents.
import { Effect } from "effect"
import type { DataFileError } from "../data-file-error.ts"
import type { LoadReport } from "../example.ts"
import { collectRows, malformed, type Malformed } from "../files/malformed-rows.ts"
import { readText } from "../files/read-text.ts"
import type { EntitySpan, SpanSentence } from "./span-sentence.ts"

/** Token indices `first..last` (inclusive) of one chunk. */
export interface TokenChunk {
  readonly type: string
  readonly first: number
  readonly last: number
}

const TAG = /^(?:O|([BI])-(\S+))$/

/** `O`, `B-<type>` or `I-<type>`. */
export const isBioTag = (tag: string): boolean => TAG.test(tag)

/**
 * Chunks of a tag sequence by conlleval's rule (CoNLL-2000): `B-X` always starts a chunk,
 * `I-X` continues a chunk of type X and otherwise starts one. So IOB2 and IOB1 files (where
 * a chunk may start with `I-`, and `B-` only separates two adjacent chunks of one type) read
 * alike. Throws a RangeError for a tag that is not `O`, `B-<type>` or `I-<type>` (see isBioTag).
 */
export const bioChunks = (tags: ReadonlyArray<string>): Array<TokenChunk> => {
  const chunks: Array<TokenChunk> = []
  let open: { type: string; first: number } | undefined
  const close = (last: number) => {
    if (open) chunks.push({ ...open, last })
    open = undefined
  }
  for (const [i, tag] of tags.entries()) {
    const match = TAG.exec(tag)
    if (!match) throw new RangeError(`bioChunks: tag ${i} is ${JSON.stringify(tag)}, expected O, B-<type> or I-<type>`)
    const [, prefix, type] = match
    if (prefix === "I" && open?.type === type) continue
    close(i - 1)
    if (type !== undefined) open = { type, first: i }
  }
  close(tags.length - 1)
  return chunks
}

interface TokenLine {
  readonly line: number
  readonly columns: ReadonlyArray<string>
}

/** Blank lines and `-DOCSTART-` lines end a sentence; each sentence is its non-blank lines. */
const sentenceBlocks = (lines: ReadonlyArray<string>): Array<Array<TokenLine>> => {
  const blocks: Array<Array<TokenLine>> = []
  let block: Array<TokenLine> = []
  const flush = () => {
    if (block.length > 0) blocks.push(block)
    block = []
  }
  for (const [i, text] of lines.entries()) {
    const columns = text.trim().split(/\s+/).filter((c) => c !== "")
    if (columns.length === 0 || columns[0] === "-DOCSTART-") flush()
    else block.push({ line: i + 1, columns })
  }
  flush()
  return blocks
}

const parseSentence = (block: ReadonlyArray<TokenLine>): SpanSentence | Malformed => {
  const short = block.find((t) => t.columns.length < 2)
  if (short) {
    return malformed("line without a tag", `line ${short.line}: expected a token and a tag separated by whitespace, got ${JSON.stringify(short.columns.join(" "))}`)
  }
  const tokens = block.map((t) => t.columns[0]!)
  const tags = block.map((t) => t.columns[t.columns.length - 1]!)
  const bad = tags.findIndex((tag) => !isBioTag(tag))
  if (bad >= 0) {
    return malformed("invalid tag", `line ${block[bad]!.line}: expected tag O, B-<type> or I-<type>, got ${JSON.stringify(tags[bad])}`)
  }
  const chunks = bioChunks(tags)
  // Tokens joined by single spaces: token i starts after the i tokens and i spaces before it.
  const starts: Array<number> = []
  let offset = 0
  for (const token of tokens) {
    starts.push(offset)
    offset += token.length + 1
  }
  const entities: Array<EntitySpan> = chunks.map(({ type, first, last }) => ({
    type,
    start: starts[first]!,
    end: starts[last]! + tokens[last]!.length,
  }))
  return { id: String(block[0]!.line), text: tokens.join(" "), entities }
}

export interface BioOptions {
  /** Drop sentences with a malformed line and count them by reason, instead of failing. Default false. */
  readonly skipMalformed?: boolean
}

/**
 * Reads a CoNLL-style BIO file into sentences whose text is the tokens joined by single
 * spaces and whose entities are character spans on that text. A sentence's id is the line
 * number of its first token. A line without a tag column or with a tag other than `O`,
 * `B-<type>`, `I-<type>` fails with a DataFileError naming the line, or with
 * `skipMalformed` drops its sentence under "line without a tag" / "invalid tag".
 */
export const loadBioSpans = (
  path: string,
  options: BioOptions = {},
): Effect.Effect<{ sentences: Array<SpanSentence>; report: LoadReport }, DataFileError> =>
  Effect.gen(function* () {
    const blocks = sentenceBlocks((yield* readText(path)).split(/\r?\n/))
    const { rows, read, dropped } = yield* collectRows(path, blocks.map(parseSentence), options.skipMalformed ?? false)
    return { sentences: rows, report: { source: path, read, kept: rows.length, dropped } }
  })
