"""The Gradescope autograder script: reads a student's answers file, checks each answer with symwork, writes results.json.

This file is copied into the autograder zip as ``symwork_autograder.py`` and runs there with the symwork
wheel installed, so it imports nothing of symwork but the checker, the seeds and atomic writes (which
every wheel has). The answers file, one problem per line (see ``docs/lms.md``)::

    # comments and blank lines are ignored
    variant: 2                       (only when the assignment has numbered variants)
    sigmoid-derivative: 2/9
    softmax-jacobian: [[3/16, -1/16, -1/8],
        [-1/16, 3/16, -1/8], [-1/8, -1/8, 1/4]]     (an indented line continues the answer above)

Results follow Gradescope's specification: one test per problem with ``score``, ``max_score``, ``status``,
``output`` (the verdict, where the answer differs, and the hint) and ``visibility``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from symwork.answers import checker
from symwork.files import write_atomic
from symwork.seeds import problem_seed, student_seed

#: Largest answers file read (a typed answer is at most 10,000 characters; a sheet has a few dozen).
MAX_BYTES = 200_000
#: The file name looked for first in /autograder/submission (any case).
ANSWERS_FILE = "answers.txt"
_LINE = re.compile(r"^(?P<key>[A-Za-z0-9][A-Za-z0-9_-]*)\s*:(?P<rest>.*)$")


@dataclass
class Parsed:
    """What an answers file says: each problem's answer (with its line), the variant, and what was wrong."""

    answers: dict[str, tuple[int, str]] = field(default_factory=dict)
    variant: str | None = None
    problems: list[str] = field(default_factory=list)


def parse_answers(text: str, problem_ids: list[str]) -> Parsed:
    """Read an answers file; unknown lines, repeated ids and the like become messages, never exceptions."""
    known = {pid.lower(): pid for pid in problem_ids}
    parsed, current = Parsed(), None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        key = match.group("key").lower() if match else ""
        if match and key == "variant":
            parsed.variant, current = match.group("rest").strip(), None
        elif match and key in known:
            current = known[key]
            if current in parsed.answers:
                parsed.problems.append(f"line {number}: {current} is answered again; the last answer counts.")
            parsed.answers[current] = (number, match.group("rest").strip())
        elif raw[:1] in (" ", "\t") and current is not None:
            first, previous = parsed.answers[current]
            parsed.answers[current] = (first, f"{previous} {line.strip()}".strip())
        else:
            shown = line.strip()[:60]
            parsed.problems.append(
                f"line {number}: {shown!r} does not start with a problem id and a colon; "
                f"the ids are {', '.join(problem_ids)} (indent a line to continue the answer above)."
            )
            current = None
    return parsed


def read_submission(folder: Path) -> tuple[str | None, str]:
    """The answers file's text and its name, or None and why it cannot be read."""
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    named = [p for p in files if p.name.lower() == ANSWERS_FILE]
    chosen = named[0] if named else (files[0] if len(files) == 1 else None)
    if chosen is None:
        listed = ", ".join(p.name for p in files[:10]) or "nothing"
        return None, f"Submit one text file named {ANSWERS_FILE}; the submission holds {listed}."
    data = chosen.read_bytes()
    if len(data) > MAX_BYTES:
        return None, f"{chosen.name} has {len(data):,} bytes, more than {MAX_BYTES:,}; submit the answers only."
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, f"{chosen.name} is not UTF-8 text; save it as plain UTF-8 text."
    if "\x00" in text:
        return None, f"{chosen.name} contains NUL bytes; it is not a text file."
    return text, chosen.name


def sheet_seed(config: dict[str, Any], parsed: Parsed, metadata: dict[str, Any]) -> tuple[int | None, str]:
    """The worksheet seed of this submission (as ``symwork build`` printed it) and a line saying whose it is."""
    mode = config["mode"]
    if mode == "seed":
        return int(config["seed"]), f"Variant with seed {config['seed']}."
    if mode == "variants":
        count = int(config["variants"])
        if parsed.variant is None or not parsed.variant.isdigit() or not 1 <= int(parsed.variant) <= count:
            return None, f"Add a line 'variant: K' with the number of the variant on your sheet (1 to {count})."
        number = int(parsed.variant)
        return int(config["seed"]) + number - 1, f"Variant {number}."
    users = metadata.get("users") or []
    for student in config["students"]:
        for user in users:
            ids = {str(user.get("sid") or "").strip(), str(user.get("email") or "").strip().lower()} - {""}
            wanted = {student["id"], student["id"].lower(), str(student.get("email") or "").strip().lower()} - {""}
            if ids & wanted:
                return student_seed(config["course"], student["id"]), f"Variant of {student['id']}."
    who = ", ".join(str(u.get("email") or u.get("sid") or u.get("name") or "?") for u in users) or "nobody"
    return (
        None,
        f"This submission's student ({who}) is not on the roster the assignment was made for; ask your lecturer.",
    )


def describe(result: dict[str, Any]) -> str:
    """The test's output: the verdict and hint (`symwork check`'s words), then where the answer differs."""
    text = checker.format_check(result)
    example = result.get("counterexample")
    if example and "against" not in text:
        point = ", ".join(f"{k} = {v}" for k, v in (example.get("point") or {}).items())
        entry = f"entry {tuple(example['entry'])}: " if example.get("entry") else ""
        text += f"\n  where it differs: {entry}{'at ' + point + ': ' if point else ''}{example.get('a')} (yours) against {example.get('b')}"
    if result.get("verdict") == "undecided":
        text += "\n  symwork could not decide; your lecturer will look at this answer."
    return text


def grade(root: Path, config: dict[str, Any]) -> dict[str, Any]:
    """The results.json object for the submission under ``root`` (Gradescope's /autograder)."""
    started = time.monotonic()
    problems = config["problems"]
    ids = [p["id"] for p in problems]
    text, name = read_submission(root / "submission")
    parsed = parse_answers(text, ids) if text is not None else Parsed(problems=[name])
    metadata_file = root / "submission_metadata.json"
    metadata = json.loads(metadata_file.read_text(encoding="utf-8")) if metadata_file.exists() else {}
    seed, whose = sheet_seed(config, parsed, metadata) if text is not None else (None, "")
    notes = [line for line in [whose, *parsed.problems] if line]
    tests = []
    for number, problem in enumerate(problems, start=1):
        points = float(problem.get("points", 1.0))
        found = parsed.answers.get(problem["id"])
        result: dict[str, Any] = {}
        if seed is None:
            output = "Not checked: " + (notes[0] if notes else "the answers file could not be read.")
        elif found is None:
            output = f"No answer: add a line '{problem['id']}: your answer' to {ANSWERS_FILE}."
        else:
            result = checker.check(
                problem["id"], found[1], seed=problem_seed(seed, problem["id"]), timeout=float(config["timeout"])
            )
            output = f"line {found[0]}: " + describe(result)
        passed = result.get("verdict") == "equal"
        tests.append(
            {
                "name": f"{number}. {problem['title']} ({problem['id']})",
                "number": str(number),
                "score": points if passed else 0.0,
                "max_score": points,
                "status": "passed" if passed else "failed",
                "output": output,
                "tags": [problem["id"], str(result.get("verdict") or "unanswered")],
                "visibility": config["visibility"],
                "extra_data": {"verdict": result.get("verdict"), "seed": seed},
            }
        )
        print(f"{problem['id']}: {result.get('verdict') or 'unanswered'}")
    return {
        "score": sum(t["score"] for t in tests),
        "execution_time": round(time.monotonic() - started, 3),
        "output": "\n".join(notes) if notes else "",
        "visibility": config["visibility"],
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def failed(message: str, config: dict[str, Any] | None) -> dict[str, Any]:
    """Results that say the autograder itself failed: no score is given for a check that did not run."""
    return {
        "score": 0.0,
        "output": f"The autograder failed ({message}); your lecturer can see the details. Your submission is kept.",
        "visibility": (config or {}).get("visibility", "visible"),
        "stdout_visibility": "hidden",
        "tests": [],
    }


def main(argv: list[str] | None = None) -> int:
    """Grade the submission under --root and write --root/results/results.json; always exits 0 when it wrote it."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    options.add_argument("--root", type=Path, default=Path("/autograder"))
    options.add_argument("--config", type=Path, default=Path(__file__).with_name("autograder.json"))
    args = options.parse_args(argv)
    config: dict[str, Any] | None = None
    try:
        config = json.loads(args.config.read_text(encoding="utf-8"))
        results = grade(args.root, config)
    except Exception as exc:  # noqa: BLE001 - whatever happens, Gradescope gets a results.json that says so
        traceback.print_exc()
        results = failed(f"{type(exc).__name__}: {exc}", config)
    print("symwork from", Path(checker.__file__).resolve().parent.parent)
    write_atomic(args.root / "results" / "results.json", json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
