"""``python -m sessionpack``: the ``sessionpack`` script (see ``cli/entry.py``)."""

from sessionpack.cli.entry import main

main()
