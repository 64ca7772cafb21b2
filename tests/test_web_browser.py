"""symwork serve in a real browser: Debian's Chromium driven by Playwright against the real `symwork serve`.

Each test saves a screenshot under output/screenshots/. Without Chromium these tests are skipped, unless
SYMWORK_BROWSER_REQUIRED or CI is set (as `make test` does), when they fail instead.
"""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "output" / "screenshots"
CHROMIUM = os.environ.get("SYMWORK_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REQUIRED = bool(os.environ.get("SYMWORK_BROWSER_REQUIRED") or os.environ.get("CI"))
ROSTER = "id,name\ns001,Ada Lovelace\ns002,Alan Turing\n"
SUBMISSIONS = (
    "id,derivation,answer\n"
    "s001,sigmoid-derivative,\\sigma(x)(1-\\sigma(x))\n"
    "s002,sigmoid-derivative,\\sigma(x)(1+\\sigma(x))\n"
    "s001,tanh-derivative,1-\\tanh^2 x\n"
    "s002,tanh-derivative,<script>alert(1)</script>\n"
)
INVALID = "x^2 - 1\n(x-1)(x+1)\n(x+1)^2\nx^2 + 2x + 1\n"


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    if not Path(CHROMIUM).exists():
        return f"Chromium is not at {CHROMIUM} (make browser, or apt-get install chromium)"
    from symwork.web import pages

    return pages.katex_missing()


if (_why := _missing()) is not None:
    if REQUIRED:
        raise RuntimeError(f"The browser tests cannot run: {_why}.")
    pytest.skip(_why, allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from symwork.answers import check as cli_check  # noqa: E402
from symwork.answers.checker import format_check  # noqa: E402
from symwork.classroom.grading import grade_file  # noqa: E402
from symwork.core import registry  # noqa: E402


@pytest.fixture(scope="module")
def class_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("class")
    (folder / "class.csv").write_text(ROSTER, encoding="utf-8")
    (folder / "answers.csv").write_text(SUBMISSIONS, encoding="utf-8")
    return folder


#: The lecturer link the running server printed (grading needs it), by server address.
LECTURER_LINKS: dict[str, str] = {}


@pytest.fixture(scope="module")
def server(class_files: Path) -> Iterator[str]:
    """The real `symwork serve` on a free loopback port, stopped with Ctrl-C afterwards."""
    command = [sys.executable, "-c", "import symwork.cli.serve; from symwork.cli import main; main()", "serve"]
    command += ["--port", "0", "--workers", "2", "--roster", str(class_files / "class.csv")]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, start_new_session=True, cwd=ROOT)
    assert process.stderr is not None
    seen = ""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and "Ctrl-C" not in seen and process.poll() is None:
        seen += process.stderr.readline()
    found = re.search(r"http://127\.0\.0\.1:\d+/", seen)
    assert found, seen
    link = re.search(r"lecturer link .*: (http://127\.0\.0\.1:\d+/lecturer\?token=[A-Za-z0-9_-]+)", seen)
    assert link, seen
    LECTURER_LINKS[found.group()] = link.group(1)
    try:
        yield found.group()
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


def _page(browser: Browser, *, width: int = 1100, height: int = 900) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: problems.append(f"console: {message.text}") if message.type == "error" else None)
    return page, problems


#: Problems seen by the open page of each test (the megabyte test expects its own 413s).
PROBLEMS: dict[int, list[str]] = {}


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    opened, problems = _page(browser)
    PROBLEMS[id(opened)] = problems
    yield opened
    opened.context.close()
    assert PROBLEMS.pop(id(opened)) == []  # no dialog (no script of anyone's ran), no script error, no CSP violation


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _without(result: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k not in keys}


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _no_overflow(page: Page) -> None:
    width: Any = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert width <= 1, f"the page is {width}px wider than the screen"


def _general(page: Page) -> None:
    target = page.get_by_label("the result in general")
    if target.count():
        target.check()


# --- students ----------------------------------------------------------------------------------------------


def test_browser_library_and_every_derivation_render(page: Page, server: str) -> None:
    page.goto(server)
    expect(page.get_by_role("heading", name="The library")).to_be_visible()
    assert page.locator(".katex").count() > 0
    _shot(page, "library")
    for derivation in registry.derivations():
        page.goto(f"{server}d/{derivation.id}")
        expect(page.locator(".math:not(:has(.katex))")).to_have_count(0)  # every formula rendered by KaTeX
        assert page.locator(".katex-error").count() == 0, derivation.id  # every formula and macro renders
        assert page.locator(".step").count() >= 1
    page.goto(f"{server}d/softmax-jacobian")
    _shot(page, "derivation")


def test_browser_typed_answer_shows_preview_then_verdict(page: Page, server: str) -> None:
    answer = r"\sigma(x)(1-\sigma(x))"
    page.goto(f"{server}d/sigmoid-derivative/exercise")
    _general(page)
    page.locator("#answer").press_sequentially(answer, delay=15)
    expect(page.locator("#preview .read-as .katex")).to_be_visible()
    expect(page.locator("#preview")).to_contain_text("Read as")
    with page.expect_response("**/api/check") as response:
        page.locator("#answer").press("Enter")
    expect(page.locator("#verdict .badge")).to_have_text("correct")
    found = response.value.json()
    assert _without(found, "elapsed_ms", "text") == _without(cli_check("sigmoid-derivative", answer), "elapsed_ms")
    assert page.locator("#verdict .terminal").inner_text() == format_check(found)
    _shot(page, "exercise-correct")


def test_browser_wrong_answer_shows_counterexample_and_hint(page: Page, server: str) -> None:
    answer = r"-\sigma(x)(1-\sigma(x))"
    page.goto(f"{server}d/sigmoid-derivative/exercise")
    _general(page)
    page.locator("#answer").fill(answer)
    with page.expect_response("**/api/check") as response:
        page.get_by_role("button", name="Check").click()
    expect(page.locator("#verdict .badge")).to_have_text("not correct")
    found = response.value.json()
    table = page.locator("#verdict table.counterexample")
    expect(table).to_contain_text("x")
    expect(table).to_contain_text("yours")
    expect(table).to_contain_text("expected")
    assert page.locator("#verdict .terminal").inner_text() == format_check(found)  # what `symwork check` prints
    assert found["verdict"] == cli_check("sigmoid-derivative", answer)["verdict"] == "different"
    point = found["counterexample"]["point"]["x"]
    expect(table.locator("td").first).to_have_text(str(point))
    expect(page.locator("#verdict .terminal")).to_contain_text("sign")
    _shot(page, "exercise-wrong")


def test_browser_parse_error_marks_the_column(page: Page, server: str) -> None:
    page.goto(f"{server}d/sigmoid-derivative/exercise")
    page.locator("#answer").press_sequentially("x^2 + # 1", delay=10)
    expect(page.locator("#preview .where mark")).to_have_text("#")
    expect(page.locator("#preview .error")).to_contain_text("column 7")


def test_browser_student_variant_by_id(page: Page, server: str) -> None:
    page.goto(f"{server}d/bayes-rule/exercise")
    page.get_by_label("student id").fill("s001")
    page.get_by_label("student id").press("Enter")
    expect(page.get_by_role("heading", name="Your variant (student s001)")).to_be_visible()
    page.locator("#answer").fill("[[1],[0]]")
    page.locator("#answer").press("Enter")
    expect(page.locator("#verdict .badge")).to_have_text("not correct")


def test_browser_verify_marks_the_first_wrong_line(page: Page, server: str) -> None:
    page.goto(f"{server}verify")
    page.get_by_label("Your derivation").fill(INVALID)
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#verify-result .badge")).to_have_text("invalid")
    wrong = page.locator("#verify-result .line.first-wrong")
    expect(wrong).to_have_count(1)
    expect(wrong).to_contain_text("line 3")
    expect(wrong.locator(".mark")).to_have_text("✗")
    assert page.locator("#verify-result .line .mark").all_inner_texts() == ["", "✓", "✗", "✓"]
    expect(page.locator("#verify-result table.counterexample")).to_contain_text("x")
    expect(page.locator("#verify-result .terminal")).to_contain_text("Invalid: the first wrong step is on line 3.")
    _shot(page, "verify")


# --- lecturers ---------------------------------------------------------------------------------------------


def test_browser_grade_upload_downloads_the_cli_report(
    page: Page, server: str, class_files: Path, tmp_path: Path
) -> None:
    page.goto(f"{server}grade")  # a student (no lecturer link opened) is told where grading is
    expect(page.locator("main")).to_contain_text("Grading is for the lecturer")
    assert page.get_by_role("link", name="Grade").count() == 0
    assert all("403" in problem for problem in PROBLEMS[id(page)]), PROBLEMS[id(page)]
    PROBLEMS[id(page)].clear()  # only the 403 itself, logged by the browser
    page.goto(LECTURER_LINKS[server])  # the link `symwork serve` printed: on to the grade page
    assert page.url == f"{server}grade"
    page.get_by_label("Submissions CSV").set_input_files(class_files / "answers.csv")
    page.get_by_label("Roster CSV").set_input_files(class_files / "class.csv")
    page.get_by_role("button", name="Grade").click()
    link = page.get_by_role("link", name="Download the report (report.csv)")
    expect(link).to_be_visible(timeout=120_000)
    expect(page.locator("#grade-result table.summary")).to_contain_text("sigmoid-derivative")
    expect(page.locator("#grade-count")).to_contain_text("of")
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "downloaded.csv"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "report.csv"
    expected = grade_file(class_files / "answers.csv", roster=class_files / "class.csv", out=tmp_path / "report.csv")
    mine, theirs = _rows(saved.read_text(encoding="utf-8")), _rows(expected.paths[0].read_text(encoding="utf-8"))
    assert mine[0] == theirs[0] and [r[:3] for r in mine] == [r[:3] for r in theirs]  # header, ids, problems, seeds
    for row, other in zip(mine[1:], theirs[1:], strict=True):
        if row[3] == other[3] == "ok":  # a row stopped at its time limit on a busy machine differs, as it should
            assert row[4] == other[4], (row, other)
    _shot(page, "grade")


# --- hostile input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    ["<script>alert(1)</script>", r"\href{javascript:alert(1)}{click me}", '"><img src=x onerror=alert(1)>'],
    ids=["script", "href", "img"],
)
def test_browser_hostile_answer_is_shown_as_text(page: Page, server: str, answer: str) -> None:
    page.goto(f"{server}d/sigmoid-derivative/exercise")
    page.locator("#answer").press_sequentially(answer, delay=5)
    expect(page.locator("#preview .error")).to_be_visible()
    with page.expect_response("**/api/check") as response:
        page.locator("#answer").press("Enter")
    expect(page.locator("#verdict .badge")).to_have_text("error")
    found = response.value.json()
    assert _without(found, "elapsed_ms", "text") == _without(cli_check("sigmoid-derivative", answer), "elapsed_ms")
    assert page.locator("#verdict .terminal").inner_text() == format_check(found)  # the very text, escaped, not markup
    assert page.locator("main script, main img, a[href^='javascript']").count() == 0


def test_browser_hostile_derivation_and_megabyte_paste(page: Page, server: str) -> None:
    page.goto(f"{server}verify")
    hostile = "\\[ \\href{javascript:alert(1)}{x} = <script>alert(2)</script> \\]\n"
    page.get_by_label("Your derivation").fill(hostile)
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#verify-result .badge")).to_be_visible()
    assert page.locator("main script, a[href^='javascript']").count() == 0
    page.goto(f"{server}d/sigmoid-derivative/exercise")
    page.locator("#answer").fill("x+" * 500_000)  # a 1 MB paste
    expect(page.locator("#preview .error")).to_contain_text("limit", timeout=20_000)
    page.locator("#answer").press("Enter")
    expect(page.locator("#verdict .error")).to_contain_text("limit", timeout=20_000)
    _shot(page, "hostile-paste")
    # The browser logs each refused request; those two 413s (preview and check) are the point of this test.
    problems = PROBLEMS[id(page)]
    refused = [p for p in problems if "status of 413" in p]
    assert len(refused) == 2
    problems[:] = [p for p in problems if p not in refused]


# --- phone width and keyboard only --------------------------------------------------------------------------


def test_browser_phone_width_and_keyboard_only(browser: Browser, server: str) -> None:
    page, problems = _page(browser, width=390, height=844)
    try:
        page.goto(LECTURER_LINKS[server])  # the grade page is the lecturer's
        for address in ("", "d/softmax-jacobian", "d/sigmoid-derivative/exercise", "verify", "grade"):
            page.goto(server + address)
            page.wait_for_load_state("networkidle")
            _no_overflow(page)
        page.goto(f"{server}d/sigmoid-derivative/exercise")
        for _ in range(40):  # Tab from the top of the page to the answer box
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "answer":
                break
        assert page.evaluate("document.activeElement.id") == "answer"
        page.keyboard.type(r"\sigma(x) - \sigma(x)^2")
        expect(page.locator("#preview .katex")).to_be_visible()
        page.keyboard.press("Enter")
        expect(page.locator("#verdict .badge")).to_be_visible()
        _no_overflow(page)
        _shot(page, "phone-exercise")
        page.goto(f"{server}d/softmax-jacobian")
        _shot(page, "phone-derivation")
    finally:
        page.context.close()
    assert problems == []
