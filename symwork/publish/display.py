"""How a derivation shows itself in Jupyter: registers the LaTeX and Markdown displays with the model."""

from __future__ import annotations

from symwork.core.derivation import DISPLAY
from symwork.publish.exporting import markdown_body
from symwork.publish.printing import derivation_display

DISPLAY["latex"] = derivation_display
DISPLAY["markdown"] = lambda derivation: "\n".join(markdown_body(derivation))
