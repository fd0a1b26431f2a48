// The only script of report.html besides the inlined libraries: it draws every figure from the
// spec beside it and wires up each examples table's filter. Plain browser JavaScript, kept as
// a string so the page needs no bundler; the browser test runs it.

/**
 * `ast: true` makes Vega interpret expressions instead of compiling them with `Function`, which
 * the page's Content-Security-Policy (no 'unsafe-eval') forbids. A figure that fails says so in
 * its place and on the console.
 */
export const PAGE_SCRIPT = `
"use strict";
(() => {
  const embedOptions = { renderer: "svg", actions: false, ast: true };
  for (const figure of document.querySelectorAll("figure[data-figure]")) {
    const view = figure.querySelector(".view");
    const spec = JSON.parse(figure.querySelector('script[type="application/json"]').textContent);
    vegaEmbed(view, spec, embedOptions).then(
      () => { view.dataset.rendered = "true"; },
      (error) => {
        view.textContent = "This figure could not be drawn: " + error;
        view.dataset.rendered = "failed";
        console.error(error);
      },
    );
  }

  for (const section of document.querySelectorAll("section.examples")) {
    const armA = section.querySelector("select.arm-a");
    const armB = section.querySelector("select.arm-b");
    const disagree = section.querySelector("input.disagree");
    const count = section.querySelector(".count");
    const rows = Array.from(section.querySelectorAll("tbody tr"), (row) => ({ row, preds: row.querySelectorAll("td.pred") }));
    const update = () => {
      const a = armA.selectedIndex;
      const b = armB.selectedIndex;
      let shown = 0;
      for (const { row, preds } of rows) {
        const differ = preds[a].textContent !== preds[b].textContent;
        row.hidden = disagree.checked && !differ;
        if (!row.hidden) shown++;
        preds.forEach((cell, i) => cell.classList.toggle("differs", differ && (i === a || i === b)));
      }
      count.textContent = shown + " of " + rows.length + " examples";
    };
    for (const control of [armA, armB, disagree]) control.addEventListener("change", update);
    update();
  }
})();
`
