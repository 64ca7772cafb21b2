// symwork serve: formulas with KaTeX, the live "read as" preview, and the forms that post to the JSON API.
// Every piece of text from a request or a response is put on the page with textContent, never as HTML.
"use strict";

(function () {
  const body = document.body;
  const MACROS = JSON.parse(body.dataset.macros || "{}");
  const MARKS = { equal: "✓", different: "✗", undecided: "?" };
  const HEADS = { equal: "correct", different: "not correct" };
  const PREVIEW_DELAY_MS = 250;

  // --- formulas ------------------------------------------------------------------------------------------

  function renderMath(element, tex, display) {
    element.textContent = tex;
    if (!window.katex) return; // no KaTeX installed: the LaTeX source stays, as text
    try {
      window.katex.render(tex, element, {
        displayMode: display,
        throwOnError: false,
        trust: false, // no \href, \url, \includegraphics or \html* from anyone's text
        strict: "ignore",
        maxExpand: 1000,
        maxSize: 20,
        macros: Object.assign({}, MACROS),
      });
    } catch (error) {
      element.textContent = tex;
    }
  }

  function renderAll(root) {
    root.querySelectorAll(".math").forEach(function (element) {
      renderMath(element, element.textContent, element.classList.contains("display"));
    });
  }

  function make(tag, className, text) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined && text !== null) element.textContent = String(text);
    return element;
  }

  // --- the API ----------------------------------------------------------------------------------------------

  async function postJSON(url, data, signal) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(data),
      signal: signal,
    });
    return readResponse(response);
  }

  async function readResponse(response) {
    let payload = null;
    try {
      payload = await response.json();
    } catch (error) {
      payload = { error: "The server answered " + response.status + " without JSON; try again." };
    }
    if (!response.ok && payload && !payload.error) payload.error = "The server answered " + response.status + ".";
    if (response.status === 503) {
      const wait = response.headers.get("Retry-After") || "a few";
      payload.error = payload.error + " (retry in " + wait + " s)";
    }
    return { ok: response.ok, status: response.status, data: payload };
  }

  function showError(target, message) {
    target.replaceChildren(make("p", "error", message));
    target.setAttribute("role", "alert");
  }

  // --- the answer box: live preview and the verdict ------------------------------------------------------

  function showWhere(target, text, column) {
    // The answer with the character at the (1-based) column marked, when the answer is one line.
    if (!column || text.indexOf("\n") >= 0 || column > text.length + 1) return;
    const where = make("pre", "where");
    where.append(make("span", null, text.slice(0, column - 1)));
    where.append(make("mark", null, text.slice(column - 1, column) || " "));
    where.append(make("span", null, text.slice(column)));
    target.append(where);
  }

  function showPreview(target, text, data) {
    target.replaceChildren();
    if (data.error) {
      target.append(make("p", "error", data.error));
      showWhere(target, text, data.column);
    } else if (data.latex) {
      const line = make("p", "read-as", "Read as ");
      const formula = make("span", "math");
      renderMath(formula, data.latex, false);
      line.append(formula);
      target.append(line);
    }
  }

  function counterexampleTable(example) {
    const table = make("table", "counterexample");
    table.append(make("caption", null, "Where they differ"));
    const point = example.point || {};
    Object.keys(point).forEach(function (name) {
      const row = make("tr");
      row.append(make("th", null, name), make("td", null, point[name]));
      table.append(row);
    });
    [["yours", example.a], ["expected", example.b]].forEach(function (pair) {
      if (pair[1] === undefined) return;
      const row = make("tr", "value");
      row.append(make("th", null, pair[0]), make("td", null, JSON.stringify(pair[1])));
      table.append(row);
    });
    return table;
  }

  function showCheck(target, data) {
    target.replaceChildren();
    const head = data.verdict === "error" ? "error" : HEADS[data.verdict] || data.verdict;
    target.append(make("p", "badge " + data.verdict, head));
    target.append(make("pre", "terminal", data.text));
    if (data.counterexample) target.append(counterexampleTable(data.counterexample));
  }

  function answerForm(form) {
    const input = form.querySelector("#answer");
    const preview = form.querySelector("#preview");
    const verdict = document.getElementById("verdict");
    let timer = null;
    let controller = null;
    let asked = 0;

    function ask() {
      const text = input.value;
      const ticket = ++asked;
      if (controller) controller.abort();
      controller = new AbortController();
      postJSON("/api/parse", { text: text }, controller.signal)
        .then(function (reply) {
          if (ticket !== asked) return; // an older answer than the one on screen
          if (reply.ok) showPreview(preview, text, reply.data);
          else showError(preview, reply.data.error);
        })
        .catch(function (error) {
          if (error.name !== "AbortError") showError(preview, "No connection to the server; is it still running?");
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, PREVIEW_DELAY_MS);
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const request = { id: form.dataset.id, answer: input.value };
      const target = form.querySelector("input[name=target]:checked");
      if (!target || target.value === "exercise") {
        if (form.dataset.student) request.student = form.dataset.student;
        else if (form.dataset.seed) request.seed = Number(form.dataset.seed);
      }
      verdict.replaceChildren(make("p", "small", "Checking…"));
      postJSON("/api/check", request)
        .then(function (reply) {
          if (reply.ok) showCheck(verdict, reply.data);
          else showError(verdict, reply.data.error);
        })
        .catch(function () {
          showError(verdict, "No connection to the server; is it still running?");
        });
    });
  }

  // --- verify ---------------------------------------------------------------------------------------------

  function showVerify(target, data) {
    target.replaceChildren();
    target.append(make("p", "badge " + data.verdict, data.verdict));
    if (data.error) {
      target.append(make("p", "error", data.error));
      return;
    }
    const list = make("ol", "lines");
    if (data.start) {
      const item = make("li", "line start");
      item.append(make("span", "mark", " "), make("span", "number", "line " + data.start.line), make("code", null, data.start.text));
      list.append(item);
    }
    data.steps.forEach(function (step) {
      const wrong = step.line === data.first_wrong_line && step.verdict === "different";
      const item = make("li", "line " + step.verdict + (wrong ? " first-wrong" : ""));
      const mark = make("span", "mark", MARKS[step.verdict] || "?");
      mark.setAttribute("aria-label", step.verdict);
      item.append(mark, make("span", "number", "line " + step.line), make("code", null, "= " + step.text));
      if (step.detail) item.append(make("span", "detail", step.detail));
      list.append(item);
    });
    target.append(list);
    target.append(make("pre", "terminal", data.text));
    if (data.counterexample) target.append(counterexampleTable(data.counterexample));
  }

  function verifyForm(form) {
    const result = document.getElementById("verify-result");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const request = { text: form.querySelector("#derivation").value };
      const against = form.querySelector("#against").value;
      if (against) request.against = against;
      result.replaceChildren(make("p", "small", "Checking every step…"));
      postJSON("/api/verify", request)
        .then(function (reply) {
          if (reply.ok) showVerify(result, reply.data);
          else showError(result, reply.data.error);
        })
        .catch(function () {
          showError(result, "No connection to the server; is it still running?");
        });
    });
  }

  // --- grade ----------------------------------------------------------------------------------------------

  function summaryTable(data) {
    const table = make("table", "summary");
    table.append(make("caption", null, data.rows + " rows: " + Object.keys(data.statuses).map(function (k) { return data.statuses[k] + " " + k; }).join(", ")));
    const head = make("tr");
    ["derivation", "rows", "correct", "incorrect", "undecided", "errors", "share correct", "most common wrong answer"].forEach(function (name) {
      const cell = make("th", null, name);
      cell.setAttribute("scope", "col");
      head.append(cell);
    });
    table.append(head);
    data.summary.forEach(function (item) {
      const row = make("tr");
      const common = item.common_wrong.length ? item.common_wrong[0].answer + " (×" + item.common_wrong[0].count + ")" : "";
      [item.derivation, item.rows, item.correct, item.incorrect, item.undecided, item.errors, Math.round(item.share_correct * 100) + "%", common].forEach(function (value, index) {
        row.append(make(index === 0 ? "th" : "td", null, value));
      });
      table.append(row);
    });
    return table;
  }

  function showGrade(target, data) {
    target.replaceChildren();
    const wrap = make("div", "table-wrap");
    wrap.append(summaryTable(data));
    target.append(wrap);
    const links = make("p", "actions");
    const report = make("a", "button", "Download the report (report.csv)");
    report.href = data.report;
    report.setAttribute("download", "report.csv");
    const summary = make("a", "button secondary", "Download the summary (report-summary.csv)");
    summary.href = data.summary_csv;
    summary.setAttribute("download", "report-summary.csv");
    links.append(report, summary);
    target.append(links);
  }

  function gradeForm(form) {
    const result = document.getElementById("grade-result");
    const box = document.getElementById("grade-progress");
    const bar = document.getElementById("grade-bar");
    const count = document.getElementById("grade-count");

    function progress(done, total, words) {
      box.hidden = false;
      bar.max = Math.max(1, total);
      bar.value = done;
      count.textContent = words;
    }

    function poll(url) {
      fetch(url, { headers: { Accept: "application/json" } })
        .then(readResponse)
        .then(function (reply) {
          const data = reply.data;
          if (!reply.ok || data.state === "error") return showError(result, data.error);
          progress(data.checked, data.to_check, data.checked + " of " + data.to_check + " answers checked");
          if (data.state === "done") return showGrade(result, data);
          setTimeout(function () { poll(url); }, 400);
        })
        .catch(function () { showError(result, "No connection to the server; is it still running?"); });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const request = new XMLHttpRequest();
      request.open("POST", "/api/grade");
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) progress(e.loaded, e.total, "uploading: " + Math.round((100 * e.loaded) / e.total) + "%");
      });
      request.addEventListener("load", function () {
        let data = null;
        try { data = JSON.parse(request.responseText); } catch (error) { data = { error: "The server answered " + request.status + "." }; }
        if (request.status !== 202) return showError(result, data.error || "The server answered " + request.status + ".");
        progress(data.checked, data.to_check, "grading…");
        poll("/api/grade/" + encodeURIComponent(data.run));
      });
      request.addEventListener("error", function () { showError(result, "The upload failed; is the server still running?"); });
      result.replaceChildren();
      request.send(new FormData(form));
    });
  }

  // --- start ----------------------------------------------------------------------------------------------

  function start() {
    renderAll(document);
    const answer = document.getElementById("check-form");
    if (answer) answerForm(answer);
    const verify = document.getElementById("verify-form");
    if (verify) verifyForm(verify);
    const grade = document.getElementById("grade-form");
    if (grade) gradeForm(grade);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
