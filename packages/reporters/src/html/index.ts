// report.html's public API: the page builders, and the converter and escaping they use.
export type { HtmlExamples } from "./examples-table.ts"
export { escapeHtml, markdownToHtml } from "./markdown-html.ts"
export { compareRunsHtml, reportHtml, writeHtmlReport, type HtmlReportInput } from "./report-html.ts"
