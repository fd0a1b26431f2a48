// report.html's stylesheet, inline like everything else on the page: system fonts only (no
// web fonts to fetch), readable tables, figures side by side as wide as the window allows.

export const PAGE_STYLE = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --rule: #d1d9e0; --band: #f6f8fa; --accent: #0969da; --differs: #fff1c2; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: white; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
main { max-width: 1400px; margin: 0 auto; padding: 24px 32px 64px; }
h1 { font-size: 1.8em; margin: 0 0 0.5em; }
h2 { font-size: 1.35em; margin: 1.8em 0 0.6em; padding-bottom: 0.25em; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.12em; margin: 1.4em 0 0.5em; }
h4, h5, h6 { font-size: 1em; margin: 1.2em 0 0.4em; }
p, ul { margin: 0.5em 0; }
code { font: 0.9em ui-monospace, "DejaVu Sans Mono", monospace; background: var(--band); padding: 0.1em 0.3em; border-radius: 4px; }
.subtitle { color: var(--muted); margin-top: -0.4em; }
.summary li { margin: 0.25em 0; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 0.5em 0 1em; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
thead th { background: var(--band); border-bottom: 2px solid var(--rule); position: sticky; top: 0; }
tbody tr:hover { background: var(--band); }
.align-right { text-align: right; }
.align-center { text-align: center; }
.figures { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
figure { margin: 0; padding: 12px; border: 1px solid var(--rule); border-radius: 8px; max-width: 100%; overflow-x: auto; }
figcaption { color: var(--muted); font-size: 0.85em; margin-top: 6px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.examples .controls { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; margin: 0.5em 0; }
.examples .count { color: var(--muted); }
.examples .table-wrap { max-height: 70vh; overflow-y: auto; border: 1px solid var(--rule); border-radius: 8px; }
.examples table { margin: 0; }
td.differs { background: var(--differs); }
nav.runs a { color: var(--accent); }
`
