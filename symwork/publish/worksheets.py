"""Worksheets: the built-in ones (one per topic plus the workbook), TOML files, and their problems."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from symwork.core import registry
from symwork.errors import InputError
from symwork.seeds import DEFAULT_COURSE

VERSIONS: tuple[str, ...] = ("student", "solutions", "key")
#: How a worksheet prints the natural logarithm (the printer's ``log_style``): ``\ln`` or ``\log``.
LOG_STYLES: tuple[str, ...] = ("ln", "log")
VERSION_LABELS: dict[str, str] = {"student": "Worksheet", "solutions": "Worked solutions", "key": "Answer key"}
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class Worksheet:
    """An ordered selection of derivations with a title and audience; ``ids=None`` means every derivation of ``topic``."""

    name: str
    title: str
    course: str = DEFAULT_COURSE
    instructions: str = ""
    ids: tuple[str, ...] | None = None
    topic: str | None = None
    versions: tuple[str, ...] = VERSIONS
    source: str = ""
    figures: bool = True
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    log_style: str = "ln"

    def derivation_ids(self) -> list[str]:
        if self.ids is not None:
            for item in self.ids:
                registry.get(item)  # unknown ids fail here, with a suggestion
            return list(self.ids)
        chosen = [d for d in registry.derivations() if self.topic is None or d.topic == self.topic]
        return [d.id for d in registry.in_course_order(chosen)]

    def order_warnings(self) -> list[str]:
        """Problems that use a result (``uses=``) which this worksheet derives only later, one sentence each."""
        ids = self.derivation_ids()
        position = {item: number for number, item in enumerate(ids, start=1)}
        warnings = []
        for number, item in enumerate(ids, start=1):
            for used in registry.get(item).uses:
                if position.get(used, 0) > number:
                    warnings.append(
                        f"{self.name}: problem {number} ({item!r}) uses {used!r}, which appears only later "
                        f"(problem {position[used]}); move {used!r} before it."
                    )
        return warnings


def builtin_worksheets() -> list[Worksheet]:
    """One worksheet per topic, in course order, then the whole workbook."""
    sheets = [
        Worksheet(
            name=topic.id,
            title=topic.title,
            topic=topic.id,
            instructions="Derive each result, justifying every step; then work the exercise.",
        )
        for topic in registry.topics()
    ]
    sheets.append(
        Worksheet(
            name="workbook",
            title="The mathematics of large language models: workbook",
            instructions="Every derivation of the course, in the order of the module.",
        )
    )
    return sheets


def _text(data: dict[str, Any], key: str, source: str, default: str = "") -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise InputError(f"{source}: {key!r} must be a string, got {value!r}.")
    return value


def load_toml(path: str | Path) -> Worksheet:
    """A worksheet from a TOML file: title, course, instructions, derivations (ordered ids), versions."""
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"Worksheet file {str(path)!r} does not exist.") from None
    except OSError as exc:  # a folder, no permission, a device: the user's file, not our bug
        raise InputError(f"Worksheet file {str(path)!r} cannot be read ({exc.strerror or exc}); check the path.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"Worksheet file {str(path)!r} is not valid TOML: {exc}.") from None
    source = str(file)
    known = {"name", "title", "course", "instructions", "derivations", "versions", "figures", "log_style"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(f"{source}: unknown key {unknown[0]!r}; use {', '.join(sorted(known))}.")
    ids = data.get("derivations")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise InputError(f"{source}: 'derivations' must be a non-empty list of derivation ids.")
    versions = data.get("versions", list(VERSIONS))
    if not isinstance(versions, list) or not set(versions) <= set(VERSIONS) or not versions:
        raise InputError(f"{source}: 'versions' must list some of {', '.join(VERSIONS)}; got {versions!r}.")
    name = _text(data, "name", source, file.stem)
    log_style = _text(data, "log_style", source, "ln")
    if log_style not in LOG_STYLES:
        raise InputError(f"{source}: log_style {log_style!r} must be one of {', '.join(LOG_STYLES)}.")
    if not NAME_PATTERN.match(name):
        raise InputError(f"{source}: name {name!r} must be letters, digits, '.', '_' or '-' (it names a folder).")
    return Worksheet(
        name=name,
        title=_text(data, "title", source, file.stem),
        course=_text(data, "course", source, DEFAULT_COURSE),
        instructions=_text(data, "instructions", source),
        ids=tuple(ids),
        versions=tuple(versions),
        source=source,
        figures=bool(data.get("figures", True)),
        log_style=log_style,
    )


def resolve(targets: Iterable[str]) -> list[Worksheet]:
    """Worksheets named on the command line: built-in names, TOML files; nothing means all built-in ones."""
    builtin = {sheet.name: sheet for sheet in builtin_worksheets()}
    chosen: list[Worksheet] = []
    for target in targets:
        if target in builtin:
            chosen.append(builtin[target])
        elif target.endswith(".toml"):
            chosen.append(load_toml(target))
        else:
            close = difflib.get_close_matches(target, list(builtin), n=1)
            hint = f"Did you mean {close[0]!r}? Or use" if close else "Use"
            raise InputError(f"Unknown worksheet {target!r}. {hint} one of {', '.join(builtin)} or a .toml file.")
    return chosen or list(builtin.values())


