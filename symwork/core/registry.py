"""The ``@derivation`` decorator and the registry: discovering derivation folders, their topics, and looking up ids."""

from __future__ import annotations

import contextlib
import difflib
import importlib
import inspect
import os
import sys
import threading
import tomllib
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from symwork.core.spec import ID_PATTERN
from symwork.errors import LibraryError, UnknownDerivationError

if TYPE_CHECKING:
    from symwork.core.derivation import Derivation
    from symwork.core.spec import Body, Exercise, Input

#: Environment variable naming extra derivation folders, separated like PATH.
LIBRARY_ENV = "SYMWORK_LIBRARY"

#: The file in a derivation folder that names its topic, titles it and orders its derivations.
TOPIC_FILE = "topic.toml"


@dataclass(frozen=True)
class Topic:
    """A section of the course: read from a folder's ``topic.toml`` (id, title, order, derivations)."""

    id: str
    title: str
    order: float
    derivations: tuple[str, ...]
    source: str


_REGISTRY: dict[str, Derivation] = {}
_TOPICS: dict[str, Topic] = {}
_LOADED_FOLDERS: list[Path] = []
_EXTRA_FOLDERS: list[Path] = []
#: Modules that failed to load, as messages; the rest of their folder still loads.
_LOAD_ERRORS: list[str] = []
#: Folders whose topics are read and whose package exists (possibly before their modules are all loaded).
_PREPARED: list[Path] = []
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
    figure: Callable[[], bytes] | None = None,
    tags: Iterable[str] = (),
    uses: Iterable[str] = (),
) -> Callable[[Callable[..., Body]], Derivation]:
    """Register a SymPy function as a derivation.

    The function receives the sizes named in the inputs' shapes (SymPy symbols for the general
    derivation, integers for an instance) and returns a ``Body``. The hooks follow two conventions:
    numeric hooks take the inputs by name (``reference(**inputs)`` is an independent numpy computation
    of the result, ``forward(**inputs)`` with ``wrt`` the function whose derivative it is,
    ``evaluator(**inputs)`` the result where it has no closed form); random hooks take a numpy
    Generator first (``sampler(rng, **sizes)`` draws a point, ``exercise(rng)`` returns an Exercise
    with prompt and values, whose answer the engine computes). ``figure()`` returns PDF bytes.
    """

    def register(build: Callable[..., Body]) -> Derivation:
        # Imported here, not at the top: the CLI reads the registry's folders without loading SymPy (start-up).
        from symwork.core.derivation import Derivation

        source = inspect.getsourcefile(build) or "<unknown>"
        if not ID_PATTERN.match(id):
            raise LibraryError(f"Derivation id {id!r} in {source} is not kebab-case; use e.g. 'softmax-jacobian'.")
        if topic not in _TOPICS:
            raise LibraryError(
                f"Derivation {id!r} in {source} has topic {topic!r}; use one of {', '.join(_TOPICS) or 'none'}, "
                f"or add a {TOPIC_FILE} for it to the folder."
            )
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
            figure=figure,
            tags=tuple(tags),
            uses=tuple(uses),
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
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "library", here.parent / "derivations"):
        if candidate.is_dir():
            return candidate
    raise LibraryError("The built-in derivations are missing from this installation; reinstall symwork.")


def _package_name(folder: Path) -> str:
    # A stable synthetic package per folder lets derivation modules use relative imports.
    digest = abs(hash(str(folder))) % 10**12
    return f"symwork_library_{digest}"


def _prepare(path: Path) -> str:
    """Read the folder's topic files and make its synthetic package (once); return the package's name."""
    name = _package_name(path)
    if path not in _PREPARED:
        for file in sorted(path.rglob(TOPIC_FILE)):
            _add_topic(_read_topic(file))
        package = types.ModuleType(name)
        package.__path__ = [str(path)]
        sys.modules[name] = package
        _PREPARED.append(path)
    return name


def _modules(path: Path, pattern: str = "*.py") -> Iterator[tuple[Path, tuple[str, ...]]]:
    """The derivation modules under ``path`` matching ``pattern``: (file, module path parts), private ones left out."""
    for file in sorted(path.rglob(pattern)):
        relative = file.relative_to(path).with_suffix("")
        if not any(part.startswith(("_", ".")) for part in relative.parts):
            yield file, relative.parts


def _import(name: str, file: Path, parts: tuple[str, ...]) -> str | None:
    """Import one derivation module; the reason it failed, or None."""
    try:
        importlib.import_module(".".join((name, *parts)))
    except LibraryError as exc:
        return str(exc)
    except Exception as exc:  # a broken user module must name itself, not crash the CLI
        return f"Derivation module {str(file)!r} failed to load: {exc}."
    return None


def _raise_failures(failures: list[str]) -> None:
    if failures:
        more = f" ({len(failures) - 1} more module(s) failed too)" if len(failures) > 1 else ""
        raise LibraryError(failures[0] + more)


def check_folder(folder: str | os.PathLike[str]) -> Path:
    """The folder, resolved; raises LibraryError if it is not a folder."""
    path = Path(folder).expanduser().resolve()
    if not path.is_dir():
        raise LibraryError(f"Derivation folder {str(folder)!r} does not exist; check --library or {LIBRARY_ENV}.")
    return path


def load_folder(folder: str | os.PathLike[str]) -> list[str]:
    """Import every derivation module under ``folder``; return the ids it registered.

    A module that fails to import does not stop the others: they are all loaded, then a LibraryError
    names the broken ones (and `load_errors` keeps them), so one broken derivation fails only itself.
    """
    path = check_folder(folder)
    with _LOCK:
        if path in _LOADED_FOLDERS:
            return []
        before = set(_REGISTRY)
        name = _prepare(path)
        failures = [f for file, parts in _modules(path) if (f := _import(name, file, parts)) is not None]
        _LOADED_FOLDERS.append(path)
        _LOAD_ERRORS.extend(failures)
        _raise_failures(failures)
        return sorted(set(_REGISTRY) - before)


def _load_one(derivation_id: str) -> Derivation | None:
    """Load only the module named after ``derivation_id`` (``softmax-jacobian`` → ``softmax_jacobian.py``).

    One command on one derivation (`symwork check`) then costs one module, not the library: the modules of
    that name in every folder are imported (so an id defined twice under that name is still caught), and an
    id found nowhere by its name falls back to loading everything.
    """
    with _LOCK:
        failures: list[str] = []
        for folder in library_folders():
            path = check_folder(folder)
            if path in _LOADED_FOLDERS:
                continue
            name = _prepare(path)
            for file, parts in _modules(path, derivation_id.replace("-", "_") + ".py"):
                if (failure := _import(name, file, parts)) is not None:
                    failures.append(failure)
        _raise_failures(failures)
        return _REGISTRY.get(derivation_id)


def load_errors() -> list[str]:
    """Why each derivation module that failed to load did fail (empty when every module loaded)."""
    _ensure_loaded(strict=False)
    return list(_LOAD_ERRORS)


def _read_topic(file: Path) -> Topic:
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LibraryError(f"Topic file {str(file)!r} cannot be read: {exc}; fix the TOML.") from exc
    topic_id, title, order = data.get("id"), data.get("title"), data.get("order", 100)
    listed = data.get("derivations", [])
    if not isinstance(topic_id, str) or not ID_PATTERN.match(topic_id):
        raise LibraryError(f"Topic file {str(file)!r} needs id = \"kebab-case-name\"; got {topic_id!r}.")
    if not isinstance(title, str) or not title.strip():
        raise LibraryError(f"Topic file {str(file)!r} needs a title string; got {title!r}.")
    if not isinstance(order, (int, float)) or not isinstance(listed, list) or not all(isinstance(i, str) for i in listed):
        raise LibraryError(f"Topic file {str(file)!r}: order must be a number and derivations a list of ids.")
    return Topic(topic_id, title, float(order), tuple(listed), str(file))


def _add_topic(topic: Topic) -> None:
    previous = _TOPICS.get(topic.id)
    if previous is not None and previous.source != topic.source:
        raise LibraryError(f"Topic {topic.id!r} is defined twice, in {previous.source} and in {topic.source}; rename one.")
    _TOPICS[topic.id] = topic


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


def _ensure_loaded(*, strict: bool = True) -> None:
    global _loaded_builtin
    with _LOCK:
        if not _loaded_builtin:
            _loaded_builtin = True
            for folder in library_folders():
                try:
                    load_folder(folder)  # every folder loads; the errors are raised below
                except LibraryError as exc:  # a missing folder is an error too, not a silent empty library
                    if str(exc) not in _LOAD_ERRORS:
                        _LOAD_ERRORS.append(str(exc))
        if strict:
            _raise_failures(_LOAD_ERRORS)


def topics() -> list[Topic]:
    """Every topic of the loaded folders, in course order (``order`` in topic.toml, then id)."""
    _ensure_loaded()
    return sorted(_TOPICS.values(), key=lambda topic: (topic.order, topic.id))


def topic(topic_id: str) -> Topic:
    """The topic with this id; raises UnknownDerivationError listing the known ones."""
    _ensure_loaded()
    try:
        return _TOPICS[topic_id]
    except KeyError:
        known = ", ".join(t.id for t in topics())
        raise UnknownDerivationError(f"No topic has the id {topic_id!r}; use one of {known}.") from None


def _course_position(item: Derivation) -> tuple[float, str, int, str]:
    owner = _TOPICS[item.topic]
    rank = owner.derivations.index(item.id) if item.id in owner.derivations else len(owner.derivations)
    return owner.order, owner.id, rank, item.id


def derivations(*, strict: bool = True) -> list[Derivation]:
    """Every registered derivation, by topic (in course order), then by id.

    ``strict=False`` lists those that loaded even when some module failed (see `load_errors`).
    """
    _ensure_loaded(strict=strict)
    return sorted(_REGISTRY.values(), key=lambda item: (*_course_position(item)[:2], item.id))


def in_course_order(items: Iterable[Derivation]) -> list[Derivation]:
    """Derivations in the order of the course: by topic, then as each topic.toml lists them, then by id."""
    _ensure_loaded()
    return sorted(items, key=_course_position)


@contextlib.contextmanager
def isolated() -> Iterator[None]:
    """Derivations, topics and folders loaded inside the block are forgotten after it (for tests and tools)."""
    _ensure_loaded(strict=False)
    with _LOCK:
        saved = (
            dict(_REGISTRY), dict(_TOPICS), list(_LOADED_FOLDERS), list(_EXTRA_FOLDERS), list(_LOAD_ERRORS), list(_PREPARED)
        )
    # `--library` also exports its folders in SYMWORK_LIBRARY (for sandbox and TeX children): forget that too,
    # or every process started later would load folders that no longer belong to the run.
    environment = os.environ.get(LIBRARY_ENV)
    try:
        yield
    finally:
        if environment is None:
            os.environ.pop(LIBRARY_ENV, None)
        else:
            os.environ[LIBRARY_ENV] = environment
        with _LOCK:
            _REGISTRY.clear()
            _REGISTRY.update(saved[0])
            _TOPICS.clear()
            _TOPICS.update(saved[1])
            _LOADED_FOLDERS[:] = saved[2]
            _EXTRA_FOLDERS[:] = saved[3]
            _LOAD_ERRORS[:] = saved[4]
            _PREPARED[:] = saved[5]


def get(id: str) -> Derivation:  # noqa: A002
    """The derivation with this id; raises UnknownDerivationError naming close matches.

    Before the library is loaded, only the module named after the id is imported (see `_load_one`).
    """
    with _LOCK:
        found = _REGISTRY.get(id) if _loaded_builtin else _load_one(str(id))
    if found is not None:
        return found
    _ensure_loaded()
    try:
        return _REGISTRY[id]
    except KeyError:

        close = difflib.get_close_matches(str(id), list(_REGISTRY), n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else " Run 'symwork list' to see the ids."
        raise UnknownDerivationError(f"No derivation has the id {id!r}.{hint}") from None
