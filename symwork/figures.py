"""Figures for worksheets, drawn with matplotlib as vector PDF; a table maps derivation ids to drawers."""

from __future__ import annotations

from collections.abc import Callable

#: Derivation id → function returning PDF bytes. Filled where a picture says more than an equation.
DRAWERS: dict[str, Callable[[], bytes]] = {}


def draw(derivation_id: str) -> bytes | None:
    """The figure for a derivation as PDF bytes, or None when it has none or matplotlib is missing."""
    drawer = DRAWERS.get(derivation_id)
    if drawer is None:
        return None
    try:
        return drawer()
    except ImportError:
        return None
