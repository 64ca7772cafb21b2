"""symwork serve's JSON API: the CLI's JSON objects, 400/413/503 for bad, large and excess requests, grading."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx2")
from click.testing import CliRunner  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

import symwork.cli.serve  # noqa: E402,F401 - registers `serve` until symwork.cli imports it
from symwork.answers import check as cli_check  # noqa: E402
from symwork.answers.checker import format_check  # noqa: E402
from symwork.answers.verify import format_verify, verify_text  # noqa: E402
from symwork.classroom.grading import grade_file  # noqa: E402
from symwork.cli import main  # noqa: E402
from symwork.core import registry  # noqa: E402
from symwork.parse import parse  # noqa: E402
from symwork.publish.printing import latex  # noqa: E402
from symwork.seeds import DEFAULT_COURSE, problem_seed, student_seed  # noqa: E402
from symwork.web import api as web_api  # noqa: E402
from symwork.web.app import create_app  # noqa: E402
from symwork.web.settings import Settings  # noqa: E402

#: One server per module: its tests run in one xdist worker.
pytestmark = pytest.mark.xdist_group("web-api")
#: An answer that runs into the 2 s time limit in its worker (ten thousand terms with factorials).
PATHOLOGICAL = r"\sum_{k=1}^{10000} \frac{x^k}{k!}"
ROSTER = "id,name\ns001,Ada Lovelace\ns002,<script>alert(1)</script>\n"


def _without(result: dict, *keys: str) -> dict:
    return {k: v for k, v in result.items() if k not in keys}


@pytest.fixture(scope="module")
def roster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("class") / "class.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def client(roster: Path) -> Iterator[TestClient]:
    settings = Settings(workers=2, queue=6, roster=roster, timeout=2.0)
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def _check(client: TestClient, **body: object) -> dict:
    response = client.post("/api/check", json=body)
    assert response.status_code == 200, response.text
    return response.json()


# --- check -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("derivation", "answer", "seed"),
    [
        ("sigmoid-derivative", r"\sigma(x)(1-\sigma(x))", None),
        ("sigmoid-derivative", r"\sigma(x)(1+\sigma(x))", None),
        ("softmax-jacobian", r"s_i(\delta_{ij} - s_j)", None),
        ("tanh-derivative", "1 - tanh(x)", None),
        ("sigmoid-derivative", r"\sigma(x)(1-\sigma(x)", None),
        ("beta-bernoulli-update", "[[9],[9]]", 4),
    ],
)
def test_web_check_is_the_cli_json(client: TestClient, derivation: str, answer: str, seed: int | None) -> None:
    body: dict[str, object] = {"id": derivation, "answer": answer}
    if seed is not None:
        body["seed"] = seed
    found = _check(client, **body)
    expected = cli_check(derivation, answer, seed=seed)
    # Where the two runs draw the same counterexample the objects are equal; the point itself is the checker's.
    drawn = ("elapsed_ms", "text", "counterexample", "feedback")
    assert _without(found, *drawn) == _without(expected, *drawn)
    assert (found["counterexample"] is None) == (expected["counterexample"] is None)
    if found["counterexample"] == expected["counterexample"]:
        assert found["feedback"] == expected["feedback"]
    assert found["text"] == format_check(found)  # the lines `symwork check` prints for this very result


def test_web_check_wrong_answer_has_counterexample_and_hint(client: TestClient) -> None:
    found = _check(client, id="sigmoid-derivative", answer=r"-\sigma(x)(1-\sigma(x))")
    assert found["verdict"] == "different"
    assert found["counterexample"]["point"].keys() == {"x"}
    assert "sign" in found["feedback"]
    assert found["text"].startswith("not correct\n  ")


def test_web_check_student_gets_the_roster_variant(client: TestClient) -> None:
    derivation = registry.get("bayes-rule")
    seed = problem_seed(student_seed(DEFAULT_COURSE, "s001"), derivation.id)
    answer = latex(derivation.make_exercise(seed).answer)
    assert _check(client, id=derivation.id, answer=answer, student="s001")["verdict"] == "equal"
    other = problem_seed(student_seed(DEFAULT_COURSE, "s002"), derivation.id)
    assert latex(derivation.make_exercise(other).answer) != answer  # the two students' variants differ
    assert _check(client, id=derivation.id, answer=answer, student="s002")["verdict"] == "different"


def _meanwhile(slow: Callable[[], object], quick: Callable[[int], None]) -> tuple[object, float, list[float]]:
    """Run ``slow`` in a thread and ``quick(k)`` again and again until it ends: its result and seconds, and quick's."""
    found: dict[str, object] = {}

    def send() -> None:
        start = time.perf_counter()
        found["result"] = slow()
        found["seconds"] = time.perf_counter() - start

    thread = threading.Thread(target=send)
    thread.start()
    time.sleep(0.2)
    seconds = []
    while thread.is_alive():
        start = time.perf_counter()
        quick(len(seconds))
        seconds.append(time.perf_counter() - start)
    thread.join()
    return found["result"], found["seconds"], seconds  # type: ignore[return-value]


def test_web_check_pathological_answer_costs_only_its_own_request(client: TestClient) -> None:
    def checked(k: int) -> None:
        # A new answer every time (the same one would be answered from the kept results, without a worker).
        assert _check(client, id="sigmoid-derivative", answer=rf"\sigma(x)-\sigma(x)^2 + {k} - {k}")["verdict"] == "equal"

    result, seconds, quick = _meanwhile(lambda: _check(client, id="sigmoid-derivative", answer=PATHOLOGICAL), checked)
    slow = {"result": result, "seconds": seconds}
    assert slow["result"]["verdict"] == "undecided" and slow["result"]["method"] == "time limit"  # type: ignore[index]
    assert slow["seconds"] < 3.0  # type: ignore[operator]
    assert quick and max(quick) < 1.0, quick  # the other worker kept answering meanwhile
    # The killed worker is replaced and warmed off the clock: the next checks are quick again.
    time.sleep(3.0)
    start = time.perf_counter()
    for _ in range(4):
        assert _check(client, id="tanh-derivative", answer=r"1-\tanh^2 x")["verdict"] == "equal"
    assert time.perf_counter() - start < 2.0


# --- parse (the live preview) ------------------------------------------------------------------------------


def test_web_parse_reads_as_latex(client: TestClient) -> None:
    text = r"\sigma(x)(1-\sigma(x))"
    found = client.post("/api/parse", json={"text": text}).json()
    # The checker's reading, printed by the worksheets' printer (one source with the PDFs).
    assert found == {"latex": latex(parse(text)), "error": None, "column": None}
    assert found["latex"].count(r"\sigma") == 2


def test_web_parse_error_points_at_the_column(client: TestClient) -> None:
    found = client.post("/api/parse", json={"text": "x^2 + # 1"}).json()
    assert found["latex"] is None and found["column"] == 7 and "'#'" in found["error"]


def test_web_parse_empty_text_is_no_preview(client: TestClient) -> None:
    assert client.post("/api/parse", json={"text": "  "}).json() == {"latex": None, "error": None, "column": None}


# --- bad, large and excess requests -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "headers", "words"),
    [
        (b"not json", {"content-type": "application/json"}, "not valid UTF-8 JSON"),
        (b'["x"]', {"content-type": "application/json"}, "not an object"),
        (b'{"id": "sigmoid-derivative"}', {"content-type": "text/plain"}, "application/json"),
        (b'{"id": "sigmoid-derivative"}', {"content-type": "application/json"}, "lacks the field 'answer'"),
        (b'{"id": "sigmoid-derivative", "answer": 3}', {"content-type": "application/json"}, "send it as a string"),
        (
            b'{"id": "sigmoid-derivative", "answer": "x", "seed": true}',
            {"content-type": "application/json"},
            "whole number",
        ),
        (
            b'{"id": "sigmoid-derivative", "answer": "x", "seed": -1}',
            {"content-type": "application/json"},
            "whole number",
        ),
        (b'{"id": "sigmoid-derivativ", "answer": "x"}', {"content-type": "application/json"}, "sigmoid-derivative"),
        (
            b'{"id": "bayes-rule", "answer": "x", "seed": 1, "student": "s001"}',
            {"content-type": "application/json"},
            "not both",
        ),
        (
            b'{"id": "bayes-rule", "answer": "x", "student": "nobody"}',
            {"content-type": "application/json"},
            "not in the roster",
        ),
    ],
)
def test_web_bad_request_is_400_json(client: TestClient, body: bytes, headers: dict[str, str], words: str) -> None:
    response = client.post("/api/check", content=body, headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert words in response.json()["error"]


def test_web_answer_over_10_kb_is_413(client: TestClient) -> None:
    response = client.post("/api/check", json={"id": "sigmoid-derivative", "answer": "x" * 10_001})
    assert response.status_code == 413 and "10,000" in response.json()["error"]
    response = client.post("/api/parse", json={"text": "x+" * 500_000})
    assert response.status_code == 413 and "limit" in response.json()["error"]


def test_web_body_without_length_is_cut_at_the_cap(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(200):
            yield b"x+" * 500
        yield b'x"}'

    response = client.post("/api/parse", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_web_verify_over_100_kb_is_413(client: TestClient) -> None:
    assert client.post("/api/verify", json={"text": "x\n" * 50_001}).status_code == 413


def test_web_full_queue_is_503_with_retry_after(client: TestClient) -> None:
    pool = client.app.state.service.pool  # type: ignore[attr-defined]
    with contextlib.ExitStack() as places:
        for _ in range(pool.capacity):
            places.enter_context(pool.admit())
        response = client.post("/api/check", json={"id": "sigmoid-derivative", "answer": "x"})
    assert response.status_code == 503 and response.headers["retry-after"] == "2"
    assert "busy" in response.json()["error"]
    assert client.post("/api/check", json={"id": "sigmoid-derivative", "answer": "x"}).status_code == 200


def test_web_unknown_route_is_json_404_under_api(client: TestClient) -> None:
    response = client.get("/api/nothing")
    assert response.status_code == 404 and "error" in response.json()


# --- verify ------------------------------------------------------------------------------------------------

VALID = "\\begin{align*}\n\\frac{d}{dx} x^2 &= 2x \\\\\n&= x + x\n\\end{align*}\n"
INVALID = "x^2 - 1\n(x-1)(x+1)\n(x+1)^2\nx^2 + 2x + 1\n"
UNREADABLE = "x^2\nx*x\nx*#\n"


@pytest.mark.parametrize(
    ("text", "against"),
    [(VALID, None), (INVALID, None), (UNREADABLE, None), ("x\n", None), (INVALID, "sigmoid-derivative")],
)
def test_web_verify_is_the_cli_json(client: TestClient, text: str, against: str | None) -> None:
    body = {"text": text, **({"against": against} if against else {})}
    found = client.post("/api/verify", json=body).json()
    expected = json.loads(json.dumps(verify_text(text, against=against)))
    # Counterexample points are drawn afresh on every call (so that a student cannot collect them and
    # build an answer that vanishes there): compare everything else, and the points' variables.
    assert _verify_without_points(_without(found, "text")) == _verify_without_points(expected)
    assert found["verdict"] != "invalid" or found["text"].splitlines()[0] == format_verify(expected).splitlines()[0]


def _verify_without_points(result: dict) -> dict:
    def strip(example: object) -> object:
        return sorted(example["point"]) if isinstance(example, dict) and "point" in example else example

    steps = [{**step, "counterexample": strip(step.get("counterexample"))} for step in result.get("steps") or []]
    return {**result, "counterexample": strip(result.get("counterexample")), "steps": steps}


def test_web_verify_marks_the_first_wrong_line(client: TestClient) -> None:
    found = client.post("/api/verify", json={"text": INVALID}).json()
    assert found["verdict"] == "invalid" and found["first_wrong_line"] == 3
    assert [step["verdict"] for step in found["steps"]] == ["equal", "different", "equal"]
    assert found["counterexample"]["point"].keys() == {"x"}


def test_web_verify_unknown_against_is_400(client: TestClient) -> None:
    response = client.post("/api/verify", json={"text": INVALID, "against": "no-such-thing"})
    assert response.status_code == 400 and "no-such-thing" in response.json()["error"]


# --- derivations -------------------------------------------------------------------------------------------


def test_web_derivations_is_the_list_json(client: TestClient) -> None:
    expected = json.loads(CliRunner().invoke(main, ["list", "--json"]).output)
    assert client.get("/api/derivations").json() == expected
    calculus = client.get("/api/derivations", params={"topic": "calculus"}).json()
    assert calculus and {row["topic"] for row in calculus} == {"calculus"}
    assert client.get("/api/derivations", params={"topic": "nope"}).status_code == 400


# --- grade -------------------------------------------------------------------------------------------------

SUBMISSIONS = (
    "id,derivation,answer\n"
    "s001,sigmoid-derivative,\\sigma(x)(1-\\sigma(x))\n"
    "s002,sigmoid-derivative,\\sigma(x)(1+\\sigma(x))\n"
    "s001,tanh-derivative,1-\\tanh^2 x\n"
    "s003,tanh-derivative,1-\\tanh x\n"
    'x,"broken\n'
)


def _lecturer(client: TestClient) -> dict[str, str]:
    """The header that carries the lecturer's token (grading is refused without it)."""
    return {"Authorization": f"Bearer {client.app.state.service.settings.lecturer_token}"}  # type: ignore[attr-defined]


def _wait(client: TestClient, run: str) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = client.get(f"/api/grade/{run}", headers=_lecturer(client)).json()
        if status["state"] != "running":
            return status
        time.sleep(0.2)
    raise AssertionError("the grading run did not finish in 120 s")


def test_web_grade_upload_gives_the_cli_report(client: TestClient, roster: Path, tmp_path: Path) -> None:
    files = {
        "submissions": ("answers.csv", SUBMISSIONS.encode(), "text/csv"),
        "roster": ("class.csv", ROSTER.encode(), "text/csv"),
    }
    response = client.post("/api/grade", files=files, headers=_lecturer(client))
    assert response.status_code == 202, response.text
    run = response.json()["run"]
    status = _wait(client, run)
    assert status["state"] == "done" and status["rows"] == 5
    assert status["checked"] == status["to_check"] > 0
    by_id = {item["derivation"]: item for item in status["summary"]}
    assert by_id["sigmoid-derivative"]["rows"] == 2 and by_id["tanh-derivative"]["rows"] == 2
    (tmp_path / "answers.csv").write_text(SUBMISSIONS, encoding="utf-8")
    cli = grade_file(tmp_path / "answers.csv", roster=roster, out=tmp_path / "report.csv")
    report = client.get(status["report"], headers=_lecturer(client))
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    if "timeout" not in report.text + cli.paths[0].read_text(encoding="utf-8"):  # a busy machine may stop a row
        assert report.content == cli.paths[0].read_bytes()
        assert client.get(status["summary_csv"], headers=_lecturer(client)).content == cli.paths[1].read_bytes()
    else:
        assert report.text.splitlines()[0] == cli.paths[0].read_text(encoding="utf-8").splitlines()[0]
    folder = client.app.state.grader.get(run).folder  # type: ignore[attr-defined]
    assert sorted(p.name for p in folder.iterdir()) == ["report-summary.csv", "report.csv"]  # uploads removed


def test_web_grade_bad_header_is_400(client: TestClient) -> None:
    files = {"submissions": ("a.csv", b"who,what\n1,2\n", "text/csv")}
    response = client.post("/api/grade", files=files, headers=_lecturer(client))
    assert response.status_code == 400 and "lacks" in response.json()["error"]


def test_web_grade_without_file_is_400_and_too_large_is_413(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    lecturer = _lecturer(client)
    assert client.post("/api/grade", data={"submissions": "text, not a file"}, headers=lecturer).status_code == 400
    monkeypatch.setattr(web_api, "UPLOAD_BYTES", 1000)
    big = ("id,derivation,answer\n" + "s001,sigmoid-derivative,x\n" * 100).encode()
    response = client.post("/api/grade", files={"submissions": ("a.csv", big, "text/csv")}, headers=lecturer)
    assert response.status_code == 413 and "1,000" in response.json()["error"]


def test_web_grade_unknown_run_is_400(client: TestClient) -> None:
    assert client.get("/api/grade/not-a-run", headers=_lecturer(client)).status_code == 400
    assert client.get("/api/grade/not-a-run/report.csv", headers=_lecturer(client)).status_code == 400


# --- the lecturer's token -------------------------------------------------------------------------------------


def test_web_grade_without_the_lecturer_token_is_403(client: TestClient) -> None:
    files = {"submissions": ("answers.csv", SUBMISSIONS.encode(), "text/csv")}
    for headers in ({}, {"Authorization": "Bearer not-the-token-at-all"}, {"Authorization": "Basic abc"}):
        response = client.post("/api/grade", files=files, headers=headers)
        assert response.status_code == 403 and "for the lecturer" in response.json()["error"], headers
        assert client.get("/api/grade/some-run/report.csv", headers=headers).status_code == 403
    page = client.get("/grade")
    assert page.status_code == 403 and "Grading is for the lecturer" in page.text
    assert 'href="/grade"' not in client.get("/").text  # students are not shown the grade page
    # The students' pages and API need no token.
    assert client.get("/verify").status_code == 200
    assert client.post("/api/parse", json={"text": "x^2"}).status_code == 200


def test_web_lecturer_link_sets_a_strict_cookie_for_the_grade_page(client: TestClient) -> None:
    token = client.app.state.service.settings.lecturer_token  # type: ignore[attr-defined]
    try:
        assert client.get("/lecturer", params={"token": token + "x"}, follow_redirects=False).status_code == 403
        response = client.get("/lecturer", params={"token": token}, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/grade"
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"symwork_lecturer={token};")
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        page = client.get("/grade")  # the client keeps the cookie, as a browser does
        assert page.status_code == 200 and 'id="grade-form"' in page.text and 'href="/grade"' in page.text
    finally:
        client.cookies.clear()
    assert client.get("/grade").status_code == 403


def test_web_lecturer_token_file_is_checked(tmp_path: Path) -> None:
    from symwork.errors import InputError
    from symwork.web.lecturer import read_token_file

    good, short = tmp_path / "token.txt", tmp_path / "short.txt"
    good.write_text("abcdefghijklmnop-1234\n", encoding="utf-8")
    short.write_text("abc\n", encoding="utf-8")
    assert read_token_file(str(good)) == "abcdefghijklmnop-1234"
    with pytest.raises(InputError, match="at least 16 characters"):
        read_token_file(str(short))
    with pytest.raises(InputError, match="Cannot read"):
        read_token_file(str(tmp_path / "none.txt"))


# --- kept results and slow work set aside ---------------------------------------------------------------------


def test_web_repeated_check_is_kept_and_undecided_is_not(client: TestClient) -> None:
    service = client.app.state.service  # type: ignore[attr-defined]
    body = {"id": "tanh-derivative", "answer": r"1+\tanh^2 x"}
    first = _check(client, **body)
    hits = service.checks.hits
    again = _check(client, **body)
    assert service.checks.hits == hits + 1  # answered without a worker
    assert _without(again, "elapsed_ms") == _without(first, "elapsed_ms") and first["verdict"] == "different"
    # A student's variant is kept under its own exercise seed: the other student's check is not this one.
    derivation = registry.get("bayes-rule")
    answer = latex(derivation.make_exercise(problem_seed(student_seed(DEFAULT_COURSE, "s001"), derivation.id)).answer)
    assert _check(client, id=derivation.id, answer=answer, student="s001")["verdict"] == "equal"
    assert _check(client, id=derivation.id, answer=answer, student="s002")["verdict"] == "different"
    assert service.checks.get(("sigmoid-derivative", PATHOLOGICAL, None)) is None  # "undecided" is never kept


def test_web_pool_sets_slow_work_aside_and_keeps_its_workers() -> None:
    from symwork.web.pool import Pool

    pool = Pool(1, queue_size=4, memory=1 << 30, timeout=2.0, slow_after=0.2)
    pool.start()
    try:
        slow: dict[str, object] = {}

        def send() -> None:
            start = time.perf_counter()
            try:
                pool.run("symwork.web.tasks:check", "sigmoid-derivative", PATHOLOGICAL, seed=None, limit=2.0, timeout=1.5)
            except Exception as exc:  # noqa: BLE001 - the kind is asserted below
                slow["error"] = exc
            slow["seconds"] = time.perf_counter() - start

        thread = threading.Thread(target=send)
        thread.start()
        time.sleep(0.6)
        assert pool.set_aside == 1 and pool.spares == 0  # the slow check left its place to the spare
        lowered = [p for p in pool._processes.values() if p.alive() and os.getpriority(os.PRIO_PROCESS, p.pid) == 10]
        assert len(lowered) == 1  # and its worker runs at a low CPU priority meanwhile
        start = time.perf_counter()
        found = pool.run("symwork.web.tasks:check", "tanh-derivative", r"1-\tanh^2 x", seed=None, limit=2.0, timeout=2.0)
        assert found["verdict"] == "equal" and thread.is_alive()  # answered while the slow check still ran
        assert time.perf_counter() - start < 1.0
        thread.join()
        assert type(slow["error"]).__name__ == "TimeLimitError" and slow["seconds"] < 1.9  # type: ignore[operator]
        assert pool.set_aside == 0
        deadline = time.monotonic() + 60
        while pool.spares < 1 and time.monotonic() < deadline:  # the killed worker's successor, warmed
            time.sleep(0.05)
        assert pool.spares == 1  # the set-aside worker (its successor, warm) stands by as the next spare
        assert all(os.getpriority(os.PRIO_PROCESS, p.pid) == 0 for p in pool._processes.values() if p.alive())
    finally:
        pool.close()


def test_web_check_deadline_counts_the_wait_for_a_worker(client: TestClient) -> None:
    service = client.app.state.service  # type: ignore[attr-defined]
    start = time.perf_counter()
    found = service.check("sigmoid-derivative", PATHOLOGICAL, arrived=time.monotonic() - 1.0)
    assert found["verdict"] == "undecided" and found["method"] == "time limit"
    assert time.perf_counter() - start < 1.5  # one of its two seconds was spent before it reached a worker


# --- verify in the pool -----------------------------------------------------------------------------------------


def test_web_hostile_derivation_costs_only_its_own_request(client: TestClient) -> None:
    hostile = f"x\n{PATHOLOGICAL}\nx\n"

    def checked(k: int) -> None:
        assert _check(client, id="tanh-derivative", answer=f"1-\\tanh^2 x + {k} - {k}")["verdict"] == "equal"

    result, seconds, quick = _meanwhile(lambda: client.post("/api/verify", json={"text": hostile}).json(), checked)
    assert [step["verdict"] for step in result["steps"]] == ["undecided", "undecided"]  # type: ignore[index]
    assert "time" in result["steps"][0]["detail"]  # type: ignore[index]
    assert quick and max(quick) < 1.0, quick


def test_web_worker_priority_is_lowered_and_restored_only_for_the_same_process() -> None:
    import subprocess
    import sys

    from symwork.web.priority import SLOW_NICE, Process

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        found = Process.of(child.pid)
        assert found is not None and found.alive()
        assert found.lower() and os.getpriority(os.PRIO_PROCESS, child.pid) == SLOW_NICE
        restored = found.restore()  # where this user may not raise a priority again, it says so
        assert restored == (os.getpriority(os.PRIO_PROCESS, child.pid) == 0)
        assert not Process(child.pid, found.started + 1).lower()  # another process under a reused pid: left alone
    finally:
        child.kill()
        child.wait()
    assert not found.alive() and not found.restore()
