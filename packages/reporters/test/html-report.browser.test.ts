// report.html in a real browser: Debian's headless Chromium, driven by playwright-core, opens
// the page from disk with the network off and every non-file request aborted. Every figure
// must draw under the page's Content-Security-Policy with nothing on the console; tooltips,
// the legend toggle of the training curves and the examples' disagreement filter must work.
import { existsSync, mkdirSync, statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { chromium, type Browser, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { writeHtmlReport } from "../src/index.ts"
import { reportInput } from "./html-fixtures.ts"
import { useTmpDir } from "@peftlab/testkit/tmp-dir"

const executablePath = process.env.PEFTLAB_CHROMIUM ?? "/usr/bin/chromium"
const hasChromium = existsSync(executablePath)
const SCREENSHOT = fileURLToPath(new URL("../.test-results/report-html.png", import.meta.url))

if (!hasChromium && !process.env.CI) {
  console.warn(`html-report browser test skipped: no Chromium at ${executablePath}. Install it with \`apt-get install chromium\`, or point PEFTLAB_CHROMIUM at one.`)
}

describe.runIf(hasChromium || process.env.CI)("report.html in headless Chromium", () => {
  const tmp = useTmpDir("reporters")
  let browser: Browser
  let page: Page
  const problems: string[] = []
  const blocked: string[] = []

  beforeAll(async () => {
    expect(hasChromium, `no Chromium at ${executablePath} (apt-get install chromium, or set PEFTLAB_CHROMIUM)`).toBe(true)
    browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] })
    const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 } })
    page = await context.newPage()
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(`${message.type()}: ${message.text()}`)
    })
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`))
    await page.route("**/*", (route) => {
      const url = route.request().url()
      if (url.startsWith("file:")) return route.continue()
      blocked.push(url)
      return route.abort()
    })
  })
  afterAll(() => browser?.close())

  it("draws every figure offline, shows tooltips, toggles arms from the legend, filters the examples and saves a screenshot", async () => {
    await writeHtmlReport(tmp(), reportInput)
    await page.goto(`file://${join(tmp(), "report.html")}`)
    // A string, as this project type-checks without the DOM library.
    await page.waitForFunction(`[...document.querySelectorAll("figure .view")].every((view) => view.dataset.rendered)`, null, { timeout: 15_000 })

    const names: string[] = []
    for (const figure of await page.locator("figure[data-figure]").all()) {
      const name = (await figure.getAttribute("data-figure"))!
      names.push(name)
      expect(await figure.locator(".view").getAttribute("data-rendered"), name).toBe("true")
      expect(await figure.locator("svg g.mark-rect > path, svg g.mark-symbol > path, svg g.mark-line > path").count(), name).toBeGreaterThan(0)
    }
    expect(names).toEqual(reportInput.figures.map((f) => f.name))

    // Tooltips: on a bar, and on a training-curve point (lora's epoch 4, which no other point covers).
    const tooltip = page.locator("#vg-tooltip-element")
    await page.locator('figure[data-figure="performance"] g.mark-rect > path').first().hover()
    await expect.poll(() => tooltip.getAttribute("class")).toContain("visible")
    expect(await tooltip.textContent()).toMatch(/arm\s*zero-shot.*metric\s*macro-F1.*95% CI low/)
    const curves = page.locator('figure[data-figure="training_curves"]')
    await curves.locator('g.mark-symbol > path[aria-label*="epoch: 4"]').first().hover()
    await expect.poll(() => tooltip.textContent()).toMatch(/arm\s*lora.*epoch\s*4/)

    // Clicking "prompt" in the legend fades lora's lines and keeps prompt's.
    const opacities = async () => {
      const lines = await curves.locator("g.mark-line > path").all()
      return Promise.all(lines.map(async (line) => `${/arm: (\S+)/.exec((await line.getAttribute("aria-label")) ?? "")?.[1]} ${await line.getAttribute("opacity")}`))
    }
    expect(new Set(await opacities())).toEqual(new Set(["prompt 1", "lora 1"]))
    await curves.locator(".role-legend-label text", { hasText: "prompt" }).click()
    await expect.poll(async () => new Set(await opacities())).toEqual(new Set(["prompt 1", "lora 0.15"]))

    // The disagreement filter shows exactly the examples where the two chosen arms' predictions differ.
    const arms = reportInput.examples!.arms
    const [a, b] = [arms[1]!, arms[2]!]
    const differing = a.rows.filter((row, i) => row.pred !== b.rows[i]!.pred).length
    expect(differing).toBeGreaterThan(0)
    expect(differing).toBeLessThan(a.rows.length)
    const examples = page.locator("section.examples")
    const count = examples.locator(".count")
    expect(await count.textContent()).toBe(`${a.rows.length} of ${a.rows.length} examples`)
    await examples.locator("select.arm-a").selectOption({ label: a.arm })
    await examples.locator("select.arm-b").selectOption({ label: b.arm })
    await examples.locator("input.disagree").check()
    expect(await count.textContent()).toBe(`${differing} of ${a.rows.length} examples`)
    expect(await examples.locator("tbody tr:not([hidden])").count()).toBe(differing)

    mkdirSync(join(SCREENSHOT, ".."), { recursive: true })
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(50_000)

    expect(problems).toEqual([])
    expect(blocked).toEqual([])
  })
})
