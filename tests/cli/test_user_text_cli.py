"""Typed text on the command line: refused with exit 2 and nothing written
when it holds a control or invisible character, in every field a command
writes into a file; shown escaped when a hand-edited file holds one; notes
and descriptions shown as typed (rule 24 of docs/rules.md, docs/formats.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from cli_util import ok
from proc_util import project_env, run_on_pty
from tree import tree_hash

FIVE = ("package", "create", "five", "--name", "Five", "--service", "massage=5", "--price", "200")


def refused(practice, data_dir: Path, args: tuple[str, ...], message: str, stdin: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """``args`` is refused with exit 2, ``message`` as its one line, and not a byte of the data directory changes."""
    before = tree_hash(data_dir)
    result = practice(*args, input=stdin)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"error: {message}\n")
    assert tree_hash(data_dir) == before


@pytest.mark.parametrize("args, message", [
    (("package", "edit", "five", "--description", "Five \x1b[5mblinking"),
     "description must be printable text (it holds the control character \\x1b); type it again without it"),
    (("package", "create", "six", "--name", "Six", "--service", "massage=6", "--price", "240", "--description", "a\x07b"),
     "description must be printable text (it holds the control character \\x07); type it again without it"),
    (("package", "create", "six", "--name", "Six", "--service", "massage=6", "--price", "240", "--category", "c" * 101),
     "category is longer than 100 characters"),
    (("package", "edit", "five", "--name", "Five\u200b"),
     "--name: name must be one line of printable text (it holds the invisible character \\u200b); type it again without it"),
    (("package", "clone", "five", "six", "--name", "Six\ufeff"),
     "--name: name must be one line of printable text (it holds the invisible character \\ufeff); type it again without it"),
    (("package", "edit", "five", "--provider", "Rita\u2060"),
     "--provider: provider must be one line of printable text (it holds the invisible character \\u2060); "
     "type it again without it"),
    (("service", "add", "thai2", "--name", "Thai", "--duration", "60", "--price", "50", "--description", "x\x1b[31mred\rY\bZ\u202eW"),
     "description must be printable text (it holds the control character \\x1b); type it again without it"),
    (("service", "add", "thai2", "--name", "Thai", "--duration", "60", "--price", "50", "--description", "Y\rZ"),
     "description must be printable text (it holds the control character \\x0d); type it again without it"),
    (("service", "edit", "massage", "--description", "Z\u202eW"),
     "description must be printable text (it holds the control character \\u202e); type it again without it"),
    (("service", "edit", "massage", "--description", "one\u2028two"),
     "description must be printable text (it holds the control character \\u2028); type it again without it"),
    (("service", "edit", "massage", "--provider", "Ri\u200dta"),
     "provider must be one line of printable text (it holds the invisible character \\u200d); type it again without it"),
])
def test_text_written_into_the_catalog_is_refused_as_reading_the_file_would_refuse_it(practice, data_dir: Path, args, message) -> None:  # type: ignore[no-untyped-def]
    ok(practice(*FIVE))
    refused(practice, data_dir, args, message)
    assert "five" in ok(practice("package", "list"))  # the catalog still reads
    assert ok(practice("sell", "ana", "five")).startswith("Sold five to ana: ana.p1")


def test_a_package_from_json_is_refused_as_its_file_would_be(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(practice(*FIVE))
    data = json.loads(ok(practice("package", "show", "five", "--format", "json")))
    refused(practice, data_dir, ("package", "create", "six", "--from-json", "-"),
            "--from-json: description: description must be printable text (it holds the control character \\x1b); "
            "type it again without it", stdin=json.dumps({**data, "description": "x\x1by"}))


@pytest.mark.parametrize("args, message", [
    (("client", "add", "ana2", "--name", "Ana Li\u200bma"),
     "client name must be one line of printable text (it holds the invisible character \\u200b); type it again without it"),
    (("client", "add", "bob", "--name", "Bob\u2028Smith"),
     "client name must be one line of printable text (it holds the control character \\u2028); type it again without it"),
    (("client", "add", "eve", "--name", "Eve\u200f\u061c\ufeffX"),
     "client name must be one line of printable text (it holds the invisible character \\u200f); type it again without it"),
    (("client", "edit", "ana", "--name", "Ana\u2060Lima"),
     "client name must be one line of printable text (it holds the invisible character \\u2060); type it again without it"),
    (("client", "edit", "ana", "--notes", "first\nsecond\u2029third"),
     "notes must be printable text (it holds the control character \\u2029); type it again without it"),
    (("client", "edit", "ana", "--notes", "soft\u00adhyphen"),
     "notes must be printable text (it holds the invisible character \\xad); type it again without it"),
    (("client", "add", "zed", "--name", "Zed", "--email", "zed\u200b@example.com"),
     "email 'zed\\u200b@example.com' is not an address like ana@example.com"),
])
def test_invisible_and_separator_characters_are_refused_where_text_is_typed(practice, data_dir: Path, args, message) -> None:  # type: ignore[no-untyped-def]
    refused(practice, data_dir, args, message)


def test_an_emoji_sequence_is_welcome_in_a_name_and_shown_as_typed(practice) -> None:  # type: ignore[no-untyped-def]
    assert ok(practice("client", "add", "fam", "--name", "Ana 👩\u200d👩\u200d👧")) == "Added client fam\n"
    assert ok(practice("client", "show", "fam")).splitlines()[0] == "Ana 👩\u200d👩\u200d👧 (fam)"


def _hand_edit_name(practice, data_dir: Path, client_id: str, name: str) -> None:  # type: ignore[no-untyped-def]
    """The client's name in the journal, changed by hand (and its view rebuilt, as documented)."""
    journal = data_dir / "journal.jsonl"
    lines = []
    for line in journal.read_bytes().splitlines(keepends=True):
        if b'"type":"client-added"' in line and f'"id":"{client_id}"'.encode() in line:
            record = json.loads(line)
            record["client"]["name"] = name
            line = (json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
        lines.append(line)
    journal.write_bytes(b"".join(lines))
    (data_dir / "views" / "clients" / f"{client_id}.json").unlink()
    assert practice("check", "--rebuild").exit_code == 0


HOSTILE = "Eve\n\u202eRED\x1b[31m"
SHOWN = "Eve\\x0a\\u202eRED\\x1b[31m"


def test_a_line_break_in_a_hand_edited_name_is_shown_escaped(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(practice("client", "add", "eve", "--name", "Eve"))
    _hand_edit_name(practice, data_dir, "eve", HOSTILE)
    listed = ok(practice("client", "list")).splitlines()
    assert listed[-1] == f"eve  {SHOWN}" and len(listed) == 4
    assert ok(practice("client", "show", "eve")).splitlines()[:2] == [f"{SHOWN} (eve)", "client since 2026-11-20"]
    history = ok(practice("history", "eve")).splitlines()
    assert history[2].endswith(f"client eve added ({SHOWN})") and len(history) == 3


def test_json_escapes_the_format_characters_of_a_hand_edited_name(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(practice("client", "add", "eve", "--name", "Eve"))
    _hand_edit_name(practice, data_dir, "eve", HOSTILE)
    raw = practice("client", "list", "--format", "json").stdout
    assert "\u202e" not in raw and "\\u202e" in raw
    assert [row["name"] for row in json.loads(raw)] == ["Ana Lima", HOSTILE]  # the data itself, escaped by JSON
    lines = practice("client", "list", "--format", "jsonl").stdout
    assert "\u202e" not in lines and json.loads(lines.splitlines()[1])["name"] == HOSTILE


@pytest.mark.parametrize("args", [("client", "list"), ("history", "eve"), ("client", "show", "eve")])
def test_on_a_terminal_a_hand_edited_name_stays_on_its_line(practice, data_dir: Path, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    ok(practice("client", "add", "eve", "--name", "Eve"))
    _hand_edit_name(practice, data_dir, "eve", HOSTILE)
    env = project_env({"SESSIONPACK_NOW": "2026-11-20T09:00"})
    code, out = run_on_pty([sys.executable, "-m", "sessionpack", "--data-dir", str(data_dir), *args], env)
    assert code == 0, out
    assert SHOWN.encode() in out and b"\x1b[31m" not in out and "\u202e".encode() not in out, out


def test_an_invisible_character_in_a_hand_edited_name_is_shown_escaped(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(practice("client", "add", "ana2", "--name", "Ana"))
    _hand_edit_name(practice, data_dir, "ana2", "Ana Li\u200bma")
    assert ok(practice("client", "list")).splitlines()[-1] == "ana2  Ana Li\\u200bma"
    assert ok(practice("client", "show", "ana2")).splitlines()[0] == "Ana Li\\u200bma (ana2)"


def test_tabs_and_line_breaks_of_notes_and_descriptions_are_shown_as_typed(practice) -> None:  # type: ignore[no-untyped-def]
    ok(practice("client", "add", "bea", "--name", "Bea", "--notes", "Allergies:\tnuts\nPrefers:\tmornings"))
    assert ok(practice("client", "show", "bea")).splitlines()[2:4] == [
        "notes: Allergies:      nuts",
        "       Prefers:        mornings"]
    ok(practice("service", "add", "swedish", "--name", "Swedish", "--duration", "60", "--price", "50",
                "--description", "Swedish massage\nBring:\ttowel"))
    assert ok(practice("service", "show", "swedish")).splitlines()[7:9] == [
        "description  Swedish massage",
        "             Bring:  towel"]
    row = next(line for line in ok(practice("service", "list", "--wide")).splitlines() if line.startswith("swedish "))
    assert row.endswith("yes                Swedish massage Bring:  towel")
    ok(practice(*FIVE, "--description", "Five sessions\n\tbring a towel"))
    assert ok(practice("package", "show", "five")).splitlines()[1:3] == ["Five sessions", "        bring a towel"]


def test_deactivating_a_service_names_only_the_packages_still_in_the_catalog(practice) -> None:  # type: ignore[no-untyped-def]
    ok(practice("package", "create", "draft", "--name", "Draft", "--service", "massage=1", "--price", "10"))
    assert ok(practice("package", "delete", "draft")) == "Deleted package draft\n"
    result = practice("service", "deactivate", "massage")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "Deactivated service massage\n", "")
    ok(practice("package", "create", "sampler", "--name", "Sampler", "--service", "thai=2", "--price", "200"))
    ok(practice("package", "create", "old", "--name", "Old", "--service", "thai=1", "--price", "100"))
    assert ok(practice("package", "delete", "old")) == "Deleted package old\n"
    result = practice("service", "deactivate", "thai")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "Deactivated service thai\n",
        "warning: package sampler includes thai: clients who bought it can still book it; "
        "edit or deactivate that package to stop new sales\n")
