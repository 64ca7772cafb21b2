"""Variant seeds: one per student from the course and the id, one per problem from that and the derivation."""

from __future__ import annotations

import hashlib

#: The course whose name derives the seeds when a worksheet or command names no other.
DEFAULT_COURSE = "Mathematical Foundations for LLMs"


def student_seed(course: str, student_id: str) -> int:
    """The variant seed of one student: derived from the course and the id, so a re-run gives the same sheet."""
    return _seed_from(f"{course}\x1f{student_id}")


def problem_seed(seed: int, derivation_id: str) -> int:
    """The exercise seed for one problem: stable across runs and machines, different per problem."""
    return _seed_from(f"{seed}:{derivation_id}")


def _seed_from(text: str) -> int:
    # SHA-256 rather than hash(): the same on every machine and in every run.
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
