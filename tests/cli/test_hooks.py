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
    assert result.stderr == "warning: hooks/client-added failed with exit 4: mail server down; event 4 stays recorded\n"
    assert practice("client", "show", "leo").exit_code == 0


def test_a_hook_killed_by_a_signal_says_so(practice) -> None:  # type: ignore[no-untyped-def]
    _hook(practice, "client-added", 'echo "out of memory" >&2\nkill -9 $$\n')
    result = practice("client", "add", "leo", "--name", "Leo Lima")
    assert result.exit_code == 0
    assert result.stderr == "warning: hooks/client-added was killed by signal 9 (SIGKILL): out of memory; event 4 stays recorded\n"


def test_a_file_that_is_not_executable_is_no_hook(practice) -> None:
    path = practice.data_dir / "hooks" / "client-added"
    path.write_text("#!/bin/sh\nexit 1\n")
    os.chmod(path, 0o600)
    result = practice("client", "add", "leo", "--name", "Leo Lima")
    assert (result.exit_code, result.stderr) == (0, "")


# ---------------------------------------------------------------- issue 11: bounded hooks, new moments, package state

import shutil  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from cli_util import ok  # noqa: E402
from notify_util import FakeSendmail, set_settings  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def _python_hook(practice, name: str, body: str) -> None:  # type: ignore[no-untyped-def]
    path = practice.data_dir / "hooks" / name
    path.write_text(f"#!{sys.executable}\nimport json, os, sys\n" + body)
    path.chmod(stat.S_IRWXU)


def _record_payloads(practice, *names: str) -> None:  # type: ignore[no-untyped-def]
    for name in names:
        _python_hook(practice, name, """
with open(os.path.join(os.environ["SESSIONPACK_DATA_DIR"], "payloads.jsonl"), "a") as out:
    out.write(sys.stdin.read().strip() + "\\n")
""")


def _payloads(practice) -> list[dict]:  # type: ignore[no-untyped-def]
    path = practice.data_dir / "payloads.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def two(practice):  # type: ignore[no-untyped-def]
    ok(practice("package", "create", "two", "--name", "2 massages", "--service", "massage=2", "--price", "150"))
    ok(practice("sell", "ana", "two"))
    return practice


def test_a_hook_gets_only_a_minimal_documented_environment(practice) -> None:  # type: ignore[no-untyped-def]
    _python_hook(practice, "client-added", """
json.dump(dict(os.environ), open(os.path.join(os.getcwd(), "env.json"), "w"))
""")
    ok(practice("client", "add", "leo", "--name", "Leo Lima"))
    env = json.loads((practice.data_dir / "env.json").read_text())
    assert sorted(env) == ["HOME", "LANG", "PATH", "SESSIONPACK_DATA_DIR", "SESSIONPACK_EVENT", "SESSIONPACK_NOW", "TZ"]
    assert (env["SESSIONPACK_EVENT"], env["SESSIONPACK_DATA_DIR"], env["SESSIONPACK_NOW"], env["TZ"]) == (
        "client-added", str(practice.data_dir), "2026-11-20T09:00:00+00:00", "Europe/Lisbon")
    assert os.path.dirname(sys.executable) in env["PATH"].split(os.pathsep)


def test_no_hooks_runs_none(practice) -> None:  # type: ignore[no-untyped-def]
    _hook(practice, "client-added", 'touch "$PWD/ran"\n')
    ok(practice("--no-hooks", "client", "add", "leo", "--name", "Leo Lima"))
    assert not (practice.data_dir / "ran").exists()
    ok(practice("client", "add", "mia", "--name", "Mia Lima"))
    assert (practice.data_dir / "ran").exists()


def test_used_up_fires_once_on_the_last_attendance_not_on_booking_and_again_after_a_correction(two) -> None:  # type: ignore[no-untyped-def]
    _record_payloads(two, "used-up")
    ok(two("book", "ana", "massage", "2026-11-23T10:00"))
    ok(two("book", "ana", "massage", "2026-11-24T10:00"))  # the last unit booked: not used up yet
    ok(two("attend", "ana.b1", now="2026-11-23T12:00"))
    assert _payloads(two) == []
    ok(two("attend", "ana.b2", now="2026-11-24T12:00"))
    [first] = _payloads(two)
    assert {k: first[k] for k in ("type", "client_package", "booking", "cause", "clients")} == {
        "type": "used-up", "client_package": "ana.p1", "booking": "ana.b2", "cause": "attended", "clients": ["ana"]}
    state = first["package_state"]
    assert {k: state[k] for k in ("status", "remaining", "scheduled", "free", "used", "total", "expires", "n_of_N")} == {
        "status": "used up", "remaining": {"massage": 0}, "scheduled": {"massage": 0}, "free": {"massage": 0},
        "used": {"massage": 2}, "total": {"massage": 2}, "expires": None, "n_of_N": "2 of 2"}
    ok(two("adjust", "ana.p1", "--sessions", "+1", "--reason", "goodwill", now="2026-11-25T09:00"))
    ok(two("book", "ana", "massage", "2026-11-26T10:00", now="2026-11-25T09:00"))
    assert len(_payloads(two)) == 1
    ok(two("attend", "ana.b3", now="2026-11-26T12:00"))
    assert [(p["booking"], p["package_state"]["n_of_N"]) for p in _payloads(two)] == [("ana.b2", "2 of 2"), ("ana.b3", "3 of 3")]


def test_low_balance_fires_when_a_booking_leaves_the_balance_at_its_limit(practice) -> None:  # type: ignore[no-untyped-def]
    ok(practice("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400"))
    ok(practice("sell", "ana", "five"))
    _record_payloads(practice, "low-balance", "booked")
    for day in range(21, 25):
        ok(practice("book", "ana", "massage", f"2026-11-{day}T10:00"))
    payloads = _payloads(practice)
    assert [p["type"] for p in payloads] == ["booked", "booked", "booked", "booked", "low-balance"]
    low = payloads[-1]
    assert (low["item"], low["free"], low["limit"], low["cause"], low["seq"]) == ("massage", 1, 1, "booked", payloads[-2]["seq"])
    assert [p["package_state"]["free"]["massage"] for p in payloads[:4]] == [4, 3, 2, 1]
    assert payloads[0]["package_state"]["n_of_N"] == "0 of 5"


def test_a_series_gives_each_event_its_own_package_state(practice) -> None:  # type: ignore[no-untyped-def]
    ok(practice("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400"))
    ok(practice("sell", "ana", "five"))
    _record_payloads(practice, "booked")
    ok(practice("book", "ana", "massage", "2026-11-23T10:00", "--repeat", "weekly", "--count", "3"))
    assert [p["package_state"]["scheduled"]["massage"] for p in _payloads(practice)] == [1, 2, 3]


def test_one_time_budget_for_all_the_hooks_of_a_command(practice) -> None:  # type: ignore[no-untyped-def]
    ok(practice("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400"))
    ok(practice("sell", "ana", "five"))
    set_settings(practice.data_dir, hooks={"time_budget": 1})
    _hook(practice, "booked", "sleep 1000\n")
    result = practice("book", "ana", "massage", "2026-11-23T10:00", "--repeat", "weekly", "--count", "5")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "warning: hooks/booked was stopped when this command's hook time budget of 1 s ran out ([hooks] time_budget in settings.toml); "
        "event 6 stays recorded",
        "warning: hooks not run because this command's hook time budget of 1 s ([hooks] time_budget in settings.toml) was used up: "
        "booked (event 7), booked (event 8), booked (event 9) and 1 more; the events stay recorded"]


def _gone(pid: int) -> bool:
    """The process no longer runs (a zombie waiting for its reaper counts as gone)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                state = handle.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="checks processes through /proc (Linux)")
@pytest.mark.parametrize("ending", ["exit 0", "sleep 1000"], ids=["exits, leaving a child", "hangs"])
def test_a_hook_whose_child_holds_stdout_neither_blocks_the_command_nor_outlives_it(practice, ending: str) -> None:  # type: ignore[no-untyped-def]
    set_settings(practice.data_dir, hooks={"time_budget": 2})
    _hook(practice, "client-added", f'sleep 1000 &\necho $! > "$PWD/child.pid"\necho "started" \necho "started" >&2\n{ending}\n')
    result = practice.proc("client", "add", "leo", "--name", "Leo Lima", timeout=60)  # a wait for the child's end would time out
    assert result.returncode == 0
    if ending == "exit 0":
        assert result.stderr == ""
    else:
        assert result.stderr == ("warning: hooks/client-added was stopped when this command's hook time budget of 2 s ran out "
                                 "([hooks] time_budget in settings.toml); event 4 stays recorded\n")
    assert _gone(int((practice.data_dir / "child.pid").read_text()))


def test_notify_runs_the_expiring_hook_with_the_package_state(practice) -> None:  # type: ignore[no-untyped-def]
    ok(practice("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400", "--expires", "1 month"))
    ok(practice("sell", "ana", "five"))
    set_settings(practice.data_dir, delivery={"method": "jsonl"})
    _record_payloads(practice, "expiring", "notice-sent")
    assert practice("notify", "--quiet", now="2026-12-14T09:00").exit_code == 0
    expiring, sent = _payloads(practice)
    assert {k: expiring[k] for k in ("type", "client_package", "key", "last_day", "days", "days_left")} == {
        "type": "expiring", "client_package": "ana.p1", "key": "expiring:ana.p1:2026-12-20:7d", "last_day": "2026-12-20", "days": 7, "days_left": 6}
    assert expiring["package_state"]["free"] == {"massage": 5}
    assert (sent["type"], sent["key"], sent["package_state"]["status"]) == ("notice-sent", "expiring:ana.p1:2026-12-20:7d", "active")


def test_the_offboarding_example_hook_tags_the_client_and_sends_the_email(two, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    hook = two.data_dir / "hooks" / "used-up"
    shutil.copy(REPO / "examples" / "hooks" / "used-up", hook)
    hook.chmod(stat.S_IRWXU)
    fake = FakeSendmail(tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "sendmail").symlink_to(fake.program)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    ok(two("book", "ana", "massage", "2026-11-23T10:00"))
    ok(two("book", "ana", "massage", "2026-11-24T10:00"))
    ok(two("attend", "ana.b1", now="2026-11-23T12:00"))
    assert fake.calls() == []
    result = two("attend", "ana.b2", now="2026-11-24T12:00")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(ok(two("client", "show", "ana", "--format", "json")))["tags"] == ["offboarded"]
    [(argv, message)] = fake.calls()
    assert argv == ["-i", "--", "ana@example.com"]
    assert (message["To"], message["Subject"]) == ("Ana Lima <ana@example.com>", "Thank you: 2 massages complete")
    assert "You have now attended all 2 sessions of 2 massages." in message.get_content()
    history = json.loads(ok(two("history", "ana", "--format", "json")))
    assert (history[-1]["actor"], history[-1]["what"]) == ("offboarding hook", "client details changed: tags")


def test_hooks_after_an_undo_see_the_package_states_the_undo_left(practice) -> None:  # type: ignore[no-untyped-def]
    """A client whose history holds an undo: the hooks of a later command
    fold that history again as the view does (a payment after an undone
    edit was recorded, then reported as an internal error, exit 70)."""
    ok(practice("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400"))
    ok(practice("sell", "ana", "five", "--paid", "0"))
    ok(practice("book", "ana", "massage", "2026-11-23T10:00"))
    ok(practice("client", "edit", "ana", "--phone", "+351 900 000 000"))
    ok(practice("undo", "--last", "--reason", "wrong phone", "--yes"))
    booked = next(r["id"] for r in json.loads(ok(practice("log", "--format", "json"))) if r["what"].startswith("booked"))
    ok(practice("undo", booked, "--reason", "not booked", "--yes"))  # the booking: its session is free again
    _record_payloads(practice, "paid", "booked")
    ok(practice("pay", "ana.p1", "100"))
    ok(practice("book", "ana", "massage", "2026-11-24T10:00"))
    payloads = _payloads(practice)
    assert [p["type"] for p in payloads] == ["paid", "booked"]
    assert payloads[0]["package_state"]["free"]["massage"] == 5  # the undone booking draws nothing
    assert payloads[1]["package_state"]["free"]["massage"] == 4 and payloads[1]["package_state"]["n_of_N"] == "0 of 5"


def test_a_hook_runner_that_fails_leaves_the_command_recorded_with_a_warning(practice, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Whatever goes wrong while the hooks run after a commit, the command's
    events are recorded: a warning says so, and the command exits 0 (never
    70, which a script would take for nothing recorded)."""
    from sessionpack.notify import hooks

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyError("ana.p9")

    ok(practice("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400"))
    ok(practice("sell", "ana", "five", "--paid", "0"))
    _record_payloads(practice, "paid")
    monkeypatch.setattr(hooks.HookRunner, "_payloads", broken)
    monkeypatch.delenv("SESSIONPACK_DEBUG", raising=False)
    result = practice("pay", "ana.p1", "100")
    assert result.exit_code == 0
    assert result.stderr == ("warning: the hooks of this command could not run (internal error: KeyError); event 6 stays "
                             "recorded. Run again with SESSIONPACK_DEBUG=1 to see the details, and report it\n")
    assert json.loads(ok(practice("balance", "ana", "--format", "json")))[0]["paid"] == "100.00"
