"""Worksheets: the built-in ones (one per topic plus the workbook), TOML files, and their problems."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .model import TOPICS

VERSIONS: tuple[str, ...] = ("student", "solutions", "key")
VERSION_LABELS: dict[str, str] = {"student": "Worksheet", "solutions": "Worked solutions", "key": "Answer key"}
TOPIC_TITLES: dict[str, str] = {
    "linear-algebra": "Linear algebra for LLMs",
    "calculus": "Calculus and multivariate calculus for LLMs",
    "probability": "Probability and statistics for LLMs",
}
DEFAULT_COURSE = "Mathematical Foundations for LLMs"
#: The order of the course module's key concepts; derivations not listed follow, by id.
COURSE_ORDER: tuple[str, ...] = (
    "vector-projection", "linear-independence", "matrix-transformations", "characteristic-polynomial",
    "eigendecomposition", "power-iteration", "linear-layer-gradient", "lora-parameter-count", "svd-low-rank",
    "pca-covariance", "attention-scaling", "attention-jacobian-q", "attention-jacobian-k", "attention-jacobian-v",
    "linear-attention-complexity",
    "sigmoid-derivative", "tanh-derivative", "gelu-derivative", "quadratic-form-gradient", "gaussian-integral",
    "gaussian-moments", "chain-rule-mlp", "cross-entropy-gradient", "label-smoothing-gradient", "softmax-jacobian",
    "logsumexp-hessian", "quadratic-form-hessian", "layernorm-jacobian", "rmsnorm-jacobian",
    "gradient-descent-quadratic", "newton-method", "adam-bias-correction", "taylor-second-order",
    "bernoulli-categorical-moments", "gaussian-entropy", "bernoulli-mle", "gaussian-mle", "categorical-mle",
    "bayes-rule", "beta-bernoulli-update", "normal-normal-update", "dirichlet-smoothing",
    "bias-variance-decomposition", "hoeffding-sample-size", "cross-entropy-kl", "kl-gaussians",
    "mse-gaussian-likelihood", "softmax-temperature", "perplexity", "precision-recall-f1",
)
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

    def derivation_ids(self) -> list[str]:
        from . import registry

        if self.ids is not None:
            for item in self.ids:
                registry.get(item)  # unknown ids fail here, with a suggestion
            return list(self.ids)
        rank = {derivation_id: index for index, derivation_id in enumerate(COURSE_ORDER)}
        chosen = [d for d in registry.derivations() if self.topic is None or d.topic == self.topic]
        topics = {topic: index for index, topic in enumerate(TOPICS)}
        chosen.sort(key=lambda d: (topics[d.topic], rank.get(d.id, len(rank)), d.id))
        return [d.id for d in chosen]


def builtin_worksheets() -> list[Worksheet]:
    """One worksheet per topic, in course order, then the whole workbook."""
    sheets = [
        Worksheet(
            name=topic,
            title=TOPIC_TITLES[topic],
            topic=topic,
            instructions="Derive each result, justifying every step; then work the exercise.",
        )
        for topic in TOPICS
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
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"Worksheet file {str(path)!r} is not valid TOML: {exc}.") from None
    source = str(file)
    known = {"name", "title", "course", "instructions", "derivations", "versions", "figures"}
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
            raise InputError(
                f"Unknown worksheet {target!r}; use one of {', '.join(builtin)} or a .toml file."
            )
    return chosen or list(builtin.values())


def student_seed(course: str, student_id: str) -> int:
    """The variant seed of one student: derived from the course and the id, so a re-run gives the same sheet."""
    return _seed_from(f"{course}\x1f{student_id}")


@dataclass(frozen=True)
class Student:
    """One roster row: id and name (printed, escaped) plus any other columns."""

    id: str
    name: str
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def slug(self) -> str:
        """A folder name for the student: the id where it is safe, else a slug plus a short hash."""
        if NAME_PATTERN.match(self.id):
            return self.id
        cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", self.id).strip("-.")[:40] or "student"
        return f"{cleaned}-{hashlib.sha256(self.id.encode()).hexdigest()[:8]}"


def load_roster(path: str | Path) -> list[Student]:
    """Students from a CSV with columns ``id`` and ``name`` (others kept); errors name the row."""
    import csv

    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"Roster {str(path)!r} does not exist.") from None
    except UnicodeDecodeError:
        raise InputError(f"Roster {str(path)!r} is not UTF-8 text; save it as UTF-8 CSV.") from None
    reader = csv.DictReader(text.replace("\x00", "").splitlines())
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "id" not in fields or "name" not in fields:
        raise InputError(f"Roster {str(path)!r} needs the columns 'id' and 'name'; it has {reader.fieldnames!r}.")
    students: list[Student] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):
        clean = {(k or "").strip().lower(): (v if isinstance(v, str) else "").strip() for k, v in row.items()}
        if not clean.get("id"):
            raise InputError(f"Roster {str(path)!r} line {number}: the id is empty.")
        if clean["id"] in seen:
            raise InputError(f"Roster {str(path)!r} line {number}: id {clean['id']!r} already appears on line {seen[clean['id']]}.")
        seen[clean["id"]] = number
        extra = tuple(sorted((k, v) for k, v in clean.items() if k not in {"id", "name"}))
        students.append(Student(clean["id"], clean.get("name", ""), extra))
    if not students:
        raise InputError(f"Roster {str(path)!r} has no students.")
    return students


def problem_seed(seed: int, derivation_id: str) -> int:
    """The exercise seed for one problem: stable across runs and machines, different per problem."""
    return _seed_from(f"{seed}:{derivation_id}")


def _seed_from(text: str) -> int:
    # SHA-256 rather than hash(): the same on every machine and in every run.
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
