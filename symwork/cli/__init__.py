"""The symwork command line: a thin shell over the library's public API (``symwork.cli:main``)."""

from __future__ import annotations

# Each module registers its commands on the group when imported.
from symwork.cli import answering, building, grading, library, serve
from symwork.cli.app import main

__all__ = ["answering", "building", "grading", "library", "main", "serve"]
