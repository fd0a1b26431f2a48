// Two bench scripts write results/native-gemm.md: native-gemm.ts its float32 table at the top,
// native-packed-gemm.ts a section of its own under a heading. Each rewrites only its part, so
// running one keeps the other's last figures.

/** The text before the first "## " heading, and the rest (the sections, "" when none). */
const split = (markdown: string): { top: string; sections: string } => {
  const at = markdown.search(/^## /m)
  return at < 0 ? { top: markdown, sections: "" } : { top: markdown.slice(0, at), sections: markdown.slice(at) }
}

/** `markdown` with its top part (before any section) replaced by `top`. */
export const withTop = (markdown: string, top: string): string => `${top.trimEnd()}\n\n${split(markdown).sections}`.trimEnd() + "\n"

/** `markdown` with the section under `heading` replaced by `body` (appended where there is none). */
export const withSection = (markdown: string, heading: string, body: string): string => {
  const { top, sections } = split(markdown)
  const kept = sections.split(/^(?=## )/m).filter((section) => section.trim() !== "" && !section.startsWith(`## ${heading}\n`))
  return [top, ...kept, `## ${heading}\n\n${body}`].map((part) => part.trimEnd()).filter((part) => part !== "").join("\n\n") + "\n"
}
