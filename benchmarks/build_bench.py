"""Build performance in one run: cold build vs bare latexmk, --jobs 2 vs --jobs 1, and rebuilds with nothing to do.

Usage: python benchmarks/build_bench.py [--worksheets calculus probability ...]
Goals (issue 4): cold full build ≤ 1.3 × the sum of bare latexmk runs over the same .tex files;
--jobs 2 ≥ 1.6 × faster than --jobs 1; a no-change rebuild ≤ 0.5 s.
The no-change rebuild is timed three ways: the whole CLI in a new process (mostly loading the library),
build() alone in this process (the cache's own cost), and the CLI when every quick key misses, as after
an edit that changes no rendered byte (everything is rendered again, nothing goes to TeX).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from symwork.publish import build as builder  # noqa: E402
from symwork.publish import worksheets  # noqa: E402
from symwork.publish.cache import CACHE_FILE  # noqa: E402
from symwork.publish.latexmk import LATEXMK_FLAGS, latexmk_env  # noqa: E402


def timed(function) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def bare_latexmk(out: Path) -> float:
    """Sum of plain latexmk runs over the .tex files a build wrote, each in a fresh folder."""
    total = 0.0
    for tex in sorted(out.rglob("*.tex")):
        with tempfile.TemporaryDirectory() as scratch:
            work = Path(scratch)
            for file in tex.parent.iterdir():
                if file.suffix in {".tex", ".sty", ".pdf"} and file.name != f"{tex.stem}.pdf":
                    shutil.copy(file, work / file.name)
            start = time.perf_counter()
            subprocess.run(
                ["latexmk", *LATEXMK_FLAGS, tex.name], cwd=work, check=True, capture_output=True, env=latexmk_env()
            )
            total += time.perf_counter() - start
    return total


def forget_quick_keys(out: Path) -> None:
    """Make every job take the slow path once: render, compare render keys, and (if unchanged) run no TeX."""
    cache = out / CACHE_FILE
    data = json.loads(cache.read_text())
    for entry in data["jobs"].values():
        entry["quick"] = ""
    cache.write_text(json.dumps(data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worksheets", nargs="*", default=[])
    args = parser.parse_args()
    sheets = worksheets.resolve(args.worksheets)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        cold = timed(lambda: builder.build(sheets, builder.Options(out=root / "cold")))
        bare = bare_latexmk(root / "cold")
        # Same process, rendering memoised: the two runs differ only in how many TeX runs overlap.
        one = statistics.median(timed(lambda: builder.build(sheets, builder.Options(out=root / "j1", jobs=1, force=True))) for _ in range(2))
        two = statistics.median(timed(lambda: builder.build(sheets, builder.Options(out=root / "j2", jobs=2, force=True))) for _ in range(2))
        command = [sys.executable, "-m", "symwork", "build", "--out", str(root / "cold"), *args.worksheets]
        nochange = statistics.median(timed(lambda: subprocess.run(command, check=True, capture_output=True)) for _ in range(5))
        in_process = statistics.median(timed(lambda: builder.build(sheets, builder.Options(out=root / "cold"))) for _ in range(5))

        def rerender() -> None:
            forget_quick_keys(root / "cold")
            subprocess.run(command, check=True, capture_output=True)

        rendered = statistics.median(timed(rerender) for _ in range(3))
        statuses = {o.status for o in builder.build(sheets, builder.Options(out=root / "cold")).outcomes}
        assert statuses == {"cached"}, statuses
        jobs = len([p for p in (root / "cold").rglob("*.pdf") if not p.name.startswith("fig-")])
    print(f"PDFs per build:                         {jobs}")
    print(f"cold full build (--jobs default):       {cold:6.2f} s")
    print(f"sum of bare latexmk runs:               {bare:6.2f} s")
    print(f"  ratio cold / bare:                    {cold / bare:6.2f}x   (goal <= 1.3)")
    print(f"--jobs 1 (warm, forced):                {one:6.2f} s")
    print(f"--jobs 2 (warm, forced):                {two:6.2f} s")
    print(f"  speed-up jobs 2 vs 1:                 {one / two:6.2f}x   (goal >= 1.6)")
    print(f"no-change rebuild (new process, CLI):   {nochange:6.2f} s   (goal <= 0.5)")
    print(f"  of which build() (cache checks):      {in_process:6.3f} s")
    print(f"rebuild after a no-output edit (CLI):   {rendered:6.2f} s   (renders everything, runs no TeX)")


if __name__ == "__main__":
    main()
