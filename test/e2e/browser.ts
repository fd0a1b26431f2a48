// A results folder's report.html in headless Chromium (Debian's, through playwright-core), from
// disk with the network off: which figures drew, and what the page said on its console.
import { existsSync } from "node:fs"
import { chromium } from "playwright-core"

export const chromiumPath = process.env.PEFTLAB_CHROMIUM ?? "/usr/bin/chromium"
export const hasChromium = existsSync(chromiumPath)

export interface PageCheck {
  /** Each figure's name and whether it drew with SVG marks. */
  readonly figures: ReadonlyArray<{ readonly name: string; readonly drawn: boolean }>
  /** Console errors and warnings, page errors, and every request that was not for a file. */
  readonly problems: ReadonlyArray<string>
}

export const openReport = async (file: string, screenshot: string): Promise<PageCheck> => {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] })
  try {
    const page = await (await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 } })).newPage()
    const problems: Array<string> = []
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(`${message.type()}: ${message.text()}`)
    })
    page.on("pageerror", (error) => void problems.push(`page error: ${error.message}`))
    await page.route("**/*", (route) => {
      const url = route.request().url()
      if (url.startsWith("file:")) return route.continue()
      problems.push(`request: ${url}`)
      return route.abort()
    })
    await page.goto(`file://${file}`)
    // A string, as this project type-checks without the DOM library.
    await page.waitForFunction(`[...document.querySelectorAll("figure .view")].every((view) => view.dataset.rendered)`, null, { timeout: 30_000 })
    const figures = []
    for (const figure of await page.locator("figure[data-figure]").all()) {
      const marks = await figure.locator("svg g.mark-rect > path, svg g.mark-symbol > path, svg g.mark-line > path").count()
      figures.push({ name: (await figure.getAttribute("data-figure"))!, drawn: (await figure.locator(".view").getAttribute("data-rendered")) === "true" && marks > 0 })
    }
    await page.screenshot({ path: screenshot, fullPage: true })
    return { figures, problems }
  } finally {
    await browser.close()
  }
}
