"""Notices and their delivery, and hooks run after recorded events."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# The moments a commit can make besides its events (``hooks``): their hooks
# are looked for after every commit.
MOMENTS = ("used-up", "low-balance")


def hook_exists(root: str, name: str) -> bool:
    """Whether ``hooks/NAME`` is a hook: an executable file."""
    path = os.path.join(root, "hooks", name)
    return os.path.isfile(path) and os.access(path, os.X_OK)


def present_hooks(root: str, events: list[dict[str, Any]]) -> set[str]:
    """The hooks a commit of ``events`` may run that exist."""
    if not os.path.isdir(os.path.join(root, "hooks")):
        return set()
    return {name for name in {e["type"] for e in events} | set(MOMENTS) if hook_exists(root, name)}


class CommandHooks:
    """``store.after_commit`` of a command: its ``hooks.HookRunner`` (one
    time budget for all its hooks), made when a commit has a hook to run, so
    a command that only reads, or records events no hook waits for, never
    imports the hooks."""

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
        if not self.enabled or not present_hooks(root, events):
            return []
        return self.runner(root, events)  # type: ignore[no-any-return]
