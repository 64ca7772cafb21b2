// Renders the formulas of documents with real MathJax 3 and KaTeX, as a page would; prints every failure as JSON.
//
//   node tests/js/render.js < input.json
//
// input.json: {"macros": {"softmax": "\\operatorname{softmax}", ...}, "documents": ["# Title\n\n$$ x $$ ...", ...]}
// The macros are those of symwork-macros.js (bare names; {} to rely on definitions inside each document, as a
// notebook does). Formulas are found in each document as MathJax finds them on a page ($…$, \(…\), $$…$$,
// \[…\]), and rendered in order, each document with fresh state: a \def in one formula holds for the next
// ones (JupyterLab's MathJax; KaTeX with globalGroup, as notebook viewers use it).
// MathJax gets every TeX package (what a page's autoload would fetch) except noundefined and noerrors, which
// would draw an unknown macro in red instead of failing; KaTeX runs with throwOnError.
// Output: {"checked": N, "errors": [{"document", "engine", "message", "tex"}]}.
"use strict";

const katex = require("katex");
const { mathjax } = require("mathjax-full/js/mathjax.js");
const { TeX } = require("mathjax-full/js/input/tex.js");
const { SVG } = require("mathjax-full/js/output/svg.js");
const { liteAdaptor } = require("mathjax-full/js/adaptors/liteAdaptor.js");
const { RegisterHTMLHandler } = require("mathjax-full/js/handlers/html.js");
const { AllPackages } = require("mathjax-full/js/input/tex/AllPackages.js");
const { FindTeX } = require("mathjax-full/js/input/tex/FindTeX.js");

const PACKAGES = AllPackages.filter((name) => name !== "noundefined" && name !== "noerrors");
const FINDER = new FindTeX({
  inlineMath: [["$", "$"], ["\\(", "\\)"]],
  displayMath: [["$$", "$$"], ["\\[", "\\]"]],
  processEscapes: true,
});

function renderDocument(text, macros, index, errors) {
  const katexMacros = {};
  for (const [name, body] of Object.entries(macros)) katexMacros["\\" + name] = body;
  const tex = new TeX({ packages: PACKAGES, macros: { ...macros }, formatError: (jax, error) => { throw error; } });
  const page = mathjax.document("", { InputJax: tex, OutputJax: new SVG({ fontCache: "none" }) });
  const formulas = FINDER.findMath([text]);
  for (const formula of formulas) {
    const report = (engine, error) =>
      errors.push({ document: index, engine, message: String(error.message || error), tex: formula.math });
    try {
      katex.renderToString(formula.math, {
        displayMode: formula.display, throwOnError: true, strict: "ignore", globalGroup: true, macros: katexMacros,
      });
    } catch (error) {
      report("katex", error);
    }
    try {
      page.convert(formula.math, { display: formula.display });
    } catch (error) {
      report("mathjax", error);
    }
  }
  return formulas.length;
}

function main(input) {
  RegisterHTMLHandler(liteAdaptor());
  const errors = [];
  let checked = 0;
  (input.documents || []).forEach((text, index) => {
    checked += renderDocument(text, input.macros || {}, index, errors);
  });
  return { checked, errors };
}

let data = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { data += chunk; });
process.stdin.on("end", () => {
  process.stdout.write(JSON.stringify(main(JSON.parse(data))) + "\n");
});
