"""The ``@derivation`` decorator and the registry: discovering derivation folders and looking up ids."""

from __future__ import annotations

import importlib
import inspect
import os
import sys
import threading
import types
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import LibraryError, UnknownDerivationError
from .model import ID_PATTERN, TOPICS, Body, Derivation, Exercise, Input

#: Environment variable naming extra derivation folders, separated like PATH.
LIBRARY_ENV = "SYMWORK_LIBRARY"

_REGISTRY: dict[str, Derivation] = {}
_LOADED_FOLDERS: list[Path] = []
_EXTRA_FOLDERS: list[Path] = []
_LOCK = threading.RLock()
_loaded_builtin = False


def derivation(
    *,
    id: str,  # noqa: A002 - "id" is the public name of the field
    title: str,
    topic: str,
    question: str,
    inputs: Iterable[Input],
    sizes: Mapping[str, Iterable[int]] | None = None,
    reference: Callable[..., Any] | None = None,
    forward: Callable[..., Any] | None = None,
    wrt: str | None = None,
    elementwise: bool = False,
    sampler: Callable[..., dict[str, Any]] | None = None,
    exercise: Callable[..., Exercise] | None = None,
    evaluator: Callable[..., Any] | None = None,
    tags: Iterable[str] = (),
) -> Callable[[Callable[..., Body]], Derivation]:
    """Register a SymPy function as a derivation.

    The function receives the sizes named in the inputs' shapes (SymPy symbols for the general
    derivation, integers for an instance) and returns a ``Body``. ``reference`` is an independent
    numpy computation of the result; ``forward`` with ``wrt`` names the function whose derivative the
    result is, so that checks can use finite differences and autodiff.
    """

    def register(build: Callable[..., Body]) -> Derivation:
        source = inspect.getsourcefile(build) or "<unknown>"
        if not ID_PATTERN.match(id):
            raise LibraryError(f"Derivation id {id!r} in {source} is not kebab-case; use e.g. 'softmax-jacobian'.")
        if topic not in TOPICS:
            raise LibraryError(f"Derivation {id!r} in {source} has topic {topic!r}; use one of {', '.join(TOPICS)}.")
        if forward is not None and wrt is None:
            raise LibraryError(f"Derivation {id!r} in {source} gives forward= without wrt=; name the input.")
        item = Derivation(
            id=id,
            title=title,
            topic=topic,
            question=question,
            inputs=tuple(inputs),
            build=build,
            sizes={name: tuple(values) for name, values in (sizes or {}).items()},
            source=str(Path(source).resolve()) if source != "<unknown>" else source,
            reference=reference,
            forward=forward,
            wrt=wrt,
            elementwise=elementwise,
            sampler=sampler,
            exercise=exercise,
            evaluator=evaluator,
            tags=tuple(tags),
        )
        _add(item)
        return item

    return register


def _add(item: Derivation) -> None:
    with _LOCK:
        previous = _REGISTRY.get(item.id)
        if previous is not None and previous.source != item.source:
            raise LibraryError(
                f"Derivation id {item.id!r} is defined twice, in {previous.source} and in {item.source}; rename one."
            )
        _REGISTRY[item.id] = item


def builtin_folder() -> Path:
    """The built-in derivations: ``symwork/library`` in a wheel, ``derivations/`` in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "library", here.parent / "derivations"):
        if candidate.is_dir():
            return candidate
    raise LibraryError("The built-in derivations are missing from this installation; reinstall symwork.")


def _package_name(folder: Path) -> str:
    # A stable synthetic package per folder lets derivation modules use relative imports.
    digest = abs(hash(str(folder))) % 10**12
    return f"symwork_library_{digest}"


def load_folder(folder: str | os.PathLike[str]) -> list[str]:
    """Import every derivation module under ``folder``; return the ids it registered."""
    path = Path(folder).expanduser().resolve()
    if not path.is_dir():
        raise LibraryError(f"Derivation folder {str(folder)!r} does not exist; check --library or {LIBRARY_ENV}.")
    with _LOCK:
        if path in _LOADED_FOLDERS:
            return []
        before = set(_REGISTRY)
        name = _package_name(path)
        package = types.ModuleType(name)
        package.__path__ = [str(path)]
        sys.modules[name] = package
        for file in sorted(path.rglob("*.py")):
            relative = file.relative_to(path).with_suffix("")
            if any(part.startswith(("_", ".")) for part in relative.parts):
                continue
            module = ".".join((name, *relative.parts))
            try:
                importlib.import_module(module)
            except LibraryError:
                raise
            except Exception as exc:  # a broken user module must name itself, not crash the CLI
                raise LibraryError(f"Derivation module {str(file)!r} failed to load: {exc}.") from exc
        _LOADED_FOLDERS.append(path)
        return sorted(set(_REGISTRY) - before)


def add_library(folder: str | os.PathLike[str]) -> list[str]:
    """Add an extra derivation folder (what ``--library DIR`` does) and load it."""
    _ensure_loaded()
    _EXTRA_FOLDERS.append(Path(folder))
    return load_folder(folder)


def library_folders() -> list[Path]:
    """Every derivation folder in use, without loading any: built-in, SYMWORK_LIBRARY, --library."""
    folders = [builtin_folder()]
    folders += [Path(p.strip()) for p in os.environ.get(LIBRARY_ENV, "").split(os.pathsep) if p.strip()]
    return folders + list(_EXTRA_FOLDERS)


def _ensure_loaded() -> None:
    global _loaded_builtin
    with _LOCK:
        if _loaded_builtin:
            return
        _loaded_builtin = True
        for folder in library_folders():
            load_folder(folder)


def derivations() -> list[Derivation]:
    """Every registered derivation, ordered by topic (as in the course module) then id."""
    _ensure_loaded()
    order = {topic: index for index, topic in enumerate(TOPICS)}
    return sorted(_REGISTRY.values(), key=lambda item: (order[item.topic], item.id))


def get(id: str) -> Derivation:  # noqa: A002
    """The derivation with this id; raises UnknownDerivationError naming close matches."""
    _ensure_loaded()
    try:
        return _REGISTRY[id]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(str(id), list(_REGISTRY), n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else " Run 'symwork list' to see the ids."
        raise UnknownDerivationError(f"No derivation has the id {id!r}.{hint}") from None
