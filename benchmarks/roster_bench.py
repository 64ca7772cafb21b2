"""Per-student builds: 100 roster PDFs against 100 bare latexmk runs over the same .tex files.

Usage: python benchmarks/roster_bench.py [--students 100] [--jobs 2]
A weekly sheet of five problems, one variant per student (issue 6).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from symwork.classroom.key import write_key  # noqa: E402
from symwork.classroom.roster import Student  # noqa: E402
from symwork.publish import build as builder  # noqa: E402
from symwork.publish import worksheets  # noqa: E402
from symwork.publish.jobs import Options, default_jobs, roster_jobs  # noqa: E402
from symwork.publish.latexmk import LATEXMK_FLAGS, latexmk_env  # noqa: E402

SHEET = worksheets.Worksheet(
    name="week3",
    title="Week 3: softmax, attention and cross-entropy",
    course="Mathematical Foundations for LLMs",
    ids=("softmax-jacobian", "cross-entropy-gradient", "logsumexp-hessian", "attention-scaling", "perplexity"),
    versions=("student",),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=0)
    args = parser.parse_args()
    students = [Student(f"s{n:04d}", f"Student {n}") for n in range(args.students)]
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "out"
        options = Options(out=out, jobs=args.jobs)
        start = time.perf_counter()
        jobs = roster_jobs(SHEET, students, options)
        write_key(SHEET, students, out)
        report = builder.build([SHEET], options, jobs_list=jobs)
        ours = time.perf_counter() - start
        assert not report.failed, report.failed[0].message
        bare = 0.0
        for tex in sorted(out.rglob("student.tex")):
            work = Path(scratch) / "bare"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            for file in tex.parent.iterdir():
                if file.suffix in {".tex", ".sty"} or file.name.startswith("fig-"):
                    shutil.copy(file, work / file.name)
            t0 = time.perf_counter()
            subprocess.run(["latexmk", *LATEXMK_FLAGS, "student.tex"], cwd=work, check=True, capture_output=True, env=latexmk_env())
            bare += time.perf_counter() - t0
    print(f"students:                              {args.students}")
    print(f"symwork build --roster (jobs {options.jobs or default_jobs()}):       {ours:7.2f} s  (incl. key.csv/json and rendering)")
    print(f"sum of {args.students} bare latexmk runs:          {bare:7.2f} s")
    print(f"  ratio:                               {ours / bare:7.2f}x")


if __name__ == "__main__":
    main()
