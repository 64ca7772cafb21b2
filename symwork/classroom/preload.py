"""Imported once by the fork server of `symwork grade`: the derivation library, loaded before any worker starts.

Every sandbox worker is forked from the fork server, so each starts with the library in memory instead of
loading it again (about a second of CPU per worker, and per replacement of a worker killed at its limit).
The fork server starts with the command and loads this while the first rows are read.
"""

from __future__ import annotations

from symwork.core import registry

try:
    registry.derivations()
except Exception:  # noqa: BLE001 - a broken library must not stop the fork server; each check reports it
    pass
