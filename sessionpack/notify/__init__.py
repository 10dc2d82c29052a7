"""Notices and their delivery, and hooks run after recorded events."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class CommandHooks:
    """``store.after_commit`` of a command: its ``hooks.HookRunner`` (one
    time budget for all its hooks), made when a commit first calls it, so a
    command that only reads never imports the hooks."""

    __slots__ = ("store", "enabled", "_runner")

    def __init__(self, store: Any, enabled: bool = True) -> None:
        self.store = store
        self.enabled = enabled
        self._runner: Any = None

    @property
    def runner(self) -> Any:
        if self._runner is None:
            from .hooks import HookRunner

            self._runner = HookRunner(self.store, enabled=self.enabled)
        return self._runner

    def __call__(self, root: str, events: list[dict[str, Any]]) -> list[str]:
        return self.runner(root, events)  # type: ignore[no-any-return]
