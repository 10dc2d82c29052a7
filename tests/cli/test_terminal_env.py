"""What a terminal receives, whatever it is: a progress bar that shows a
file's name as typed, an output encoding that is not UTF-8 (escapes, never
an internal error), a locale that is not UTF-8 (ASCII tables), a dumb
terminal (no pager, no progress bar), a terminal that reports no size, and
names that hold no space (they wrap; only ids, dates and amounts are never
cut). See docs/formats.md, "Tables for people"."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from proc_util import project_env, run_on_pty
from tree import tree_hash

NOW = "2026-03-02T09:00"
SGR = re.compile(rb"\x1b\[[0-9;]*m")


def sessionpack(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "sessionpack", "--data-dir", str(data_dir), "--now", NOW, *args]


def piped(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(sessionpack(data_dir, *args), capture_output=True, env=project_env(env), timeout=60)


def recorded(data_dir: Path, *args: str) -> None:
    done = piped(data_dir, *args)
    assert (done.returncode, done.stderr) == (0, b""), (args, done.stderr)


def on_terminal(data_dir: Path, *args: str, columns: int = 80, rows: int = 24, **env: str) -> tuple[int, str]:
    code, out = run_on_pty(sessionpack(data_dir, *args), project_env(env), columns=columns, rows=rows)
    return code, out.decode("utf-8").replace("\r\n", "\n")


def stderr_on_terminal(data_dir: Path, *args: str, **env: str) -> tuple[int, bytes, bytes]:
    """(exit, standard output, what the terminal got) with only standard error on a terminal."""
    master, slave = pty.openpty()
    full = project_env({"COLUMNS": "100", "TERM": "xterm", **env})
    proc = subprocess.Popen(sessionpack(data_dir, *args), stdout=subprocess.PIPE, stderr=slave, env=full)
    os.close(slave)
    seen = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO once the process has closed the terminal
            break
        if not chunk:
            break
        seen.extend(chunk)
    os.close(master)
    out = proc.stdout.read()
    return proc.wait(timeout=60), out, bytes(seen)


@pytest.fixture
def studio(data_dir: Path) -> Path:
    recorded(data_dir, "init", "--name", "Studio", "--currency", "EUR", "--timezone", "Europe/Lisbon")
    return data_dir


# -- the progress bar of a large file -----------------------------------------


def three_hundred(tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    path.write_text("id,name\n" + "".join(f"c{i},Client {i}\n" for i in range(300)), encoding="utf-8")
    return str(path)


def test_the_progress_bar_shows_the_file_name_as_typed_never_as_markup_or_escapes(studio: Path, tmp_path: Path) -> None:
    before = tree_hash(studio)
    code, out, seen = stderr_on_terminal(studio, "client", "add", "--csv", three_hundred(tmp_path, "sales [march].csv"),
                                         "--dry-run", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 300
    assert b"checking sales [march].csv " in seen and b"300/300" in seen
    code, out, seen = stderr_on_terminal(studio, "client", "add", "--csv",
                                         three_hundred(tmp_path, "x\x1b]0;PWNED\x07\x1b[31mRED.csv"), "--dry-run", "--format", "json")
    assert code == 0
    assert b"checking x\\x1b]0;PWNED\\x07\\x1b[31mRED.csv " in seen
    assert b"\x1b]0;" not in seen and b"\x07" not in seen and b"\x1b[31m" not in seen
    assert seen.endswith(b"warning: dry run: nothing was recorded\r\n")
    assert tree_hash(studio) == before


def test_no_colour_in_the_progress_bar_with_no_color(studio: Path, tmp_path: Path) -> None:
    code, _, seen = stderr_on_terminal(studio, "client", "add", "--csv", three_hundred(tmp_path, "clients.csv"), "--dry-run",
                                       "--format", "json", NO_COLOR="1")
    assert code == 0 and b"checking clients.csv" in seen and b"300/300" in seen
    assert not SGR.findall(seen)  # only the cursor moves of the bar


def test_the_progress_bar_is_drawn_with_ascii_where_the_terminal_does_not_show_utf8(studio: Path, tmp_path: Path) -> None:
    code, _, seen = stderr_on_terminal(studio, "client", "add", "--csv", three_hundred(tmp_path, "clients.csv"), "--dry-run",
                                       "--format", "json", LC_ALL="C", NO_COLOR="1")
    assert code == 0 and b"checking clients.csv: done, recording ----------" in seen and b"300/300" in seen and seen.isascii()


def test_no_progress_bar_on_a_dumb_terminal(studio: Path, tmp_path: Path) -> None:
    code, out, seen = stderr_on_terminal(studio, "client", "add", "--csv", three_hundred(tmp_path, "clients.csv"), "--dry-run",
                                         "--format", "json", TERM="dumb")
    assert (code, len(json.loads(out)), seen) == (0, 300, b"warning: dry run: nothing was recorded\r\n")


# -- an output encoding that is not UTF-8 ---------------------------------------


def test_an_ascii_output_gets_escapes_in_every_format_and_a_recorded_file_is_no_internal_error(studio: Path, tmp_path: Path) -> None:
    recorded(studio, "client", "add", "ana", "--name", "Ana Lima")
    clients = tmp_path / "clients.csv"
    clients.write_text("id,name\njose,José Ñandú\nzoe,Zoë 😀 ─\n", encoding="utf-8")
    done = piped(studio, "client", "add", "--csv", str(clients), PYTHONIOENCODING="ascii")
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout == (b"From " + str(clients).encode() + b": 2 created, 0 unchanged\n"
                           b"line  id    status   name\n"
                           b"2     jose  created  Jos\\xe9 \\xd1and\\xfa\n"
                           b"3     zoe   created  Zo\\xeb \\U0001f600 \\u2500\n")
    assert [c["id"] for c in json.loads(piped(studio, "client", "list", "--format", "json").stdout)] == ["ana", "jose", "zoe"]
    table = piped(studio, "client", "list", PYTHONIOENCODING="ascii")
    assert (table.returncode, table.stderr, table.stdout) == (0, b"", b"Clients\n"
                                                                       b"id    name                      email  tags\n"
                                                                       b"ana   Ana Lima\n"
                                                                       b"jose  Jos\\xe9 \\xd1and\\xfa\n"
                                                                       b"zoe   Zo\\xeb \\U0001f600 \\u2500\n")
    names = ["Ana Lima", "José Ñandú", "Zoë 😀 ─"]
    as_json = piped(studio, "client", "list", "--format", "json", PYTHONIOENCODING="ascii")
    assert (as_json.returncode, as_json.stderr) == (0, b"") and as_json.stdout.isascii()
    assert b'"name": "Jos\\u00e9 \\u00d1and\\u00fa"' in as_json.stdout and b'"Zo\\u00eb \\ud83d\\ude00 \\u2500"' in as_json.stdout
    assert [c["name"] for c in json.loads(as_json.stdout)] == names  # JSON's own escapes: the same document
    lines = piped(studio, "client", "list", "--format", "jsonl", PYTHONIOENCODING="ascii")
    assert (lines.returncode, lines.stderr) == (0, b"") and [json.loads(line)["name"] for line in lines.stdout.splitlines()] == names
    latin = piped(studio, "client", "list", "--format", "csv", PYTHONIOENCODING="iso-8859-1")
    assert (latin.returncode, latin.stderr, latin.stdout) == (0, b"", b"id,name,email,phone,tags\nana,Ana Lima,,,\n"
                                                                      b"jose,Jos\xe9 \xd1and\xfa,,,\n"
                                                                      b"zoe,Zo\xeb \\U0001f600 \\u2500,,,\n")
    bad = piped(studio, "balance", "zoë", PYTHONIOENCODING="ascii")  # (standard error: the same escapes)
    assert (bad.returncode, bad.stdout, bad.stderr) == (2, b"", b"error: client id 'zo\\xeb' is not valid: use lower-case letters, "
                                                                b"digits and single hyphens (at most 64 characters), e.g. 'ana-lima'\n")


def test_a_statement_separates_its_summary_with_what_the_output_can_show(studio: Path) -> None:
    recorded(studio, "service", "add", "massage", "--name", "Massage", "--duration", "60", "--price", "50")
    recorded(studio, "package", "create", "two", "--name", "Two", "--service", "massage=2", "--price", "90")
    recorded(studio, "client", "add", "ana", "--name", "Ana Lima")
    recorded(studio, "sell", "ana", "two")
    summary = ("sold 2026-03-02 {s} invoice 000001 {s} 90.00 EUR {s} paid 90.00",
               "used 0 of 2 {s} 0 booked {s} 2 free to book {s} no expiry")

    def lines(*args: str, **env: str) -> list[bytes]:
        done = piped(studio, "statement", "ana", *args, **env)
        assert (done.returncode, done.stderr) == (0, b"")
        return [line for line in done.stdout.splitlines() if line.startswith((b"sold ", b"used "))]

    assert lines(PYTHONIOENCODING="ascii") == [text.format(s="|").encode() for text in summary]
    assert lines("--format", "md", PYTHONIOENCODING="ascii") == [text.format(s="-").encode() + b"  " for text in summary]
    assert lines(PYTHONIOENCODING="utf-8") == [text.format(s="\u00b7").encode("utf-8") for text in summary]


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "iso-8859-1"}, {"LC_ALL": "C", "PYTHONUTF8": "0"}])
def test_a_terminal_that_is_not_utf8_gets_an_ascii_table_and_no_traceback(studio: Path, env: dict[str, str]) -> None:
    recorded(studio, "client", "add", "ana", "--name", "Ana Lima")
    code, seen = run_on_pty(sessionpack(studio, "client", "list"), project_env({"NO_COLOR": "1", **env}))
    assert (code, seen) == (0, b"Clients\r\nid   name      email  tags\r\n---  --------  -----  ----\r\nana  Ana Lima\r\n")


def test_the_pager_gets_what_the_terminal_would(studio: Path, tmp_path: Path) -> None:
    for number in range(12):
        recorded(studio, "client", "add", f"c{number}", "--name", f"José {number}")
    paged = tmp_path / "paged.txt"
    code, seen = run_on_pty(sessionpack(studio, "client", "list", "--format", "jsonl"),
                            project_env({"PYTHONIOENCODING": "iso-8859-1", "SESSIONPACK_PAGER": f"cat > {paged}"}), rows=8)
    assert (code, seen) == (0, b"")
    assert paged.read_bytes().splitlines()[0] == b'{"id": "c0", "name": "Jos\xe9 0", "email": "", "phone": "", "tags": []}'
    code, seen = run_on_pty(sessionpack(studio, "client", "list"), project_env({"PYTHONIOENCODING": "ascii", "NO_COLOR": "1",
                                                                              "SESSIONPACK_PAGER": f"cat > {paged}"}), rows=8)
    assert (code, seen) == (0, b"")
    assert paged.read_bytes().splitlines()[:4] == [b"Clients", b"id   name        email  tags", b"---  ----------  -----  ----",
                                                   b"c0   Jos\\xe9 0"]


# -- a locale that is not UTF-8 ------------------------------------------------


def test_tables_in_the_c_locale_are_drawn_with_ascii(studio: Path, tmp_path: Path) -> None:
    recorded(studio, "client", "add", "ana", "--name", "Ana Lima", "--email", "ana@example.com", "--tag", "vip", "--tag", "runner")
    code, seen = run_on_pty(sessionpack(studio, "client", "list"), project_env({"NO_COLOR": "1", "LANG": "C", "LC_ALL": "C"}))
    assert (code, seen) == (0, b"Clients\r\nid   name      email            tags\r\n---  --------  ---------------  -----------\r\n"
                               b"ana  Ana Lima  ana@example.com  runner, vip\r\n")
    # A row's text on a detail line under it: its parts separated by ASCII too.
    code, seen = run_on_pty(sessionpack(studio, "client", "list"), project_env({"NO_COLOR": "1", "LC_ALL": "C"}), columns=30)
    assert (code, seen) == (0, b"Clients\r\nid   email\r\n---  ---------------\r\nana  ana@example.com\r\n"
                               b"    name: Ana Lima | tags:\r\n    runner, vip\r\n")
    # The same, in a UTF-8 locale.
    code, seen = run_on_pty(sessionpack(studio, "client", "list"), project_env({"NO_COLOR": "1", "LC_ALL": "C.UTF-8"}), columns=30)
    assert (code, seen.decode()) == (0, "Clients\r\nid   email\r\n───  ───────────────\r\nana  ana@example.com\r\n"
                                        "    name: Ana Lima · tags:\r\n    runner, vip\r\n")


# -- a dumb terminal ----------------------------------------------------------------


def test_a_dumb_terminal_is_never_paged(studio: Path, tmp_path: Path) -> None:
    for number in range(12):
        recorded(studio, "client", "add", f"c{number}", "--name", f"Client {number}")
    paged = tmp_path / "paged.txt"
    code, seen = on_terminal(studio, "client", "list", rows=8, TERM="dumb", SESSIONPACK_PAGER=f"cat > {paged}")
    assert code == 0 and not paged.exists()
    assert seen.startswith("Clients\nid   name       email  tags\n───  ─────────  ─────  ────\nc0   Client 0\n")
    assert len(seen.splitlines()) == 15 and "\x1b" not in seen
    # On a terminal that can run it, the same output is paged.
    code, seen = on_terminal(studio, "client", "list", rows=8, TERM="xterm", SESSIONPACK_PAGER=f"cat > {paged}")
    assert (code, seen) == (0, "") and paged.read_text().startswith("Clients\n")


# -- a terminal that reports no size -----------------------------------------------


def test_a_terminal_of_no_size_is_taken_as_80_by_24(studio: Path, tmp_path: Path) -> None:
    recorded(studio, "client", "add", "ana", "--name", "Ana Lima", "--email", "ana@example.com")
    paged = tmp_path / "paged.txt"
    code, seen = on_terminal(studio, "client", "list", columns=0, rows=0, NO_COLOR="1", SESSIONPACK_PAGER=f"cat > {paged}")
    assert (code, seen) == (0, "Clients\nid   name      email            tags\n───  ────────  ───────────────  ────\n"
                               "ana  Ana Lima  ana@example.com\n")
    assert not paged.exists()


# -- names without spaces --------------------------------------------------------------


@pytest.fixture
def tokyo(data_dir: Path) -> Path:
    for args in (("init", "--name", "Studio", "--currency", "JPY", "--timezone", "Asia/Tokyo"),
                 ("client", "add", "bob", "--name", "ヤマダ・タロウ・サトウ・ジュニア・フォン・ミュンヒハウゼン"),
                 ("service", "add", "m", "--name", "マッサージ60分", "--duration", "60", "--price", "6000"),
                 ("package", "create", "p", "--name", "回数券マッサージ10回コース（平日限定・予約制・有効期限六ヶ月）",
                  "--service", "m=10", "--price", "50000"),
                 ("sell", "bob", "p")):
        recorded(data_dir, *args)
    return data_dir


def test_names_in_japanese_wrap_at_any_character_and_never_pass_the_edge(tokyo: Path) -> None:
    code, seen = on_terminal(tokyo, "client", "list", columns=60, NO_COLOR="1")
    assert (code, seen) == (0, "Clients\n"
                               "id   name                                        email  tags\n"
                               "───  ──────────────────────────────────────────  ─────  ────\n"
                               "bob  ヤマダ・タロウ・サトウ・ジュニア・フォン・\n"
                               "     ミュンヒハウゼン\n")
    code, seen = on_terminal(tokyo, "balance", columns=60, NO_COLOR="1")
    assert (code, seen) == (0, "Balances at 2026-03-02 09:00 (JPY)\n"
                               "id      package           item  left   booked  valid  status\n"
                               "──────  ────────────────  ────  ─────  ──────  ─────  ──────\n"
                               "bob.p1  回数券マッサージ  m     10/10  0       never  active\n"
                               "        10回コース（平日\n"
                               "        限定・予約制・有\n"
                               "        効期限六ヶ月）\n")
    code, seen = on_terminal(tokyo, "balance", columns=80, NO_COLOR="1")
    assert (code, seen) == (0, "Balances at 2026-03-02 09:00 (JPY)\n"
                               "id      package                               item  left   booked  valid  status\n"
                               "──────  ────────────────────────────────────  ────  ─────  ──────  ─────  ──────\n"
                               "bob.p1  回数券マッサージ10回コース（平日限定  m     10/10  0       never  active\n"
                               "        ・予約制・有効期限六ヶ月）\n")


def test_a_word_longer_than_the_terminal_is_broken_not_printed_past_the_edge(tokyo: Path) -> None:
    recorded(tokyo, "adjust", "bob.p1", "--sessions", "+1", "--reason", "x" * 150)
    code, seen = on_terminal(tokyo, "log", "--limit", "1", columns=80, NO_COLOR="1")
    assert (code, seen) == (0, "Commands, newest first\n"
                               "id  when             clients  undone\n"
                               "──  ───────────────  ───────  ──────\n"
                               "c5  Mon 2 Mar 09:00  bob\n"
                               "    what: adjusted bob.p1: m +1 · why:\n"
                               f"    {'x' * 76}\n"
                               f"    {'x' * 74}\n")


def test_wrapping_breaks_between_wide_characters_and_keeps_ids_whole() -> None:
    from sessionpack.cli.fit import wrap
    from sessionpack.cli.output import id_like

    assert wrap("Ana 回数券マッサージ10回", 10) == ["Ana 回数券", "マッサージ", "10回"]
    assert wrap("abcdefghij klm", 4) == ["abcd", "efgh", "ij", "klm"]
    assert [id_like(cell) for cell in ("bruno.p1", "2026-03-02", "120.00", "", "ヤマダ", "José", "x" * 65, "a b")] == [
        True, True, True, True, False, False, False, False]


def test_client_show_separates_its_details_with_ascii_where_the_output_is_not_utf8(studio: Path) -> None:
    recorded(studio, "client", "add", "ana", "--name", "Ana Lima", "--email", "ana@example.com", "--phone", "+351 912 345 678")
    for env, separator in (({"PYTHONIOENCODING": "ascii"}, b" | "), ({"PYTHONIOENCODING": "utf-8", "LANG": "C.UTF-8"}, " · ".encode())):
        shown = piped(studio, "client", "show", "ana", **env)
        assert (shown.returncode, shown.stderr) == (0, b"")
        assert shown.stdout.splitlines()[1] == separator.join([b"email ana@example.com", b"phone +351 912 345 678",
                                                                b"client since " + shown.stdout.splitlines()[1][-10:]])
