// The test examples in report.html: one row per example with the gold answer and every arm's
// prediction and score, rendered here (escaped) so the page reads without scripts; the page
// script only filters the rows to where two chosen arms disagree.
import type { PredictionRow } from "../predictions.ts"
import { escapeHtml } from "./markdown-html.ts"

export interface HtmlExamples {
  /** Header names; default gold / prediction / score (generative QA: reference / generated / ROUGE-L). */
  readonly columns?: { readonly gold: string; readonly pred: string; readonly score: string }
  /** Every arm's predictions on the same example ids, in the same order. */
  readonly arms: ReadonlyArray<{ readonly arm: string; readonly rows: ReadonlyArray<PredictionRow> }>
}

const DEFAULT_COLUMNS = { gold: "gold", pred: "prediction", score: "score" }

const score = (value: number) => (Number.isFinite(value) ? value.toFixed(4) : "—")

const options = (arms: ReadonlyArray<string>, selected: number) =>
  arms.map((arm, i) => `<option value="${i}"${i === selected ? " selected" : ""}>${escapeHtml(arm)}</option>`).join("")

/** The examples table with its arm pickers, disagreement filter and row count; `heading` is its h-level. */
export const examplesHtml = ({ columns = DEFAULT_COLUMNS, arms }: HtmlExamples, heading: number): string => {
  const [first] = arms
  if (first === undefined) return ""
  const ids = first.rows.map((r) => r.id)
  for (const { arm, rows } of arms) {
    if (rows.length !== ids.length || rows.some((r, i) => r.id !== ids[i])) {
      throw new RangeError(`examples: arm ${JSON.stringify(arm)} does not have the same example ids, in the same order, as ${JSON.stringify(first.arm)}`)
    }
  }
  const names = arms.map((a) => a.arm)
  const head = [
    `<th>id</th><th>${escapeHtml(columns.gold)}</th>`,
    ...names.map((arm) => `<th class="pred">${escapeHtml(arm)}: ${escapeHtml(columns.pred)}</th><th class="align-right">${escapeHtml(arm)}: ${escapeHtml(columns.score)}</th>`),
  ].join("")
  const body = ids
    .map((id, i) => {
      const predictions = arms.map(({ rows }) => `<td class="pred">${escapeHtml(rows[i]!.pred)}</td><td class="align-right">${score(rows[i]!.score)}</td>`)
      return `<tr><td>${escapeHtml(id)}</td><td>${escapeHtml(first.rows[i]!.gold)}</td>${predictions.join("")}</tr>`
    })
    .join("\n")
  return `<section class="examples">
<h${heading}>Test examples</h${heading}>
<div class="controls">
<label>arm A <select class="arm-a">${options(names, 0)}</select></label>
<label>arm B <select class="arm-b">${options(names, Math.min(1, names.length - 1))}</select></label>
<label><input type="checkbox" class="disagree"> only where A and B disagree</label>
<span class="count" aria-live="polite">${ids.length} of ${ids.length} examples</span>
</div>
<div class="table-wrap"><table>
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table></div>
</section>`
}
