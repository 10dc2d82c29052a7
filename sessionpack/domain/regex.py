"""Regular expressions compiled the first time they are used.

A module of rules declares its patterns once, at the top, as
``NAME = pattern(r"...")``; compiling them all on import would cost every
command a few milliseconds for patterns most commands never use (the
expiry rules, the address checks of notices, the everyday dates). The
object stands for the compiled pattern: ``NAME.match(...)``,
``NAME.fullmatch``, ``NAME.search``, ``NAME.sub``, ``NAME.pattern`` and
the rest are the compiled pattern's own.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class LazyPattern:
    __slots__ = ("source", "flags", "_compiled")

    def __init__(self, source: str, flags: int = 0) -> None:
        self.source = source
        self.flags = flags
        self._compiled: Any = None

    def compiled(self) -> Any:
        if self._compiled is None:
            import re

            self._compiled = re.compile(self.source, self.flags)
        return self._compiled

    def __getattr__(self, name: str) -> Any:
        return getattr(self.compiled(), name)

    def __repr__(self) -> str:
        return f"pattern({self.source!r})"


def pattern(source: str, flags: int = 0) -> Any:
    """A pattern compiled when first used (see the module's docstring)."""
    return LazyPattern(source, flags)
