"""Typed results of checking answers: the verdict, the counterexample, the result, and their one JSON form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

#: Exit codes of `symwork equal` and `symwork check`, by verdict (the CLI's and the README's table).
EXIT_CODES: dict[str, int] = {"equal": 0, "different": 1, "undecided": 3, "error": 2}


class AnswerVerdict(StrEnum):
    """What a check decided: the three verdicts of a comparison, plus "error" for input that cannot be checked."""

    EQUAL = "equal"
    DIFFERENT = "different"
    UNDECIDED = "undecided"
    ERROR = "error"


@dataclass(frozen=True)
class Counterexample:
    """Where two answers disagree: the point (name → value), both values, and the entry or free indices."""

    point: Mapping[str, Any]
    a: Any
    b: Any
    entry: tuple[int, ...] | None = None
    index: Mapping[str, int] | None = None
    #: The sizes of an instantiated matrix or index-form check (n = 3), empty for scalars.
    sizes: Mapping[str, int] | None = None

    @classmethod
    def from_compare(cls, raw: Mapping[str, Any] | None) -> Counterexample | None:
        """From the counterexample of a `Verdict` (keys point, lhs, rhs, entry, index, sizes)."""
        if not raw:
            return None
        entry = tuple(raw["entry"]) if "entry" in raw else None
        return cls(
            dict(raw.get("point", {})),
            raw.get("lhs"),
            raw.get("rhs"),
            entry,
            dict(raw["index"]) if raw.get("index") else None,
            dict(raw["sizes"]) if raw.get("sizes") else None,
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Counterexample:
        """From the JSON form written by `to_json`."""
        entry = tuple(data["entry"]) if "entry" in data else None
        return cls(
            dict(data.get("point", {})), data.get("a"), data.get("b"), entry, data.get("index") or None, data.get("sizes") or None
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"point": dict(self.point), "a": self.a, "b": self.b}
        if self.entry is not None:
            out["entry"] = list(self.entry)
        if self.index:
            out["index"] = dict(self.index)
        if self.sizes:
            out["sizes"] = dict(self.sizes)
        return out


@dataclass(frozen=True)
class Comparison:
    """The result of comparing two typed expressions (`symwork equal`)."""

    verdict: AnswerVerdict
    method: str | None = None
    counterexample: Counterexample | None = None
    error: str | None = None
    detail: str = ""
    #: How the text was read where that was a choice ("read ab as a·b").
    notes: tuple[str, ...] = ()

    @classmethod
    def from_verdict(cls, verdict: Any) -> Comparison:
        """From the comparison engine's `Verdict`."""
        return cls(
            AnswerVerdict(str(verdict.status)),
            verdict.method,
            Counterexample.from_compare(verdict.counterexample),
            detail=verdict.detail,
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON of ``symwork equal --json`` (without the timing, which the caller adds)."""
        return {
            "verdict": self.verdict.value,
            "method": self.method,
            "counterexample": self.counterexample.to_json() if self.counterexample else None,
            "error": self.error,
            "detail": self.detail,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class AnswerResult(Comparison):
    """The result of checking an answer against a derivation (`symwork check`): a comparison plus feedback."""

    expected_shape: str | None = None
    feedback: str = ""

    @classmethod
    def of(cls, comparison: Comparison, *, feedback: str, expected_shape: str | None = None) -> AnswerResult:
        """A comparison with the words for a student and the shape the answer should have."""
        return cls(
            comparison.verdict,
            comparison.method,
            comparison.counterexample,
            comparison.error,
            comparison.detail,
            comparison.notes,
            expected_shape=expected_shape,
            feedback=feedback,
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON of ``symwork check --json``: the keys of `Comparison.to_json`, then expected_shape and feedback."""
        return {**super().to_json(), "expected_shape": self.expected_shape, "feedback": self.feedback}
