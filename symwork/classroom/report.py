"""The grade report: one CSV row per submission row, a summary per derivation, written safely for spreadsheets."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPORT_COLUMNS: tuple[str, ...] = ("id", "derivation", "seed", "status", "verdict", "feedback")
SUMMARY_COLUMNS: tuple[str, ...] = (
    "derivation", "rows", "correct", "incorrect", "undecided", "errors", "share_correct",
    "wrong_answer_1", "count_1", "wrong_answer_2", "count_2", "wrong_answer_3", "count_3",
)  # fmt: skip
#: How many of the most common wrong answers the summary lists per derivation.
COMMON_WRONG = 3

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


@dataclass(frozen=True)
class GradeReport:
    """The report rows (in input order), the per-derivation summary, the files written and the wall time."""

    rows: tuple[ReportRow, ...]
    summary: tuple[SummaryRow, ...]
    paths: tuple[Path, ...]
    elapsed_s: float = 0.0


def _cell(value: str, limit: int = 300) -> str:
    """A safe report cell: control characters escaped, long values cut, formulas defused for spreadsheets."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value.replace("\ufeff", ""))
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def summarise(rows: Sequence[ReportRow]) -> tuple[SummaryRow, ...]:
    """One SummaryRow per derivation, in order of derivation id."""
    groups: dict[str, list[ReportRow]] = {}
    for row in rows:
        groups.setdefault(row.derivation, []).append(row)
    summary = []
    for derivation in sorted(groups):
        members = groups[derivation]
        wrong = Counter(
            " ".join(r.answer.split())[:100] for r in members if r.status == "ok" and r.verdict == "incorrect"
        )
        common = tuple(sorted(wrong.items(), key=lambda item: (-item[1], item[0]))[:COMMON_WRONG])
        summary.append(
            SummaryRow(
                derivation=derivation,
                rows=len(members),
                correct=sum(r.verdict == "correct" for r in members),
                incorrect=sum(r.verdict == "incorrect" for r in members),
                undecided=sum(r.verdict == "undecided" for r in members),
                errors=sum(r.status != "ok" for r in members),
                common_wrong=common,
            )
        )
    return tuple(summary)


def _csv(rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()


def render_report(rows: Sequence[ReportRow]) -> str:
    """The report CSV: a header and one line per input row, in input order."""
    body = [[_cell(r.id), _cell(r.derivation), r.seed, r.status, r.verdict, _cell(r.feedback, 500)] for r in rows]
    return _csv([list(REPORT_COLUMNS), *body])


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
    return _csv(lines)


def summary_path(out: Path) -> Path:
    """Where the summary goes: ``report.csv`` → ``report-summary.csv``."""
    return out.with_name(f"{out.stem}-summary{out.suffix or '.csv'}")
