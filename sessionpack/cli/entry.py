"""The ``sessionpack`` script (and ``python -m sessionpack``).

A hot command with a plain command line runs through the quick path
(``cli/fast.py``), which never imports Typer; anything else goes to the
Typer application (``cli/app.py``), which imports only the invoked
command's module.
"""

from __future__ import annotations

import sys


def main() -> None:
    from .fast import run

    run(sys.argv[1:])  # exits when it handled the command line
    from .app import run as run_typer

    run_typer()
