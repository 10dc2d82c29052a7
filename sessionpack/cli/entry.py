"""The ``sessionpack`` script (and ``python -m sessionpack``).

A hot command with a plain command line runs through the quick path
(``cli/fast.py``), which never imports Typer; anything else goes to the
Typer application (``cli/app.py``), which imports only the invoked
command's module.
"""

from __future__ import annotations

import sys


def main() -> None:
    import gc

    # The quick path's commands (one client's balance, a booking, a sale) make
    # few objects, hardly any of them cycles, and end within a tenth of a
    # second: the cyclic collector's runs over what their imports and views
    # made are pure cost to them (``fast.run`` also hides it all from the
    # collection the interpreter makes as it exits). A file of sales keeps
    # its own rule (``bulk_out``); Typer's commands get the collector back.
    gc.disable()
    from .streams import guard

    sys.stdout = guard(sys.stdout)  # output that cannot be written is one clear line (cli/streams.py)
    if sys.stdin is None:  # started with standard input closed: it reads as empty, as from /dev/null
        import os

        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - for the whole run
    from .fast import run

    run(sys.argv[1:])  # exits when it handled the command line
    gc.enable()
    from .app import run as run_typer

    run_typer()
