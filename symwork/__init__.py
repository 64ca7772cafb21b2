"""symwork: the mathematics behind large language models as verified, printable derivations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public names and the module that defines each; imported on first use so that `symwork --help`
# does not pay for SymPy.
_EXPORTS: dict[str, str] = {
    "derivation": "core.registry",
    "derivations": "core.registry",
    "get": "core.registry",
    "add_library": "core.registry",
    "topics": "core.registry",
    "Body": "core.spec",
    "Definition": "core.spec",
    "Exercise": "core.spec",
    "Part": "core.spec",
    "Input": "core.spec",
    "Instance": "core.spec",
    "Step": "core.spec",
    "Verdict": "core.spec",
    "Status": "core.spec",
    "Derivation": "core.derivation",
    "SymworkError": "errors",
    "exact_answer": "core.instances",
    "parse_relation": "parse",
}

#: Modules that are also callable as their main function: symwork.parse(text), symwork.compare(a, b),
#: symwork.audit(derivation).
_CALLABLE_MODULES = ("compare", "parse", "audit")

__all__ = sorted([*_EXPORTS, *_CALLABLE_MODULES, "__version__"])

if TYPE_CHECKING:
    from symwork.audit import audit
    from symwork.compare import compare
    from symwork.core.derivation import Derivation
    from symwork.core.instances import exact_answer
    from symwork.core.registry import add_library, derivation, derivations, get, topics
    from symwork.core.spec import Body, Definition, Exercise, Input, Instance, Part, Status, Step, Verdict
    from symwork.errors import SymworkError
    from symwork.parse import parse, parse_relation


def __getattr__(name: str) -> Any:
    # Imported on first use: `symwork --help` must not pay for SymPy.
    import importlib

    if name in _CALLABLE_MODULES:
        # Importing a submodule makes it an attribute of this package; these modules are callable too.
        return importlib.import_module(f".{name}", __name__)
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'symwork' has no attribute {name!r}")
    module = importlib.import_module(f".{module_name}", __name__)
    if module_name == "core.registry":
        # A derivation shows itself in Jupyter through the publishing layer's printers.
        importlib.import_module(".publish.display", __name__)
    value = getattr(module, name)
    globals()[name] = value
    return value
