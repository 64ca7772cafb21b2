"""``python -m symwork`` runs the command line."""

from symwork.cli import main

main()
