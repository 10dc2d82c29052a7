"""Typer commands, thin: parse -> open store -> one domain call -> commit -> render."""
