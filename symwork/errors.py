"""The one error hierarchy of symwork: bad input versus not supported, each with a CLI exit code."""

from __future__ import annotations


class SymworkError(Exception):
    """Base of every error symwork raises on purpose; its message is one sentence for a user."""

    exit_code = 2


class InputError(SymworkError):
    """The user gave something invalid: an unknown id, a missing array, a malformed file."""


class UnknownDerivationError(InputError):
    """No derivation has the requested id."""


class ShapeError(InputError):
    """An array given to a derivation has the wrong shape or is missing."""


class ParseError(InputError):
    """Text typed by a person could not be read as mathematics."""


class LimitError(InputError):
    """An input is too large or too deep to be handled safely."""


class LibraryError(SymworkError):
    """A derivation folder is broken: a duplicate id, a bad declaration, a module that fails to import."""


class NotSupportedError(SymworkError):
    """The input is valid but symwork cannot handle it (yet)."""

    exit_code = 3


class CheckError(SymworkError):
    """A verification could not be carried out."""


class TimeLimitError(CheckError):
    """A sandboxed check ran past its wall-clock limit; its worker was killed and replaced."""


class MemoryLimitError(CheckError):
    """A sandboxed check ran out of its memory allowance; its worker was replaced."""


class WorkerError(CheckError):
    """A sandbox worker died or raised an unexpected exception."""


class BuildError(SymworkError):
    """Rendering or compiling a worksheet failed."""

    exit_code = 1


def quote(value: object, limit: int = 80) -> str:
    r"""User text inside a message, in single quotes and as typed: '\frac{1}{' is shown with one backslash.

    ``repr`` would double every backslash of LaTeX; only characters that cannot be printed are escaped, and
    text longer than ``limit`` is cut with an ellipsis.
    """
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(value))
    return f"'{text if len(text) <= limit else text[: limit - 1] + '…'}'"
