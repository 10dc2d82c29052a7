"""The memo of the TOML files (cache/parsed.json, storage/parsed.py).

It spares commands the TOML reader, and can never change what they see: a
file is read from the memo only when its text is, character for character,
the text recorded there. Recording commands keep it; commands that only
read, and commands that are refused, never write it; a damaged or missing
memo is ignored; a memo edited to give another reading is reported by
``check`` and made anew by ``check --rebuild``.
"""

from __future__ import annotations

import json
from pathlib import Path

from sessionpack.storage import layout, parsed
from storage_util import run
from tree import tree_hash


def memo(data_dir: Path) -> dict:
    return json.loads((data_dir / layout.PARSED).read_bytes())["files"]


def test_a_recording_command_keeps_the_parses_it_made(practice, data_dir: Path) -> None:
    files = memo(data_dir)  # (the practice fixture recorded clients and services)
    settings_text = (data_dir / "settings.toml").read_text(encoding="utf-8")
    assert files["settings.toml"]["text"] == settings_text
    import tomllib

    assert files["settings.toml"]["data"] == tomllib.loads(settings_text)
    assert oct((data_dir / layout.PARSED).stat().st_mode & 0o777) == "0o600"
    assert oct((data_dir / layout.CACHE).stat().st_mode & 0o777) == "0o700"


def test_an_edited_file_is_read_again_not_from_the_memo(practice, data_dir: Path) -> None:
    (data_dir / "packages" / "five.toml").write_text(
        'name = "5 massages"\nexpiry = "3 months"\n[contents.sessions]\nmassage = 5\n[payment]\nprice = "400"\n', encoding="utf-8")
    assert practice("sell", "ana", "five").exit_code == 0
    settings = data_dir / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace('currency = "EUR"', 'currency = "USD"'), encoding="utf-8")
    before = tree_hash(data_dir)
    result = practice("balance", "ana", "--format", "json")
    assert result.exit_code == 0
    listed = run(data_dir, "balance")
    assert "(USD)" in listed.stdout.splitlines()[0]
    assert tree_hash(data_dir) == before  # reading never writes, the memo neither
    assert practice("client", "add", "bea", "--name", "Bea").exit_code == 0
    assert 'currency = "USD"' in memo(data_dir)["settings.toml"]["text"]


def test_a_refused_command_does_not_write_it(practice, data_dir: Path) -> None:
    (data_dir / layout.PARSED).unlink()
    before = tree_hash(data_dir)
    assert practice("client", "add", "ana", "--name", "Ana again").exit_code == 1
    assert practice("book", "ana", "nothing", "2026-11-27T10:00").exit_code == 2
    assert tree_hash(data_dir) == before


def test_a_damaged_memo_is_ignored_and_made_again(practice, data_dir: Path) -> None:
    for junk in (b"not json", b'{"format": 99, "files": {}}', b'{"format": 1, "files": {"settings.toml": 5}}', b"[]"):
        (data_dir / layout.PARSED).write_bytes(junk)
        parsed._MEMOS.clear()
        result = practice("balance", "ana")
        assert result.exit_code == 0, result.output
    parsed._MEMOS.clear()
    assert practice("client", "add", "bea", "--name", "Bea").exit_code == 0
    assert "settings.toml" in memo(data_dir)


def test_a_memo_that_reads_a_file_otherwise_is_reported_and_made_anew(practice, data_dir: Path) -> None:
    record = json.loads((data_dir / layout.PARSED).read_bytes())
    record["files"]["settings.toml"]["data"]["practice"]["currency"] = "JPY"  # what the text does not say
    (data_dir / layout.PARSED).write_bytes(json.dumps(record).encode())
    checked = run(data_dir, "check")
    assert checked.returncode != 0
    assert (f"{layout.PARSED}: records another reading of settings.toml than its text has (edited by hand); "
            "run 'sessionpack check --rebuild', which makes it anew") in checked.stdout
    assert run(data_dir, "check", "--rebuild").returncode == 0
    files = memo(data_dir)
    assert files["settings.toml"]["data"]["practice"]["currency"] == "EUR"
    assert set(files) == {"settings.toml", "services/massage.toml", "services/thai.toml"}
    assert run(data_dir, "check").stdout.startswith("No problems found")


def test_a_stale_entry_is_not_damage(practice, data_dir: Path) -> None:
    service = data_dir / "services" / "massage.toml"
    service.write_text(service.read_text(encoding="utf-8").replace("60", "50", 1), encoding="utf-8")
    assert run(data_dir, "check").stdout.startswith("No problems found")


def test_a_file_with_a_toml_date_is_never_memorised(practice, data_dir: Path) -> None:
    (data_dir / "packages" / "winter.toml").write_text(
        'name = "Winter"\nexpiry = 2027-03-20\n[contents.sessions]\nmassage = 3\n[payment]\nprice = "150"\n', encoding="utf-8")
    assert practice("sell", "ana", "winter").exit_code == 0
    files = memo(data_dir)
    assert "packages/winter.toml" not in files and "settings.toml" in files


def test_a_link_in_its_place_is_refused(practice, data_dir: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_bytes(b"{}")
    (data_dir / layout.PARSED).unlink()
    (data_dir / layout.PARSED).symlink_to(elsewhere)
    result = run(data_dir, "balance", "ana")
    assert result.returncode == 3
    assert "is a symbolic link" in result.stderr
    assert elsewhere.read_bytes() == b"{}"
