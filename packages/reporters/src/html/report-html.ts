// report.html: the run in one self-contained page that opens from disk with no network: the
// summary, results.md and stats.md as tables, every figure drawn live by the inlined
// vega-embed (tooltips, toggling arms), and the test examples with a disagreement filter.
// `peftlab compare` puts several runs on one page after its comparison table.
import { join } from "node:path"
import { writeFileAtomic } from "@peftlab/core"
import type { NamedFigure } from "../figures/write-figures.ts"
import { examplesHtml, type HtmlExamples } from "./examples-table.ts"
import { scriptJson, scriptSafe, vegaScripts } from "./inline-scripts.ts"
import { escapeHtml, inlineMarkdown, markdownToHtml } from "./markdown-html.ts"
import { PAGE_SCRIPT } from "./page-script.ts"
import { PAGE_STYLE } from "./page-style.ts"

export interface HtmlReportInput {
  readonly title: string
  /** summaryLines(...) output: "- x is significantly better than y (...)". */
  readonly summary: ReadonlyArray<string>
  /** Shown in order, e.g. Results (results.md without its heading) and Statistics (stats.md without its). */
  readonly sections: ReadonlyArray<{ readonly heading: string; readonly markdown: string }>
  /** Vega-Lite specs (figureSpecs), drawn in the page. */
  readonly figures: ReadonlyArray<NamedFigure>
  readonly examples?: HtmlExamples
}

/** Nothing but the page itself: no requests at all, and scripts and styles only inline. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"

const figureHtml = ({ name, spec }: NamedFigure): string =>
  `<figure data-figure="${escapeHtml(name)}"><div class="view"></div><script type="application/json">${scriptJson(spec)}</script><figcaption>${escapeHtml(name)}</figcaption></figure>`

/** One run's summary, sections, figures and examples, its section headings at h`level`. */
const runBody = (input: HtmlReportInput, level: number): string => {
  const h = (text: string) => `<h${level}>${escapeHtml(text)}</h${level}>`
  return [
    input.summary.length > 0 ? `<ul class="summary">${input.summary.map((line) => `<li>${inlineMarkdown(line.replace(/^\s*- /, ""))}</li>`).join("")}</ul>` : "",
    ...input.sections.map(({ heading, markdown }) => `<section>${h(heading)}\n${markdownToHtml(markdown, level - 1)}</section>`),
    input.figures.length > 0 ? `<section>${h("Figures")}<div class="figures">\n${input.figures.map(figureHtml).join("\n")}\n</div></section>` : "",
    input.examples === undefined ? "" : examplesHtml(input.examples, level),
  ]
    .filter((part) => part !== "")
    .join("\n")
}

/** The whole document; the figure libraries are inlined only when some figure needs them. */
const page = (title: string, body: string, withFigures: boolean): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
${withFigures ? vegaScripts() : ""}
<script>${scriptSafe(PAGE_SCRIPT)}</script>
</body>
</html>
`

export const reportHtml = (input: HtmlReportInput): string => page(input.title, runBody(input, 2), input.figures.length > 0)

/** `dir`/report.html, written atomically. */
export const writeHtmlReport = (dir: string, input: HtmlReportInput): Promise<void> => writeFileAtomic(join(dir, "report.html"), reportHtml(input))

/** One page for `peftlab compare`: `table` (compareRunsMarkdown output), then each run's report under its label. */
export const compareRunsHtml = (runs: ReadonlyArray<{ readonly label: string; readonly report: HtmlReportInput }>, table: string): string => {
  const nav = `<nav class="runs"><ul>${runs.map(({ label }, i) => `<li><a href="#run-${i + 1}">${escapeHtml(label)}</a></li>`).join("")}</ul></nav>`
  const sections = runs.map(
    ({ label, report }, i) =>
      `<section class="run" id="run-${i + 1}"><h2>${escapeHtml(label)}</h2>${report.title === label ? "" : `<p class="subtitle">${escapeHtml(report.title)}</p>`}\n${runBody(report, 3)}</section>`,
  )
  const body = [`<section><h2>Runs compared</h2>\n${markdownToHtml(table, 1)}\n${nav}</section>`, ...sections].join("\n")
  return page(`Comparison of ${runs.length} run${runs.length === 1 ? "" : "s"}`, body, runs.some(({ report }) => report.figures.length > 0))
}
