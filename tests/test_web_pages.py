"""symwork serve's pages and command: one source with the PDFs, escaped text, headers, start and Ctrl-C."""

from __future__ import annotations

import html
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx2")
from click.testing import CliRunner  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

import symwork.cli.serve  # noqa: E402,F401 - registers `serve` until symwork.cli imports it
from symwork.cli import main  # noqa: E402
from symwork.core import registry  # noqa: E402
from symwork.publish.problems import problem  # noqa: E402
from symwork.seeds import DEFAULT_COURSE, problem_seed, student_seed  # noqa: E402
from symwork.web import pages  # noqa: E402
from symwork.web.app import SECURITY_HEADERS, create_app  # noqa: E402
from symwork.web.settings import Settings, is_loopback  # noqa: E402
from symwork.web.texts import text  # noqa: E402

from .conftest import descendants  # noqa: E402

#: One server per module: its tests run in one xdist worker.
pytestmark = pytest.mark.xdist_group("web-pages")
ROOT = Path(__file__).resolve().parent.parent
HOSTILE = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    roster = tmp_path_factory.mktemp("class") / "class.csv"
    roster.write_text("id,name\ns001,Ada\n", encoding="utf-8")
    with TestClient(
        create_app(Settings(workers=1, queue=4, roster=roster)), raise_server_exceptions=False
    ) as test_client:
        yield test_client


def _maths(page: str) -> list[str]:
    """The LaTeX of every formula on a page, unescaped."""
    return [html.unescape(found) for found in re.findall(r'<span class="math[^"]*">(.*?)</span>', page, re.DOTALL)]


def test_web_library_lists_every_derivation_by_topic(client: TestClient) -> None:
    page = client.get("/").text
    for derivation in registry.derivations():
        assert f'href="/d/{derivation.id}"' in page
    for topic in registry.topics():
        assert str(text(topic.title)) in page


def test_web_derivation_page_is_the_worked_solution(client: TestClient) -> None:
    view = problem(registry.get("softmax-jacobian"), seed=0)
    page = client.get("/d/softmax-jacobian").text
    maths = _maths(page)
    for row in view.rows:
        assert str(text(row.why)) in page
        if row.lhs:
            assert row.lhs in maths
        assert "= " + row.rhs_lines[0] in maths
        assert all(r"\quad " + line in maths for line in row.rhs_lines[1:])
    assert view.result in maths


def test_web_exercise_page_shows_the_students_variant(client: TestClient) -> None:
    derivation = registry.get("bayes-rule")
    seed = problem_seed(student_seed(DEFAULT_COURSE, "s001"), derivation.id)
    page = client.get("/d/bayes-rule/exercise", params={"student": "s001"}).text
    assert str(text(derivation.make_exercise(seed).prompt)) in page
    assert f'data-seed="{seed}"' in page and 'data-student="s001"' in page
    sheet = client.get("/d/bayes-rule/exercise", params={"seed": "7"}).text
    assert str(text(derivation.make_exercise(problem_seed(7, derivation.id)).prompt)) in sheet
    assert "\\frac{80}{89}" not in page + sheet  # the answer key is never on the page


@pytest.mark.parametrize(
    ("address", "status"),
    [
        (f"/d/{HOSTILE}", 404),
        (f"/d/bayes-rule/exercise?student={HOSTILE}", 400),
        (f"/d/bayes-rule/exercise?seed={HOSTILE}", 400),
        ("/d/bayes-rule/exercise?seed=99999999999999999999", 400),
        (f"/verify?against={HOSTILE}", 404),
        (f"/nowhere/{HOSTILE}", 404),
    ],
)
def test_web_hostile_address_is_escaped_on_the_error_page(client: TestClient, address: str, status: int) -> None:
    response = client.get(address)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert "<script>alert" not in response.text
    assert "Error" in response.text


def test_web_every_response_has_the_security_headers(client: TestClient) -> None:
    for address in ("/", "/verify", "/grade", "/static/symwork.js", "/api/derivations", "/d/nothing"):
        headers = client.get(address).headers
        for name, value in SECURITY_HEADERS.items():
            assert headers[name] == value, (address, name)
    assert "script-src 'self';" in SECURITY_HEADERS["content-security-policy"]


def test_web_katex_missing_says_what_to_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pages, "KATEX", tmp_path / "katex")
    assert "make web-assets" in (pages.katex_missing() or "")
    (tmp_path / "katex").mkdir()
    for name in pages.KATEX_FILES:
        (tmp_path / "katex" / name).write_text("/* */")
    assert pages.katex_missing() is None


def test_web_latex_text_is_escaped_with_maths_kept() -> None:
    assert (
        str(text(r"After \emph{the <cat>}, $x<y$ 50\%"))
        == 'After <em>the &lt;cat&gt;</em>, <span class="math">x&lt;y</span> 50%'
    )


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.9.9.9", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.4", False),
        ("example.org", False),
    ],
)
def test_web_only_loopback_is_private(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    assert Settings(host=host).public is not loopback


def test_web_serve_warns_before_listening_on_a_network() -> None:
    # 203.0.113.1 (TEST-NET-3) is no address of this machine: the warning comes first, then a clear error.
    result = CliRunner().invoke(main, ["serve", "--host", "203.0.113.1", "--port", "0"])
    assert result.exit_code == 2
    assert "warning: listening on 203.0.113.1, so anyone on that network can open the page" in result.output
    assert "Cannot listen on 203.0.113.1:0" in result.output


def _running(pid: int) -> bool:
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_web_serve_stops_on_ctrl_c_with_every_worker_ended() -> None:
    command = [
        sys.executable,
        "-c",
        "import symwork.cli.serve; from symwork.cli import main; main()",
        "serve",
        "--port",
        "0",
        "--workers",
        "2",
    ]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, start_new_session=True, cwd=ROOT)
    try:
        assert server.stderr is not None
        lines = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and "Ctrl-C" not in "".join(lines):
            lines.append(server.stderr.readline())
        url = re.search(r"http://127\.0\.0\.1:\d+/", "".join(lines))
        assert url, lines
        with urllib.request.urlopen(url.group() + "api/derivations", timeout=30) as response:
            assert response.status == 200
        helpers = descendants(server.pid)
        assert len(helpers) >= 3  # the fork server and two warm workers at least
        os.killpg(server.pid, signal.SIGINT)  # Ctrl-C in a terminal signals the whole process group
        rest = server.stderr.read()
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_running(pid) for pid in helpers):
        time.sleep(0.1)
    assert [pid for pid in helpers if _running(pid)] == []
    assert "stopped" in rest and "Traceback" not in rest and "KeyboardInterrupt" not in rest


@pytest.mark.slow
def test_web_wheel_ships_the_pages_and_katex(tmp_path: Path) -> None:
    if pages.katex_missing():
        pytest.skip("KaTeX is not installed here (make web-assets)")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("symwork-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (
        "symwork/cli/serve.py",
        "symwork/web/app.py",
        "symwork/web/templates/base.html",
        "symwork/web/static/symwork.js",
    ):
        assert name in names
    for name in pages.KATEX_FILES:
        assert f"symwork/web/static/katex/{name}" in names
    assert any(name.startswith("symwork/web/static/katex/fonts/KaTeX_Main-Regular") for name in names)
