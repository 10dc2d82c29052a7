"""Pure rules and records: standard library and dateutil only.

Nothing here touches files, the terminal, Typer or Rich.
"""
