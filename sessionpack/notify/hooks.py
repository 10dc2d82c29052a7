"""Hooks (rule 16 of docs/rules.md): ``hooks/EVENT-TYPE`` runs after that event is recorded.

The hook gets the event as one JSON object on stdin, runs in the data
directory with a 30 s limit, and its output is ignored. A missing or
non-executable file is no hook. A hook that fails or times out is reported
as a warning; the event stays recorded — a hook can never undo it.
"""

from __future__ import annotations

import json
import os
from typing import Any, Iterable

HOOK_TIMEOUT = 30


def run_hooks(root: str, events: Iterable[dict[str, Any]]) -> list[str]:
    """Run the hook of each event in order; return warnings for failures."""
    directory = os.path.join(root, "hooks")
    if not os.path.isdir(directory):
        return []
    warnings = []
    for event in events:
        path = os.path.join(directory, event["type"])
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            continue
        name = f"hooks/{event['type']}"
        import subprocess  # only when a hook exists: kept out of every command's start-up

        try:
            done = subprocess.run([path], input=json.dumps(event, sort_keys=True).encode("utf-8"), cwd=root,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=HOOK_TIMEOUT)
        except subprocess.TimeoutExpired:
            warnings.append(f"{name} took longer than {HOOK_TIMEOUT} s and was stopped; event {event['seq']} stays recorded")
            continue
        except OSError as err:
            warnings.append(f"{name} could not run ({err.strerror}); event {event['seq']} stays recorded")
            continue
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            detail = f": {said[-1]}" if said else ""
            warnings.append(f"{name} failed with exit {done.returncode}{detail}; event {event['seq']} stays recorded")
    return warnings
