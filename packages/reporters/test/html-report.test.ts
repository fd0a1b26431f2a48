import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { compareRunsHtml, escapeHtml, markdownToHtml, reportHtml, toMarkdownTable, writeHtmlReport, type HtmlReportInput } from "../src/index.ts"
import { reportInput } from "./html-fixtures.ts"
import { useTmpDir } from "@peftlab/testkit/tmp-dir"

const html = reportHtml(reportInput)

/** The page without what its <script> and <style> elements hold: the markup alone (and short failure messages). */
const markup = (page: string) => page.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/g, "$1</script>").replace(/<style>[\s\S]*?<\/style>/g, "<style></style>")
const tags = markup(html)

const HOSTILE = `</script><script>alert("x")</script><img src=x onerror=alert(1)> & 'quotes'`

const bare: HtmlReportInput = { title: "bare", summary: [], sections: [], figures: [] }

describe("reportHtml", () => {
  it("is one document that loads nothing: no src or href attributes, no URLs in its markup, a CSP that forbids requests", () => {
    expect(tags.startsWith("<!doctype html>")).toBe(true)
    expect(tags).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`)
    expect(tags).not.toMatch(/\s(src|href|srcset|action|poster|data)\s*=/i)
    expect(tags).not.toMatch(/<(link|iframe|object|embed|base)\b/i)
    expect(tags).not.toMatch(/(https?:)?\/\/\w/)
    expect(/@import|url\(\s*['"]?(https?:)?\/\//i.test(html)).toBe(false)
    expect(html.includes("sourceMappingURL")).toBe(false)
    // Vega, Vega-Lite and vega-embed, then the page's own script.
    expect([...html.matchAll(/<script>/g)]).toHaveLength(4)
  })

  it("escapes the title, summary, tables and examples, and no text can end a script element", () => {
    const page = reportHtml({
      title: HOSTILE,
      summary: [`- ${HOSTILE} is **better**`],
      sections: [{ heading: HOSTILE, markdown: toMarkdownTable(["a"], [[HOSTILE]]) }],
      figures: [{ name: "f<1>", spec: { title: HOSTILE, data: { values: [{ x: HOSTILE }] }, mark: "point", encoding: { x: { field: "x" } } } }],
      examples: { arms: [{ arm: HOSTILE, rows: [{ id: HOSTILE, gold: HOSTILE, pred: HOSTILE, score: 0.5 }] }] },
    })
    // Scripts end only where the page ends them: the libraries, the page's own, and the spec's JSON.
    expect([...page.matchAll(/<\/script>/g)]).toHaveLength(5)
    const text = markup(page)
    expect(text).not.toContain("<img")
    expect(text).toContain(`<title>${escapeHtml(HOSTILE)}</title>`)
    expect(text).toContain(`<li>${escapeHtml(HOSTILE)} is <strong>better</strong></li>`)
    expect(escapeHtml(HOSTILE)).toBe("&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#39;quotes&#39;")
    // The spec survives inside its JSON script element, read back as the browser would.
    const json = /<script type="application\/json">([\s\S]*?)<\/script>/.exec(page)![1]!
    expect(JSON.parse(json).title).toBe(HOSTILE)
    expect(text).toContain('data-figure="f&lt;1&gt;"')
    expect(text).toContain(`<tr><td>${escapeHtml(HOSTILE)}</td><td>${escapeHtml(HOSTILE)}</td><td class="pred">${escapeHtml(HOSTILE)}</td>`)
  })

  it("shows the summary, each section with its markdown as HTML, a figure per spec and every example", () => {
    expect(tags).toContain("<h2>Results</h2>")
    expect(tags).toContain("<h3>prompt vs zero-shot</h3>")
    expect(tags).toContain('<td class="align-right"><strong>+0.1700</strong></td>')
    expect(tags).toContain("lora is significantly better than zero-shot")
    for (const { name } of reportInput.figures) expect(tags).toContain(`<figure data-figure="${name}">`)
    expect([...tags.matchAll(/<figcaption>/g)]).toHaveLength(reportInput.figures.length)
    const examples = reportInput.examples!.arms
    expect(tags).toContain(`${examples[0]!.rows.length} of ${examples[0]!.rows.length} examples`)
    expect([...tags.matchAll(/<tr><td>q\d+<\/td>/g)]).toHaveLength(examples[0]!.rows.length)
    expect(tags).toContain("<th>id</th><th>gold</th><th class=\"pred\">zero-shot: prediction</th><th class=\"align-right\">zero-shot: score</th>")
  })

  it("names the example columns as given, and refuses arms with different examples", () => {
    const rows = [{ id: "1", gold: "a", pred: "b", score: 0.25 }]
    const page = reportHtml({ ...bare, examples: { columns: { gold: "reference", pred: "generated", score: "ROUGE-L" }, arms: [{ arm: "lora", rows }] } })
    expect(page).toContain("<th>reference</th><th class=\"pred\">lora: generated</th><th class=\"align-right\">lora: ROUGE-L</th>")
    expect(page).toContain('<td class="align-right">0.2500</td>')
    const other = [{ ...rows[0]!, id: "2" }]
    expect(() => reportHtml({ ...bare, examples: { arms: [{ arm: "a", rows }, { arm: "b", rows: other }] } })).toThrow(/arm "b" does not have the same example ids/)
  })

  it("inlines the figure libraries only when there are figures", () => {
    const page = reportHtml(bare)
    expect([...page.matchAll(/<script>/g)]).toHaveLength(1)
    expect(page.length).toBeLessThan(10_000)
    expect(html.length).toBeGreaterThan(800_000)
  })
})

describe("markdownToHtml", () => {
  it("turns toMarkdownTable output into an aligned table, keeping escaped pipes and line breaks in cells", () => {
    const table = toMarkdownTable(["arm", "F1", "note"], [["a|b", "**0.5000**", "two\nlines <i>"]], ["left", "right", "center"])
    expect(markdownToHtml(table)).toBe(
      '<div class="table-wrap"><table><thead><tr><th class="align-left">arm</th><th class="align-right">F1</th><th class="align-center">note</th></tr></thead>' +
        '<tbody><tr><td class="align-left">a|b</td><td class="align-right"><strong>0.5000</strong></td><td class="align-center">two<br>lines &lt;i&gt;</td></tr></tbody></table></div>',
    )
  })

  it("shifts headings, joins paragraph lines and writes lists, code and bold", () => {
    const md = "## prompt vs base\n\nn = 89 paired\ntest examples.\n\n- `a` is **b**\n- c < d\n\n###### deep"
    expect(markdownToHtml(md, 1)).toBe(
      "<h3>prompt vs base</h3>\n<p>n = 89 paired test examples.</p>\n<ul><li><code>a</code> is <strong>b</strong></li><li>c &lt; d</li></ul>\n<h6>deep</h6>",
    )
  })
})

describe("compareRunsHtml", () => {
  it("puts the comparison table first, then every run under its label, with one copy of the libraries", () => {
    const table = toMarkdownTable(["run", "arm"], [["run-a", "lora"], ["run-b", "prompt"]])
    const page = markup(compareRunsHtml([{ label: "run-a", report: reportInput }, { label: "run-b", report: { ...bare, title: "other study" } }], table))
    expect(page).toContain("<h1>Comparison of 2 runs</h1>")
    const at = (text: string) => page.indexOf(text)
    expect(at("<h2>Runs compared</h2>")).toBeGreaterThan(0)
    expect(at('<td class="align-left">run-b</td>')).toBeGreaterThan(at("<h2>Runs compared</h2>"))
    expect(at('<section class="run" id="run-1"><h2>run-a</h2>')).toBeGreaterThan(at('<td class="align-left">run-b</td>'))
    expect(at('<section class="run" id="run-2"><h2>run-b</h2><p class="subtitle">other study</p>')).toBeGreaterThan(at("run-1"))
    expect(page).toContain('<a href="#run-2">run-b</a>')
    expect([...page.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1])).toEqual(["#run-1", "#run-2"])
    // The run's own sections one level down; its markdown headings further down still.
    expect(page).toContain("<h3>Results</h3>")
    expect(page).toContain("<h4>prompt vs zero-shot</h4>")
    expect(page).toContain(`<p class="subtitle">${escapeHtml(reportInput.title)}</p>`)
    for (const { name } of reportInput.figures) expect(page).toContain(`<figure data-figure="${name}">`)
    expect([...page.matchAll(/<script>/g)]).toHaveLength(4)
  })
})

describe("writeHtmlReport", () => {
  const tmp = useTmpDir("reporters")

  it("writes report.html", async () => {
    await writeHtmlReport(tmp(), reportInput)
    const written = readFileSync(join(tmp(), "report.html"), "utf8")
    expect(written === html).toBe(true)
    console.log(`report.html: ${(Buffer.byteLength(written) / 1024).toFixed(0)} KiB with ${reportInput.figures.length} figures and ${reportInput.examples!.arms[0]!.rows.length} examples`)
  })
})
