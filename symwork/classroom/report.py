"""The grade report: one CSV row per submission row, a summary per derivation, written safely for spreadsheets.

The summary is kept as a running tally, so a class of any size is summarised in bounded memory.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO

from symwork.files import csv_text, unsafe_cell, write_csv_rows

REPORT_COLUMNS: tuple[str, ...] = ("id", "derivation", "seed", "status", "verdict", "feedback")
SUMMARY_COLUMNS: tuple[str, ...] = (
    "derivation", "rows", "correct", "incorrect", "undecided", "errors", "share_correct",
    "wrong_answer_1", "count_1", "wrong_answer_2", "count_2", "wrong_answer_3", "count_3",
)  # fmt: skip
#: How many of the most common wrong answers the summary lists per derivation.
COMMON_WRONG = 3
#: Distinct wrong answers counted exactly per derivation; past it the counts are Misra-Gries estimates.
MAX_DISTINCT_WRONG = 2_000
#: Derivations given their own summary line; rows naming further ones (a hostile file) share one line.
MAX_GROUPS = 2_000
OTHER_GROUP = "(other derivations)"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class ReportRow:
    """One line of the report."""

    id: str
    derivation: str
    seed: str
    status: str
    verdict: str
    feedback: str
    answer: str = ""  # not written to the report; used by the summary


@dataclass(frozen=True)
class SummaryRow:
    """One derivation's line of the summary: counts, and the most common wrong answers with their counts."""

    derivation: str
    rows: int
    correct: int
    incorrect: int
    undecided: int
    errors: int
    common_wrong: tuple[tuple[str, int], ...]

    @property
    def share_correct(self) -> float:
        return self.correct / self.rows if self.rows else 0.0


class ReportRows(Collection[ReportRow]):
    """The rows of a written report, read back from the file on each iteration (a class may not fit in memory)."""

    def __init__(self, path: Path, count: int) -> None:
        self.path, self.count = Path(path), count

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[ReportRow]:
        with self.path.open(encoding="utf-8", newline="") as stream:
            reader = csv.reader(stream)
            next(reader, None)
            for cells in reader:
                yield ReportRow(*(unsafe_cell(cell) for cell in cells[: len(REPORT_COLUMNS)]))

    def __contains__(self, item: object) -> bool:
        return any(row == item for row in self)


@dataclass(frozen=True)
class GradeReport:
    """A finished grading run: the report's rows (read back from ``paths[0]``), the summary, the files, the time."""

    rows: Collection[ReportRow]
    summary: tuple[SummaryRow, ...]
    paths: tuple[Path, ...]
    elapsed_s: float = 0.0
    statuses: Mapping[str, int] = field(default_factory=dict)
    verdicts: Mapping[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


@lru_cache(maxsize=1 << 16)
def _cell(value: str, limit: int = 300) -> str:
    """A report cell: control characters escaped, long values cut (formulas are defused when written)."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value.replace("\ufeff", ""))
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Group:
    """The running counts of one derivation."""

    __slots__ = ("rows", "correct", "incorrect", "undecided", "errors", "wrong", "estimated")

    def __init__(self) -> None:
        self.rows = self.correct = self.incorrect = self.undecided = self.errors = 0
        self.wrong: dict[str, int] = {}
        self.estimated = False

    def add_wrong(self, answer: str) -> None:
        if answer in self.wrong or len(self.wrong) < MAX_DISTINCT_WRONG:
            self.wrong[answer] = self.wrong.get(answer, 0) + 1
            return
        # Misra-Gries: a new answer with a full table lowers every count by one, so memory stays bounded
        # and an answer given by more than 1/MAX_DISTINCT_WRONG of the rows is never lost.
        self.estimated = True
        self.wrong = {text: count - 1 for text, count in self.wrong.items() if count > 1}


class Tally:
    """The summary of a report built row by row: per derivation counts, statuses and verdicts."""

    def __init__(self) -> None:
        self.groups: dict[str, _Group] = {}
        self.statuses: Counter[str] = Counter()
        self.verdicts: Counter[str] = Counter()
        self.count = 0

    def add(self, row: ReportRow) -> None:
        self.count += 1
        self.statuses[row.status] += 1
        self.verdicts[row.verdict] += 1
        name = row.derivation
        group = self.groups.get(name)
        if group is None:
            if len(self.groups) >= MAX_GROUPS:
                name = OTHER_GROUP
            group = self.groups.setdefault(name, _Group())
        group.rows += 1
        group.correct += row.verdict == "correct"
        group.incorrect += row.verdict == "incorrect"
        group.undecided += row.verdict == "undecided"
        group.errors += row.status != "ok"
        if row.status == "ok" and row.verdict == "incorrect":
            group.add_wrong(" ".join(row.answer.split())[:100])

    def summary(self) -> tuple[SummaryRow, ...]:
        """One SummaryRow per derivation, in order of derivation id."""
        rows = []
        for name in sorted(self.groups):
            group = self.groups[name]
            common = tuple(sorted(group.wrong.items(), key=lambda item: (-item[1], item[0]))[:COMMON_WRONG])
            rows.append(
                SummaryRow(name, group.rows, group.correct, group.incorrect, group.undecided, group.errors, common)
            )
        return tuple(rows)

    def notes(self) -> tuple[str, ...]:
        """What the summary could not count exactly."""
        estimated = sorted(name for name, group in self.groups.items() if group.estimated)
        if not estimated:
            return ()
        return (
            f"More than {MAX_DISTINCT_WRONG:,} different wrong answers to {', '.join(estimated[:3])}"
            f"{' …' if len(estimated) > 3 else ''}: the summary's counts of common wrong answers are estimates.",
        )


def summarise(rows: Sequence[ReportRow]) -> tuple[SummaryRow, ...]:
    """One SummaryRow per derivation, in order of derivation id."""
    tally = Tally()
    for row in rows:
        tally.add(row)
    return tally.summary()


def report_cells(row: ReportRow) -> list[str]:
    """The report line of a row (cells are made spreadsheet-safe when written)."""
    return [_cell(row.id), _cell(row.derivation), row.seed, row.status, row.verdict, _cell(row.feedback, 500)]


def write_report_header(stream: IO[str]) -> None:
    write_csv_rows(stream, [REPORT_COLUMNS])


def write_report_rows(stream: IO[str], rows: Sequence[ReportRow]) -> None:
    write_csv_rows(stream, [report_cells(row) for row in rows])


def render_report(rows: Sequence[ReportRow]) -> str:
    """The report CSV: a header and one line per input row, in input order."""
    return csv_text([list(REPORT_COLUMNS), *(report_cells(r) for r in rows)])


def render_summary(summary: Sequence[SummaryRow]) -> str:
    """The summary CSV: one line per derivation, share correct and the three most common wrong answers."""
    lines: list[list[str]] = [list(SUMMARY_COLUMNS)]
    for item in summary:
        wrong: list[str] = []
        for k in range(COMMON_WRONG):
            text, count = item.common_wrong[k] if k < len(item.common_wrong) else ("", 0)
            wrong += [_cell(text), str(count) if text else ""]
        lines.append(
            [_cell(item.derivation), str(item.rows), str(item.correct), str(item.incorrect), str(item.undecided),
             str(item.errors), f"{item.share_correct:.3f}", *wrong]
        )  # fmt: skip
    return csv_text(lines)


def summary_path(out: Path) -> Path:
    """Where the summary goes: ``report.csv`` → ``report-summary.csv``."""
    return out.with_name(f"{out.stem}-summary{out.suffix or '.csv'}")
