"""Typed answers: one checker for answers and hand derivations, its typed results and feedback, and the sandbox."""

from symwork.answers.checker import IN_PROCESS, check, equal, format_check, format_equal
from symwork.answers.result import EXIT_CODES, AnswerResult, AnswerVerdict, Comparison, Counterexample

__all__ = [
    "EXIT_CODES",
    "IN_PROCESS",
    "AnswerResult",
    "AnswerVerdict",
    "Comparison",
    "Counterexample",
    "check",
    "equal",
    "format_check",
    "format_equal",
]
