"""Exact answers as numbers an LMS can compare: entries, decimal text, tolerances and accepted spellings.

The tolerance rule (one table, `TOLERANCES`): an integer must be typed exactly; any other value is
accepted within one unit of its fourth significant figure, so that an answer rounded *or* truncated to
four significant figures passes (the relative error stays below 10⁻³) and a slip such as a wrong sign,
a factor of 2 or a transposed entry, which changes the value by far more, does not.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import sympy as sp

from symwork.errors import NotSupportedError
from symwork.publish import printing

#: Significant figures a non-integer answer must be given to (the tolerance is one unit in the last).
SIGNIFICANT = 4
#: Significant figures of the decimal shown as "the" value of an approximate answer.
SHOWN = 12
_CONTEXT = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Entry:
    """One number of an answer: where it sits, its exact value, and how an LMS should accept it."""

    label: str  # LaTeX, e.g. J_{12} or c_{1}
    index: tuple[int, ...]  # 1-based position in the answer's shape; () for a scalar
    exact: Any  # a SymPy number
    kind: str  # a key of TOLERANCES
    value: str  # positional decimal text: exact for integers and terminating decimals, else SHOWN figures
    tolerance: str  # absolute, positional decimal text ("0" for an exact entry)
    spellings: tuple[str, ...]  # what a text-matching blank accepts (Canvas fill-in-multiple-blanks)
    choices: tuple[str, ...] = ()  # the words a word answer is chosen from (kind "word")

    @property
    def exact_tex(self) -> str:
        return rf"\text{{{self.exact}}}" if self.kind == "word" else printing.latex(self.exact)

    @property
    def low(self) -> str:
        return _text(Decimal(self.value) - Decimal(self.tolerance))

    @property
    def high(self) -> str:
        return _text(Decimal(self.value) + Decimal(self.tolerance))


@dataclass(frozen=True)
class Answer:
    """An exercise's answer as entries (row-major, or one per part), its shape, and how the key writes it."""

    entries: tuple[Entry, ...]
    shape: tuple[int, ...]
    label: str
    lines: tuple[str, ...]  # LaTeX, e.g. ("J = \\begin{pmatrix}…", ) or one line per part of the exercise
    listed: bool  # True when the entries are named quantities (a tuple label, parts) rather than a matrix's cells

    @property
    def scalar(self) -> bool:
        return self.shape == ()


def _text(value: Decimal) -> str:
    """Positional notation, no exponent, no trailing zeros: ``0.0001``, ``-2.5``, ``120``."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _high_precision(exact: Any) -> Decimal:
    return Decimal(str(sp.Float(sp.N(exact, 40), 40)), _CONTEXT)


def _significant(value: Decimal, figures: int, rounding: str) -> Decimal:
    if value == 0:
        return value
    exponent = value.adjusted() - figures + 1
    return value.quantize(Decimal(1).scaleb(exponent), rounding=rounding, context=_CONTEXT)


def _is_integer(exact: Any) -> bool:
    return bool(exact.is_Integer)


def _exact_decimal(exact: Any) -> Decimal | None:
    """The terminating decimal of a rational whose denominator has no prime factors but 2 and 5, else None."""
    if not exact.is_Rational:
        return None
    q = int(exact.q)
    while q % 2 == 0:
        q //= 2
    while q % 5 == 0:
        q //= 5
    if q != 1:
        return None
    return _CONTEXT.divide(Decimal(int(exact.p)), Decimal(int(exact.q)))


def _integer_rule(exact: Any) -> tuple[str, str, tuple[str, ...]]:
    text = str(int(exact))
    return text, "0", (text,)


def _approximate_rule(exact: Any) -> tuple[str, str, tuple[str, ...]]:
    terminating = _exact_decimal(exact)
    precise = terminating if terminating is not None else _high_precision(exact)
    shown = precise if terminating is not None else _significant(precise, SHOWN, decimal.ROUND_HALF_EVEN)
    tolerance = Decimal(1).scaleb(precise.adjusted() - SIGNIFICANT + 1)
    spellings: list[str] = []
    for rounding in (decimal.ROUND_HALF_UP, decimal.ROUND_DOWN):
        cut = _significant(precise, SIGNIFICANT, rounding)
        spellings += [format(cut, "f"), _text(cut)]
    if terminating is not None:
        spellings.append(_text(terminating))
    if exact.is_Rational:
        spellings.append(f"{int(exact.p)}/{int(exact.q)}")
    spellings += [s.replace("0.", ".", 1) for s in spellings if s.startswith(("0.", "-0."))]
    return _text(shown), _text(tolerance), tuple(dict.fromkeys(spellings))


#: Kind of exact value → (recognise, rule). The first kind that recognises a value decides its tolerance.
TOLERANCES: dict[str, tuple[Callable[[Any], bool], Callable[[Any], tuple[str, str, tuple[str, ...]]]]] = {
    "integer": (_is_integer, _integer_rule),
    "approximate": (lambda exact: True, _approximate_rule),
}


def entry(exact: Any, *, label: str = "", index: tuple[int, ...] = (), where: str = "answer") -> Entry:
    """One number, with the kind, value, tolerance and spellings of `TOLERANCES`. Raises NotSupportedError
    when ``exact`` is not a finite real number (an LMS compares numbers only)."""
    value = sp.nsimplify(exact) if isinstance(exact, float) else sp.sympify(exact)
    if not value.is_number or value.is_real is not True or value.is_finite is not True:
        raise NotSupportedError(
            f"The {where} {sp.sstr(value)!r} is not a finite real number; an LMS question compares numbers only, "
            "so leave this exercise out of the LMS export."
        )
    for kind, (recognises, rule) in TOLERANCES.items():
        if recognises(value):
            text, tolerance, spellings = rule(value)
            return Entry(label, index, value, kind, text, tolerance, spellings)
    raise AssertionError("the last kind of TOLERANCES recognises every value")


def split_label(label: str) -> list[str]:
    """The parts of a tuple label ``(a, b, c)`` split at its top-level commas; ``[label]`` when it is not one."""
    text = label.strip()
    if not (text.startswith("(") and text.endswith(")")):
        return [text]
    parts, depth, current = [], 0, ""
    for char in text[1:-1]:
        if char in "{([":
            depth += 1
        elif char in "})]":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        current += char
    parts.append(current.strip())
    return parts if depth == 0 and all(parts) else [text]


_SIMPLE_LABEL = re.compile(r"^(\\?[A-Za-z]+|\\bm\{\\?[A-Za-z]+\}|\\hat\{?\\?[A-Za-z]+\}?)(_\{?[A-Za-z0-9]+\}?)?$")


def _cell_label(label: str, index: tuple[int, ...]) -> str:
    base = label or "x"
    if not _SIMPLE_LABEL.match(base):
        base = rf"\left({base}\right)"
    elif "_" in base:  # a label with a subscript already: index it in parentheses
        base = rf"\left({base}\right)"
    joined = "".join(map(str, index)) if all(i < 10 for i in index) else ",".join(map(str, index))
    return f"{base}_{{{joined}}}"


def word_entry(word: str, choices: tuple[str, ...], *, label: str, index: tuple[int, ...]) -> Entry:
    """A word answer chosen from ``choices`` (an exercise part such as "dependent" / "independent")."""
    return Entry(label, index, word, "word", word, "0", (word,), tuple(choices) or (word,))


def _cells(value: Any) -> tuple[tuple[int, ...], list[tuple[tuple[int, ...], Any]]]:
    """The shape of a scalar, matrix or N-d array and its cells with 1-based positions (vectors: one index)."""
    if isinstance(value, sp.MatrixBase):
        shape = tuple(int(d) for d in value.shape)
        vector = 1 in shape
        return shape, [
            ((r + c + 1,) if vector else (r + 1, c + 1), value[r, c]) for r in range(shape[0]) for c in range(shape[1])
        ]
    if isinstance(value, sp.NDimArray):
        shape = tuple(int(d) for d in value.shape)
        return shape, [(tuple(i + 1 for i in position), value[position]) for position in _positions(shape)]
    return (), [((), value)]


def _value_entries(value: Any, label: str, where: str) -> tuple[tuple[int, ...], list[Entry], bool]:
    shape, cells = _cells(value)
    names = split_label(label)
    listed = len(cells) > 1 and len(names) == len(cells)
    entries = []
    for number, (index, cell) in enumerate(cells):
        if not cells[1:]:
            name = label or "x"
        elif listed:
            name = names[number]
        else:
            name = _cell_label(label, index)
        entries.append(entry(cell, label=name, index=index, where=where))
    return shape, entries, listed


def _parts(exercise: Any) -> tuple[Any, ...]:
    """The exercise's parts when it asks several things or a word; () when it asks for its one result."""
    parts = tuple(getattr(exercise, "parts", ()) or ())
    return parts if len(parts) > 1 or any(getattr(part, "words", ()) for part in parts) else ()


def answer(exercise: Any) -> Answer:
    """The exercise's exact answer (a SymPy scalar, matrix or N-d array, or one per part) as entries; see `entry`."""
    where = f"answer of {exercise.derivation_id!r} (seed {exercise.seed})"
    parts = _parts(exercise)
    if not parts:
        shape, entries, listed = _value_entries(exercise.answer, exercise.answer_label or "", where)
        label = exercise.answer_label
        line = (f"{label} = " if label else "") + printing.latex(exercise.answer)
        return Answer(tuple(entries), shape, label, (line,), listed)
    entries, lines = [], []
    for part in parts:
        name = part.name if isinstance(part.name, str) else printing.latex(part.name)
        name = name or rf"\text{{({part.label})}}"
        if part.words:
            entries.append(word_entry(str(part.answer), tuple(part.choices), label=name, index=(len(entries) + 1,)))
            lines.append(rf"{name}: \text{{{part.answer}}}")
            continue
        _, found, _ = _value_entries(part.answer, name, f"{where}, part ({part.label})")
        entries += [replace(e, index=(len(entries) + k + 1,)) for k, e in enumerate(found)]
        lines.append(f"{name} = {printing.latex(part.answer)}")
    return Answer(tuple(entries), (len(entries),), "", tuple(lines), True)


def _positions(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    positions: list[tuple[int, ...]] = [()]
    for size in shape:
        positions = [(*p, i) for p in positions for i in range(size)]
    return positions
