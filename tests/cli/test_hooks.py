"""Hooks run after an event is recorded, with the event as JSON on stdin."""

from __future__ import annotations

import json
import os
import stat


def _hook(practice, name: str, body: str) -> None:  # type: ignore[no-untyped-def]
    path = practice.data_dir / "hooks" / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(stat.S_IRWXU)


def test_hook_gets_the_event_on_stdin(practice) -> None:
    _hook(practice, "client-added", 'cat > "$PWD/hook-input.json"\n')
    result = practice("client", "add", "leo", "--name", "Leo Lima")
    assert (result.exit_code, result.stderr) == (0, "")
    event = json.loads((practice.data_dir / "hook-input.json").read_text())
    assert (event["type"], event["client"]["id"], event["actor"]) == ("client-added", "leo", "tester")


def test_failing_hook_is_reported_and_never_undoes_the_event(practice) -> None:
    _hook(practice, "client-added", 'echo "mail server down" >&2\nexit 4\n')
    result = practice("client", "add", "leo", "--name", "Leo Lima")
    assert result.exit_code == 0
    assert result.stderr == "warning: hooks/client-added failed with exit 4: mail server down; event 2 stays recorded\n"
    assert practice("client", "show", "leo").exit_code == 0


def test_a_file_that_is_not_executable_is_no_hook(practice) -> None:
    path = practice.data_dir / "hooks" / "client-added"
    path.write_text("#!/bin/sh\nexit 1\n")
    os.chmod(path, 0o600)
    result = practice("client", "add", "leo", "--name", "Leo Lima")
    assert (result.exit_code, result.stderr) == (0, "")
