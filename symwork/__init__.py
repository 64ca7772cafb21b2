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
    "exact_answer": "instances",
    "audit": "check",
    "parse_relation": "parse",
}

_CALLABLE_MODULES = ("compare", "parse")

__all__ = sorted([*_EXPORTS, *_CALLABLE_MODULES, "__version__"])

if TYPE_CHECKING:
    from .check import audit
    from .compare import compare
    from .errors import SymworkError
    from .instances import exact_answer
    from .model import Body, Definition, Derivation, Exercise, Input, Instance, Step, Verdict
    from .registry import add_library, derivation, derivations, get


def __getattr__(name: str) -> Any:
    if name in _CALLABLE_MODULES:
        # symwork.parse and symwork.compare are modules (importing them makes them attributes of this
        # package) that are also callable as the functions parse(text) and compare(a, b).
        import importlib

        return importlib.import_module(f".{name}", __name__)
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'symwork' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module_name}", __name__), name)
    globals()[name] = value
    return value
