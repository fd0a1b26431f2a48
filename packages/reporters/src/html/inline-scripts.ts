// report.html must open from disk with no network, so Vega, Vega-Lite and vega-embed go into
// the page itself: their minified browser builds, found next to each package's entry point
// (whatever node_modules holds it), read once per process. Anything put inside a <script>
// element is made unable to end it early.
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"

const require = createRequire(import.meta.url)

/** Each package's entry point lives in its build folder, beside the minified browser bundle. */
const BUNDLES: ReadonlyArray<readonly [pkg: string, file: string]> = [
  ["vega", "vega.min.js"],
  ["vega-lite", "vega-lite.min.js"],
  ["vega-embed", "vega-embed.min.js"],
]

/**
 * JavaScript that is safe inside <script>: `</script` and `<!--` would end or confuse the
 * element. Minified code has them, if at all, in string or regex literals, where `<\/` and
 * `<\!` mean the same characters.
 */
export const scriptSafe = (code: string): string => code.replace(/<\/(script)/gi, "<\\/$1").replaceAll("<!--", "<\\!--")

/** A value as JSON for a <script type="application/json"> element: every `<` as \u003c, which JSON.parse reads back. */
export const scriptJson = (value: unknown): string => JSON.stringify(value).replaceAll("<", "\\u003c")

/** The bundles end with a source map comment, which would point developer tools at a file beside the page. */
const withoutSourceMap = (code: string): string => code.replace(/\n\/\/# sourceMappingURL=\S*\s*$/, "\n")

let cached: string | undefined

/** The three libraries as <script> elements, in load order (vega-lite needs vega; vega-embed both). */
export const vegaScripts = (): string =>
  (cached ??= BUNDLES.map(([pkg, file]) => {
    const path = join(dirname(require.resolve(pkg)), file)
    return `<script>${scriptSafe(withoutSourceMap(readFileSync(path, "utf8")))}</script>`
  }).join("\n"))
