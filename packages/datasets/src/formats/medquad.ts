import { join } from "node:path"
import { Effect } from "effect"
import { sumCounts } from "../cleaning/drop-counts.ts"
import { cleanQAExamples } from "../cleaning/qa.ts"
import { DataFileError } from "../data-file-error.ts"
import type { Loaded, QAExample } from "../example.ts"
import { filesUnder } from "../files/files-under.ts"
import { collectRows } from "../files/malformed-rows.ts"
import { readText } from "../files/read-text.ts"
import { parseMedQuADDocument } from "./medquad-document.ts"

export interface MedQuADOptions {
  /** Keep only the first of pairs with the same (question, answer). Default true. */
  readonly dedupe?: boolean
  /** Skip malformed pairs and invalid files, counting them by reason, instead of failing. Default false. */
  readonly skipMalformed?: boolean
}

// Enough reads in flight to hide file-system latency without holding thousands of handles.
const readConcurrency = 32

/**
 * Loads MedQuAD from its original XML tree: every `.xml` file under `root`, in sorted path
 * order. Keeps answered pairs (the three MedlinePlus collections had their answers
 * removed), with whitespace collapsed, drops duplicate (question, answer) pairs, and keeps
 * source, qtype, focus, qid, document and url as metadata. Ids are `<file path>#<position>`,
 * since qids repeat across files. Files without <QAPairs> are counted in `skippedFiles`.
 */
export const loadMedQuAD = (root: string, options: MedQuADOptions = {}): Effect.Effect<Loaded<QAExample>, DataFileError> =>
  Effect.gen(function* () {
    const skipMalformed = options.skipMalformed ?? false
    const files = yield* filesUnder(root, ".xml")
    if (files.length === 0) return yield* Effect.fail(new DataFileError({ source: root, detail: "no .xml files under this folder; expected MedQuAD's XML tree" }))
    const documents = yield* Effect.forEach(
      files,
      (file) => Effect.map(readText(join(root, file)), (text) => ({ path: join(root, file), document: parseMedQuADDocument(text, file) })),
      { concurrency: readConcurrency },
    )
    const raw: Array<QAExample> = []
    const malformed: Array<Record<string, number>> = []
    const skippedFiles: Record<string, number> = {}
    let read = 0
    for (const { path, document } of documents) {
      if (document._tag === "NoQAPairs" || (document._tag === "BadFile" && skipMalformed)) {
        const reason = document._tag === "NoQAPairs" ? `no <QAPairs> (root <${document.root}>)` : document.reason
        skippedFiles[reason] = (skippedFiles[reason] ?? 0) + 1
      } else if (document._tag === "BadFile") {
        return yield* Effect.fail(new DataFileError({ source: path, detail: document.detail }))
      } else {
        const collected = yield* collectRows(path, document.pairs, skipMalformed)
        raw.push(...collected.rows)
        malformed.push(collected.dropped)
        read += collected.read
      }
    }
    const { examples, dropped } = cleanQAExamples(raw, { dropEmpty: true, dedupe: options.dedupe ?? true })
    return {
      examples,
      report: {
        source: root,
        read,
        kept: examples.length,
        dropped: sumCounts([...malformed, dropped]),
        ...(Object.keys(skippedFiles).length > 0 ? { skippedFiles } : {}),
      },
    }
  })
