"""Imported once by the fork server of `symwork serve`: the checker, the printer and the library, loaded warm.

Every sandbox worker is forked from the fork server, so a worker that replaces one killed at its limit
starts with all of this in memory (in about 20 ms) instead of loading the library again (about a second
of CPU, on a machine whose cores are busy checking answers).
"""

from __future__ import annotations

from symwork.errors import SymworkError
from symwork.web import tasks

try:
    tasks.warm()
except SymworkError:
    pass  # a broken --library folder: each check reports it, as it would without this warm start
