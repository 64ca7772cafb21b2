"""A Gradescope autograder zip: setup.sh installs symwork from the wheel inside, run_autograder checks answers.txt.

Upload it under Assignment → Configure Autograder → "Zip file upload" (a Programming Assignment). Gradescope
unpacks it into /autograder/source, runs setup.sh once to build its image, and for every submission runs
run_autograder, which writes /autograder/results/results.json (`symwork.publish.lms.autograder`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from symwork.core import registry
from symwork.errors import BuildError, InputError
from symwork.publish.lms import variants
from symwork.publish.lms.markup import Member, zip_bytes
from symwork.publish.lms.moodle import plain_title
from symwork.publish.lms.variants import Package, Request

#: Seconds each answer may take to check on Gradescope's machine (generous: the first check loads the library).
TIMEOUT = 10.0
#: Gradescope's visibility of each test; "after_due_date" hides the expected values until the due date.
VISIBILITY = "visible"
#: What the wheel is built with: a fixed date, so that the same source gives the same wheel.
WHEEL_ENV = {"SOURCE_DATE_EPOCH": "315532800", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}

SETUP_SH = """#!/usr/bin/env bash
# symwork autograder setup: Gradescope runs this once, as root, when it builds the autograder image.
# It makes a Python 3.11+ virtual environment in $ROOT/venv and installs symwork from the wheel in this
# zip ({wheel}); pip fetches symwork's dependencies (SymPy, NumPy, SciPy, ...) from PyPI.
set -euo pipefail
ROOT="${{SYMWORK_AUTOGRADER_ROOT:-/autograder}}"
PYTHON=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    PYTHON="$candidate"
    break
  fi
done
if [ -z "$PYTHON" ]; then
  # Gradescope's Ubuntu 22.04 image has Python 3.10; its archive has 3.11.
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3.11 python3.11-venv
  PYTHON=python3.11
fi
if ! "$PYTHON" -m venv "$ROOT/venv"; then
  # Debian and Ubuntu keep venv's pip in a package of its own.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$(basename "$PYTHON")-venv"
  "$PYTHON" -m venv "$ROOT/venv"
fi
"$ROOT/venv/bin/python" -m pip install --quiet "$ROOT/source/{wheel}"
if [ "${{SYMWORK_AUTOGRADER_SMOKE:-1}}" = 1 ]; then
  # A check at build time: the image is not used if symwork cannot check an answer.
  "$ROOT/venv/bin/python" -c 'import symwork.answers as a; r = a.check("sigmoid-derivative", "\\\\sigma(x)(1-\\\\sigma(x))"); assert r["verdict"] == "equal", r'
fi
echo "symwork installed in $ROOT/venv"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# symwork autograder: Gradescope runs this for every submission (working directory /autograder).
set -u
ROOT="${SYMWORK_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${SYMWORK_AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
cd "$ROOT"
mkdir -p "$ROOT/results"
"$PYTHON" "$ROOT/source/symwork_autograder.py" --root "$ROOT" --config "$ROOT/source/autograder.json"
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
  # Python itself failed to start: still give Gradescope a result that says so.
  printf '%s\\n' '{"score": 0.0, "output": "The autograder could not start; your lecturer can see the details.", "visibility": "visible", "stdout_visibility": "hidden", "tests": []}' > "$ROOT/results/results.json"
fi
exit $status
"""


def project_root() -> Path:
    """The source tree symwork runs from (pyproject.toml beside the package), to build a wheel of."""
    root = Path(__file__).resolve().parents[3]
    pyproject = root / "pyproject.toml"
    if not pyproject.exists() or 'name = "symwork"' not in pyproject.read_text(encoding="utf-8"):
        raise BuildError(
            "symwork is installed without its source tree, so no wheel can be built; build one where the source is "
            "(pip wheel --no-deps . -w dist) and pass it with --wheel."
        )
    return root


def build_wheel(folder: Path) -> Path:
    """Build a wheel of this symwork into ``folder`` (from a copy of the source tree, so the checkout is not
    touched); dates are fixed, so the same source gives the same bytes. Raises BuildError when pip fails."""
    root = project_root()
    with tempfile.TemporaryDirectory(prefix="symwork-wheel-") as scratch:
        source = Path(scratch) / "symwork-src"
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")
        source.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(root / name, source / name)
        for name in ("symwork", "derivations", "templates"):
            shutil.copytree(root / name, source / name, ignore=ignore)
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(folder), str(source)]
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **WHEEL_ENV}, timeout=600)
    wheels = sorted(folder.glob("symwork-*.whl"))
    if done.returncode != 0 or not wheels:
        raise BuildError(
            f"Building the symwork wheel failed ({(done.stderr or done.stdout).strip()[-300:]}); build one with "
            "'pip wheel --no-deps . -w dist' and pass it with --wheel."
        )
    return checked_wheel(wheels[-1])


def wheel_needs() -> list[str]:
    """What a wheel must hold for the autograder: the checker, the seeds, and each built-in topic's topic.toml
    (without it the installed library does not load, and every answer would be an error)."""
    topics = sorted(p.parent.name for p in registry.builtin_folder().glob("*/topic.toml"))
    return ["symwork/answers/checker.py", "symwork/seeds.py", *(f"symwork/library/{t}/topic.toml" for t in topics)]


def checked_wheel(path: Path) -> Path:
    """``path`` if it is a symwork wheel holding all of `wheel_needs`; InputError otherwise."""
    if not (path.name.startswith("symwork-") and path.suffix == ".whl" and path.is_file()):
        raise InputError(
            f"--wheel {str(path)!r} is not a symwork wheel file (symwork-….whl); build one with pip wheel."
        )
    try:
        with zipfile.ZipFile(path) as wheel:
            names = set(wheel.namelist())
    except zipfile.BadZipFile:
        raise InputError(f"--wheel {str(path)!r} is not a zip file; build the wheel again with pip wheel.") from None
    missing = [name for name in wheel_needs() if name not in names]
    if missing:
        raise InputError(
            f"The wheel {path.name!r} lacks {missing[0]} ({len(missing)} file(s) missing), so the autograder could "
            "not check answers; make pyproject.toml ship it as package data and build the wheel again."
        )
    return path


def config(request: Request, found: list[variants.Item]) -> dict[str, Any]:
    """autograder.json: how the submission's variant is found, and the problems (those ``found``) with points."""
    seen: dict[str, Any] = {}
    for item in found:
        seen.setdefault(item.derivation.id, item.derivation)
    if request.students is not None:
        mode = "roster"
    else:
        mode = "variants" if request.variants > 1 else "seed"
    return {
        "format": 1,
        "title": request.title,
        "course": request.course,
        "mode": mode,
        "seed": request.seed,
        "variants": request.variants,
        "students": [
            {"id": s.id, "email": dict(getattr(s, "extra", ())).get("email", "")} for s in (request.students or ())
        ],
        "problems": [{"id": d.id, "title": plain_title(d.title), "points": request.points} for d in seen.values()],
        "timeout": TIMEOUT,
        "visibility": VISIBILITY,
    }


def answers_template(settings: dict[str, Any]) -> str:
    """answers.txt for students to fill in: one line per problem, in order."""
    lines = [
        f"# {settings['title']}: your answers, one problem per line as 'id: answer' (LaTeX or plain syntax).",
        "# Matrices: [[1, 2], [3, 4]] or \\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}; exact values such as 2/9 or \\sqrt{2}.",
        "# Indent a line to continue the answer above it. Lines starting with # are ignored.",
    ]
    if settings["mode"] == "variants":
        lines.append("variant: ")
    lines += [f"{problem['id']}: " for problem in settings["problems"]]
    return "\n".join(lines) + "\n"


def autograder(request: Request) -> Package:
    """The autograder zip: setup.sh, run_autograder, the grading script, autograder.json, answers.txt and the wheel."""
    found, notes = variants.items(request)
    settings = config(request, found)
    with tempfile.TemporaryDirectory(prefix="symwork-gradescope-") as folder:
        wheel = checked_wheel(request.wheel) if request.wheel is not None else build_wheel(Path(folder))
        wheel_bytes = wheel.read_bytes()
        wheel_name = wheel.name
    script = (Path(__file__).with_name("autograder.py")).read_text(encoding="utf-8")
    members = [
        Member("setup.sh", SETUP_SH.format(wheel=wheel_name).encode("utf-8"), executable=True),
        Member("run_autograder", RUN_AUTOGRADER.encode("utf-8"), executable=True),
        Member("symwork_autograder.py", script.encode("utf-8")),
        Member("autograder.json", (json.dumps(settings, indent=2, ensure_ascii=False) + "\n").encode("utf-8")),
        Member("answers.txt", answers_template(settings).encode("utf-8")),
        Member(wheel_name, wheel_bytes),
    ]
    return Package(zip_bytes(members), ".zip", len(settings["problems"]), tuple(notes))
