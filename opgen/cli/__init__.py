"""The command line: one module per command, `main.py` holding the parser and the one error boundary,
`output.py` everything printed to a terminal. Nothing outside this package imports it."""

from opgen.cli.main import main

__all__ = ["main"]
