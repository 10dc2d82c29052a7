"""client add --csv: all or nothing, safe to re-run, conflicts refused (issue 12 items 4, 5, 7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_util import events, ok, ok_json, dry_ok, dry_ok_json
from test_sell_csv import refused, tree_hash, write

CLIENTS = ("id,name,email,phone,tags,notes\n"
           "bruno,Bruno Costa,bruno@example.com,+351 912 000 111,runner vip,\n"
           ",Carla Mendes,carla@example.com,,,\"Prefers mornings, not Mondays\"\n"
           ",Carla Mendes,carla.m@example.com,,,\n"
           "ana,Ana Lima,ana@example.com,,,\n")


def test_clients_are_added_in_one_commit_and_a_rerun_is_unchanged(practice, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, CLIENTS, "clients.csv")
    before = len(events(data_dir))
    added = practice("client", "add", "--csv", path, "--format", "json")
    assert (added.exit_code, added.stderr) == (0, f"warning: {path}:4: carla-mendes already has the name 'Carla Mendes'; "
                                                  "is carla-mendes-2 the same person? (--force adds without this warning)\n")
    rows = json.loads(added.stdout)
    assert rows == [
        {"line": 2, "id": "bruno", "status": "created", "name": "Bruno Costa"},
        {"line": 3, "id": "carla-mendes", "status": "created", "name": "Carla Mendes"},
        {"line": 4, "id": "carla-mendes-2", "status": "created", "name": "Carla Mendes"},
        {"line": 5, "id": "ana", "status": "unchanged", "name": "Ana Lima"},
    ]
    new = events(data_dir)[before:]
    assert [e["type"] for e in new] == ["client-added"] * 3
    assert [e.get("more") for e in new] == [True, True, None]
    assert new[0]["client"] == {"id": "bruno", "name": "Bruno Costa", "email": "bruno@example.com", "phone": "+351 912 000 111",
                                "notes": "", "tags": ["runner", "vip"]}
    assert new[1]["client"]["notes"] == "Prefers mornings, not Mondays"
    snapshot = tree_hash(data_dir)
    assert ok(practice("client", "add", "--csv", path)) == (
        f"From {path}: 0 created, 4 unchanged\n"
        "line  id              status     name\n"
        "2     bruno           unchanged  Bruno Costa\n"
        "3     carla-mendes    unchanged  Carla Mendes\n"
        "4     carla-mendes-2  unchanged  Carla Mendes\n"
        "5     ana             unchanged  Ana Lima\n")
    assert tree_hash(data_dir) == snapshot
    assert ok(practice("check")) == "No problems found\n"


def test_other_details_are_a_conflict(practice, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ok(practice("client", "add", "--csv", write(tmp_path, CLIENTS, "clients.csv"), "--force"))
    changed = write(tmp_path, CLIENTS.replace("runner vip", "runner").replace("ana@example.com", "ana@other.example"), "changed.csv")
    refused(practice, data_dir, ("client", "add", "--csv", changed), 1, [
        f"{changed}:2:id: client 'bruno' already exists with other details (tags 'runner, vip', not 'runner'); "
        "change it with 'sessionpack client edit bruno'",
        f"{changed}:5:id: client 'ana' already exists with other details (email 'ana@example.com', not 'ana@other.example'); "
        "change it with 'sessionpack client edit ana'",
        f"error: 2 problems in {changed}; nothing was recorded: fix them and run the command again"])


def test_bad_rows_are_all_listed_and_nothing_is_added(practice, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "id,name,email,phone,tags\n"
                           "bea,Bea,bea@example,,\n"
                           "Bad Id,Carl,,,\n"
                           ",,,,\n"
                           "dan,,dan@example.com,12,x y!\n"
                           "bea,Bea Two,,,\n"
                           ",Eva Rocha,,,\n"
                           ",Eva Rocha,,,\n", "clients.csv")
    refused(practice, data_dir, ("client", "add", "--csv", path), 2, [
        f"{path}:2:email: email 'bea@example' is not an address like ana@example.com",
        f"{path}:3:id: client id 'Bad Id' is not valid: use lower-case letters, digits and single hyphens (at most 64 characters), "
        "e.g. 'ana-lima'; write a client id of lower-case letters, digits and hyphens, or leave it empty to make one from the name",
        f"{path}:5:name: the name is missing; every client needs one",
        f"{path}:6:id: client 'bea' is also on line 2; give each client one row",
        f"{path}:8:name: this is the same client as line 7; give each client an id (the id column) to add two clients of the same name and details",
        f"error: 5 problems in {path}; nothing was recorded: fix them and run the command again"])


def test_dry_run_and_formats(practice, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, CLIENTS, "clients.csv")
    before = tree_hash(data_dir)
    dry = dry_ok(practice("client", "add", "--csv", path, "--dry-run", "--format", "jsonl", "--force"))
    assert tree_hash(data_dir) == before
    real = ok(practice("client", "add", "--csv", path, "--format", "jsonl", "--force"))
    assert dry == real
    assert [json.loads(line)["status"] for line in real.splitlines()] == ["created", "created", "created", "unchanged"]
    assert ok(practice("client", "add", "--csv", path, "--format", "csv")).splitlines()[:2] == [
        "line,id,status,name", "2,bruno,unchanged,Bruno Costa"]


def test_standard_input_template_and_usage(practice, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    template = ok(practice("client", "add", "--csv-template"))
    assert template.splitlines()[0] == "id,name,email,phone,tags,notes"
    header, first, second = template.splitlines()
    assert first.startswith("ana,Ana Lima,ana@example.com,00351 912 345 678,")  # (no "+": a spreadsheet runs it)
    rows = ok_json(practice("client", "add", "--csv", "-", "--format", "json", input=f"{header}\n{second}\n"))
    assert [(r["line"], r["id"], r["status"]) for r in rows] == [(2, "bruno-costa", "created")]
    assert ok_json(practice("client", "show", "bruno-costa", "--format", "json"))["tags"] == ["runner", "vip"]
    path = write(tmp_path, CLIENTS, "clients.csv")
    for args, message in ((("client", "add", "zoe", "--csv", path), "ID goes with one client; with --csv put it in the file"),
                          (("client", "add", "--csv", path, "--name", "X"), "--name goes with one client; with --csv put it in the file"),
                          (("client", "add", "zoe"), "Missing option '--name'; see 'sessionpack client add --help'"),
                          (("client", "add", "zoe", "--name", "Zoe", "--hooks"), "--hooks goes with --csv FILE")):
        refused(practice, data_dir, args, 2, [f"error: {message}"])
    bad = write(tmp_path, "id,surname\nx,y\n", "bad.csv")
    refused(practice, data_dir, ("client", "add", "--csv", bad), 2, [
        f"{bad}:1:surname: is not a known column; the columns are: id, name, email, phone, tags, notes",
        f"{bad}:1: has no name column; the first line must name at least name",
        f"error: 2 problems in {bad}; nothing was recorded: fix them and run the command again"])


def test_single_client_add_shares_the_path(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    before = tree_hash(data_dir)
    assert dry_ok(practice("client", "add", "zoe", "--name", "Zoe", "--dry-run")) == "Added client zoe\n"
    assert tree_hash(data_dir) == before
    assert ok(practice("client", "add", "zoe", "--name", "Zoe")) == "Added client zoe\n"
    same = {"id": "zoe", "name": "Zoe", "email": "", "phone": "", "notes": "", "tags": [], "unchanged": True}
    assert ok_json(practice("client", "add", "zoe", "--name", "Zoe", "--format", "json")) == same  # the keys of an added client
    assert ok(practice("client", "add", "zoe", "--name", "Zoe", "--format", "jsonl")) == (
        '{"id": "zoe", "name": "Zoe", "email": "", "phone": "", "notes": "", "tags": [], "unchanged": true}\n')


@pytest.mark.parametrize("hooks", [False, True])
def test_a_file_of_clients_runs_hooks_only_when_asked(practice, data_dir: Path, tmp_path: Path, hooks: bool) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "hook.log"
    hook = data_dir / "hooks" / "client-added"
    hook.write_text(f"#!/bin/sh\ncat >> {log}\necho >> {log}\n")
    hook.chmod(0o755)
    args = ("client", "add", "--csv", write(tmp_path, CLIENTS, "clients.csv"), "--force") + (("--hooks",) if hooks else ())
    ok(practice(*args))
    added = [json.loads(line)["client"]["id"] for line in log.read_text().splitlines() if line] if log.exists() else []
    assert added == (["bruno", "carla-mendes", "carla-mendes-2"] if hooks else [])


def test_a_file_warns_of_look_alikes_as_client_add_does(practice, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "name,email\nAna Lima,\nZed,zed@example.com\nzéd,\nNew,ana@example.com\nOther,ZED@example.com\n", "c.csv")
    result = practice("client", "add", "--csv", path, "--dry-run", "--format", "csv")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"warning: {path}:2: ana already has the name 'Ana Lima'; is ana-lima the same person? (--force adds without this warning)",
        f"warning: {path}:4: zed already has the name 'Zed'; is zed-2 the same person? (--force adds without this warning)",
        f"warning: {path}:5: ana already has the email ana@example.com; is new the same person? (--force adds without this warning)",
        f"warning: {path}:6: zed already has the email zed@example.com; is other the same person? (--force adds without this warning)",
        "warning: dry run: nothing was recorded"]
    forced = practice("client", "add", "--csv", path, "--force")
    assert (forced.exit_code, forced.stderr) == (0, "")
    again = practice("client", "add", "--csv", path)  # every row unchanged: nothing new to warn of
    assert (again.exit_code, again.stderr) == (0, "")


def test_a_client_list_written_as_csv_reads_back_unchanged(practice, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """client list --format csv puts a ' before text a spreadsheet would run
    (a phone '+351 ...', a note '=...'); client add --csv takes it off again,
    so the file a script exported reads back as what was recorded."""
    ok(practice("client", "add", "zed", "--name", "Zed", "--phone", "+351 912 345 678", "--notes", "=1+1 is not a formula"))
    exported = ok(practice("client", "list", "--format", "csv"))
    assert "'+351 912 345 678" in exported
    path = tmp_path / "clients.csv"
    path.write_text(exported, encoding="utf-8")
    before = tree_hash(data_dir)
    rows = ok_json(practice("client", "add", "--csv", str(path), "--format", "json"))
    assert {r["id"]: r["status"] for r in rows}["zed"] == "unchanged"
    assert tree_hash(data_dir) == before
    # A ' before anything else is the text itself.
    write(tmp_path, "id,name,notes\nyan,Yan,'quoted'\n", "other.csv")
    ok(practice("client", "add", "--csv", str(tmp_path / "other.csv")))
    assert ok_json(practice("client", "show", "yan", "--format", "json"))["notes"] == "'quoted'"
