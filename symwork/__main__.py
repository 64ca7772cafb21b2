"""``python -m symwork`` runs the command line."""

from .cli import main

main()
