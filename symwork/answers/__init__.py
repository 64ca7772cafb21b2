"""Typed answers: one checker for answers and hand derivations, its feedback, and the sandbox it runs in."""

from symwork.answers.checker import EXIT_CODES, check, equal, format_check, format_equal

__all__ = ["EXIT_CODES", "check", "equal", "format_check", "format_equal"]
