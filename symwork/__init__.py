"""symwork: the mathematics behind large language models as verified, printable derivations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public names and the module that defines each; imported on first use so that `symwork --help`
# does not pay for SymPy.
_EXPORTS: dict[str, str] = {
    "derivation": "registry",
    "derivations": "registry",
    "get": "registry",
    "add_library": "registry",
    "Body": "model",
    "Definition": "model",
    "Derivation": "model",
    "Exercise": "model",
    "Input": "model",
    "Instance": "model",
    "Step": "model",
    "Verdict": "model",
    "SymworkError": "errors",
    "compare": "compare",
    "exact_answer": "instances",
    "audit": "check",
    "parse_relation": "parse",
}

__all__ = sorted([*_EXPORTS, "parse", "__version__"])

if TYPE_CHECKING:
    from .check import audit
    from .compare import compare
    from .errors import SymworkError
    from .instances import exact_answer
    from .model import Body, Definition, Derivation, Exercise, Input, Instance, Step, Verdict
    from .registry import add_library, derivation, derivations, get


def __getattr__(name: str) -> Any:
    if name == "parse":
        # symwork.parse is both the parser package and, being callable, the function parse(text).
        import importlib

        return importlib.import_module(".parse", __name__)
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'symwork' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module_name}", __name__), name)
    globals()[name] = value
    return value
