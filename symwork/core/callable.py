"""Makes a module callable as one of its functions: ``symwork.parse(text)`` and ``symwork.compare(a, b)``."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any


def make_callable(module_name: str, function_name: str) -> None:
    """Calling the module ``module_name`` calls its function ``function_name``.

    Importing a submodule makes it an attribute of its package, shadowing a function of the same
    name; a callable module keeps ``package.name(...)`` working whatever the import order.
    """

    def call(self: types.ModuleType, *args: Any, **kwargs: Any) -> Any:
        function: Callable[..., Any] = getattr(self, function_name)
        return function(*args, **kwargs)

    module = sys.modules[module_name]
    module.__class__ = type(f"Callable{function_name.title()}Module", (types.ModuleType,), {"__call__": call})
