"""``python -m sessionpack``: the ``sessionpack`` script (imports only the invoked command's module)."""

from sessionpack.cli.app import main

main()
