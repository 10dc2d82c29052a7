"""The CLI foundation: init, global options, services, clients, the error boundary.

Every assertion is on the exact exit code and the exact text, word for word.
"""

from __future__ import annotations

import csv
import getpass
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sessionpack import __version__
from sessionpack.cli.app import app

HAS_PACKAGES = importlib.util.find_spec("sessionpack.domain.packages") is not None

SLUG_HELP = "use lower-case letters, digits and single hyphens (at most 64 characters), e.g. 'massage-60'"
CLIENT_SLUG_HELP = SLUG_HELP.replace("'massage-60'", "'ana-lima'")


def journal_events(root: Path) -> list[dict]:
    lines = (root / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[1:]]


def assert_error(result, code: int, message: str) -> None:  # type: ignore[no-untyped-def]
    """Exactly one line on stderr, nothing on stdout, the exact exit code."""
    assert (result.exit_code, result.stderr, result.stdout) == (code, f"error: {message}\n", "")
    assert result.exception is None or isinstance(result.exception, SystemExit)


# ---------------------------------------------------------------- init


def test_init_writes_settings(sp, data_dir: Path) -> None:
    result = sp("init", "--name", 'Studio "Lima"', "--currency", "eur", "--timezone", "Europe/Lisbon")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"Initialised {data_dir}\n", "")
    settings = tomllib.loads((data_dir / "settings.toml").read_text(encoding="utf-8"))
    assert settings["format"] == 1
    assert settings["practice"] == {"name": 'Studio "Lima"', "currency": "EUR", "timezone": "Europe/Lisbon"}
    assert settings["policies"] == {"no_show": "return", "late_cancel_hours": 24, "late_cancel": "return", "expiry_limits": "session"}
    assert settings["notices"] == {"expiring_days": [30, 7], "low_remaining": 1, "low_minutes": 60, "low_money": "10%"}
    assert (settings["delivery"], settings["hooks"]) == ({"method": "none"}, {"time_budget": 30})
    assert (data_dir / "journal.jsonl").read_text(encoding="utf-8") == '{"format":1,"journal":"sessionpack","seq":0}\n'
    assert oct(data_dir.stat().st_mode & 0o777) == "0o700"
    assert oct((data_dir / "settings.toml").stat().st_mode & 0o777) == "0o600"


def test_init_twice_is_refused_and_changes_nothing(sp, data_dir: Path) -> None:
    assert sp("init", "--name", "First", "--timezone", "UTC").exit_code == 0
    before = (data_dir / "settings.toml").read_bytes()
    result = sp("init", "--name", "Second", "--timezone", "UTC")
    assert_error(result, 1, f"{data_dir} is already a sessionpack data directory; nothing was changed")
    assert (data_dir / "settings.toml").read_bytes() == before


def test_init_refuses_a_foreign_non_empty_directory(sp, data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / "notes.txt").write_text("mine", encoding="utf-8")
    result = sp("init", "--timezone", "UTC")
    assert_error(result, 3, f"{data_dir} is not empty and is not a sessionpack data directory; choose an empty or new directory")
    assert sorted(os.listdir(data_dir)) == ["notes.txt"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--currency", "EURO"), "currency 'EURO' is not an ISO 4217 code; use one such as EUR, USD, GBP, BRL or JPY"),
        (("--currency", "E1R"), "currency 'E1R' is not an ISO 4217 code; use one such as EUR, USD, GBP, BRL or JPY"),
        (("--timezone", "Mars/Base"), "unknown time zone 'Mars/Base': use an IANA name such as Europe/Lisbon or America/New_York"),
        (("--timezone", "../../etc/passwd"), "unknown time zone '../../etc/passwd': use an IANA name such as Europe/Lisbon or America/New_York"),
        (("--timezone", "Europe"), "unknown time zone 'Europe': use an IANA name such as Europe/Lisbon or America/New_York"),
        (("--name", "  "), "practice name must be non-empty text"),
    ],
)
def test_init_bad_input(sp, data_dir: Path, args: tuple[str, ...], message: str) -> None:
    result = sp("init", "--timezone", "UTC", *args)
    assert_error(result, 2, message)
    assert not data_dir.exists()


def test_data_dir_option_beats_env_beats_platform_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    option_dir, env_dir = tmp_path / "opt", tmp_path / "env"
    platform_dir = Path(os.environ["XDG_DATA_HOME"]) / "sessionpack"

    monkeypatch.setenv("SESSIONPACK_DATA_DIR", str(env_dir))
    result = runner.invoke(app, ["--data-dir", str(option_dir), "init", "--timezone", "UTC"])
    assert (result.exit_code, result.stdout) == (0, f"Initialised {option_dir}\n")
    assert (option_dir / "settings.toml").exists() and not env_dir.exists()

    result = runner.invoke(app, ["init", "--timezone", "UTC"])
    assert (result.exit_code, result.stdout) == (0, f"Initialised {env_dir}\n")
    assert not platform_dir.exists()

    monkeypatch.delenv("SESSIONPACK_DATA_DIR")
    result = runner.invoke(app, ["init", "--timezone", "UTC"])
    assert (result.exit_code, result.stdout) == (0, f"Initialised {platform_dir}\n")
    assert (platform_dir / "settings.toml").exists()


def test_data_dir_expands_home(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--data-dir", "~/studio", "init", "--timezone", "UTC"])
    assert (result.exit_code, result.stdout) == (0, f"Initialised {tmp_path / 'home' / 'studio'}\n")


def test_uninitialised_data_dir(sp, data_dir: Path) -> None:
    result = sp("client", "list")
    assert_error(result, 3, f"data directory {data_dir} does not exist; create it with 'sessionpack init' or point --data-dir / SESSIONPACK_DATA_DIR at yours")
    data_dir.mkdir()
    result = sp("service", "list")
    assert_error(result, 3, f"{data_dir} is not a sessionpack data directory (no settings.toml); create one with 'sessionpack init' or point --data-dir / SESSIONPACK_DATA_DIR at yours")


# ---------------------------------------------------------------- global options


def test_naive_now_is_in_the_practice_time_zone(practice, data_dir: Path) -> None:
    assert practice("client", "add", "bea", "--name", "Bea", now="2026-07-01T10:00").exit_code == 0
    assert practice("client", "add", "caio", "--name", "Caio", now="2026-07-01T10:00:00+00:00").exit_code == 0
    assert practice("client", "add", "dora", "--name", "Dora", now="2026-07-02").exit_code == 0
    events = journal_events(data_dir)
    assert [(e["clients"], e["at"]) for e in events[-3:]] == [
        (["bea"], "2026-07-01T10:00:00+01:00"),
        (["caio"], "2026-07-01T11:00:00+01:00"),
        (["dora"], "2026-07-02T00:00:00+01:00"),
    ]
    # The fixture's own --now (November, Lisbon is on UTC).
    assert events[0]["at"] == "2026-11-20T09:00:00+00:00"


def test_now_from_environment(practice, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESSIONPACK_NOW", "2026-08-15T18:30")
    assert practice("client", "add", "bea", "--name", "Bea", now=None).exit_code == 0
    assert journal_events(data_dir)[-1]["at"] == "2026-08-15T18:30:00+01:00"


def test_bad_now_is_one_line(practice, data_dir: Path) -> None:
    before = (data_dir / "journal.jsonl").read_bytes()
    result = practice("client", "add", "bea", "--name", "Bea", now="next tuesday")
    assert_error(result, 2, "--now must be an ISO date or date-time like 2026-12-01T09:00, not 'next tuesday'")
    assert (data_dir / "journal.jsonl").read_bytes() == before


def test_actor_option_and_environment(practice, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert practice("--actor", "Rita Reception", "client", "add", "bea", "--name", "Bea").exit_code == 0
    assert journal_events(data_dir)[-1]["actor"] == "Rita Reception"
    monkeypatch.setenv("SESSIONPACK_ACTOR", "cron")
    assert practice("client", "add", "caio", "--name", "Caio").exit_code == 0
    assert journal_events(data_dir)[-1]["actor"] == "cron"
    # --actor beats the environment.
    assert practice("--actor", "ana-desk", "client", "add", "dora", "--name", "Dora").exit_code == 0
    assert journal_events(data_dir)[-1]["actor"] == "ana-desk"


def test_default_actor_is_the_os_user(practice, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SESSIONPACK_ACTOR")
    assert practice("client", "add", "bea", "--name", "Bea").exit_code == 0
    assert journal_events(data_dir)[-1]["actor"] == getpass.getuser()
    # The fixture ran with SESSIONPACK_ACTOR=tester.
    assert journal_events(data_dir)[0]["actor"] == "tester"


def test_bad_actor(practice) -> None:
    result = practice("--actor", "  ", "client", "add", "bea", "--name", "Bea")
    assert_error(result, 2, "--actor must be a name of one line, at most 100 characters")
    result = practice("--actor", "x" * 101, "client", "list")
    assert_error(result, 2, "--actor must be a name of one line, at most 100 characters")


def test_version(sp) -> None:
    result = sp("--version")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"sessionpack {__version__}\n", "")


# ---------------------------------------------------------------- services


def test_service_add_and_list(practice) -> None:
    result = practice("service", "add", "yoga", "--name", "Yoga class", "--duration", "45", "--price", "15.5", "--tax", "6.5")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "Added service yoga\n", "")
    result = practice("service", "list", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout == (
        "id,name,duration,price,tax,active,providers,description,capacity,deleted\n"
        "massage,Massage 60,60,90.00,0,yes,,,1,no\n"
        "thai,Thai massage,90,120.00,23,yes,,,1,no\n"
        "yoga,Yoga class,45,15.50,6.5,yes,,,1,no\n"
    )
    result = practice("service", "list", "--format", "tsv")
    assert result.stdout == (
        "id\tname\tduration\tprice\ttax\tactive\tproviders\tdescription\tcapacity\tdeleted\n"
        "massage\tMassage 60\t60\t90.00\t0\tyes\t\t\t1\tno\n"
        "thai\tThai massage\t90\t120.00\t23\tyes\t\t\t1\tno\n"
        "yoga\tYoga class\t45\t15.50\t6.5\tyes\t\t\t1\tno\n"
    )


def test_service_add_formats(practice) -> None:
    result = practice("service", "add", "reiki", "--name", "Reiki", "--duration", "30", "--price", "40", "--provider", "Rita", "--provider", "Sol", "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == {
        "id": "reiki", "name": "Reiki", "duration": 30, "price": "40.00", "tax": "0", "active": True, "providers": ["Rita", "Sol"], "description": None, "capacity": 1, "deleted": False,
    }
    result = practice("service", "add", "cupping", "--name", "Cupping", "--duration", "20", "--price", "25", "--format", "csv")
    assert result.stdout == "id,name,duration,price,tax,active,providers,description,capacity,deleted\ncupping,Cupping,20,25.00,0,yes,,,1,no\n"


def test_service_list_json_and_table(practice) -> None:
    result = practice("service", "list", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        {"id": "massage", "name": "Massage 60", "duration": 60, "price": "90.00", "tax": "0", "active": True, "providers": [], "description": None, "capacity": 1, "deleted": False},
        {"id": "thai", "name": "Thai massage", "duration": 90, "price": "120.00", "tax": "23", "active": True, "providers": [], "description": None, "capacity": 1, "deleted": False},
    ]
    table = practice("service", "list").stdout
    assert table.splitlines()[0].rstrip() == "Services (EUR)"
    assert "\nmassage  Massage 60    60        90.00   0    yes\n" in table  # piped: plain aligned columns


def test_service_list_empty(sp) -> None:
    assert sp("init", "--timezone", "UTC").exit_code == 0
    result = sp("service", "list")
    assert (result.exit_code, result.stdout) == (0, "No services yet: add one with 'sessionpack service add'\n")
    assert sp("service", "list", "--format", "json").stdout == "[]\n"
    assert sp("service", "list", "--format", "csv").stdout == "id,name,duration,price,tax,active,providers,description,capacity,deleted\n"


def test_service_show(practice) -> None:
    result = practice("service", "show", "thai")
    assert (result.exit_code, result.stdout) == (
        0,
        "id           thai\nname         Thai massage\nduration     90\nprice        120.00\ntax          23\nactive       yes\nproviders\n"
        "description\ncapacity     1\ndeleted      no\n",
    )
    result = practice("service", "show", "thai", "--format", "json")
    assert json.loads(result.stdout) == {
        "id": "thai", "name": "Thai massage", "duration": 90, "price": "120.00", "tax": "23", "active": True, "providers": [], "description": None, "capacity": 1, "deleted": False,
    }
    assert_error(practice("service", "show", "nope"), 2, "no service 'nope'; see 'sessionpack service list --all'")
    assert_error(practice("service", "show", "../x"), 2, f"service id '../x' is not valid: {SLUG_HELP}")


def test_service_duplicate_is_refused(practice, data_dir: Path) -> None:
    before = (data_dir / "services" / "massage.toml").read_bytes()
    result = practice("service", "add", "massage", "--name", "Other", "--duration", "30", "--price", "10")
    assert_error(result, 1, "service 'massage' already exists; change it with 'sessionpack service edit massage'")
    assert (data_dir / "services" / "massage.toml").read_bytes() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("--price", "90.123"), "price has more than 2 decimal places for EUR: 90.123"),
        (("--price", "-5"), "price must not be negative: -5"),
        (("--price", "abc"), "price must be an amount like 90 or 90.50, not 'abc'"),
        (("--price", "1e30"), "price must be an amount like 90 or 90.50, not '1e30'"),
        (("--price", "1" + "0" * 26), "price is too large: 1" + "0" * 26 + "; amounts are less than 1000000000000"),
        (("--tax", "150"), "tax rate must be between 0 and 100, not 150"),
        (("--tax", "-1"), "tax rate must be between 0 and 100, not -1"),
        (("--tax", "lots"), "tax rate must be a percentage like 23 or 6.5, not 'lots'"),
        (("--duration", "0"), "duration must be between 1 and 1440 minutes, not 0"),
        (("--duration", "1441"), "duration must be between 1 and 1440 minutes, not 1441"),
        (("--name", " "), "name must be non-empty text"),
        (("--name", "x" * 201), "name is longer than 200 characters"),
    ],
)
def test_service_add_bad_values(practice, data_dir: Path, change: tuple[str, str], message: str) -> None:
    values = {"--name": "Yoga", "--duration": "60", "--price": "20", "--tax": "0"}
    values[change[0]] = change[1]
    args = [item for pair in values.items() for item in pair]
    result = practice("service", "add", "yoga", *args)
    assert_error(result, 2, message)
    assert not (data_dir / "services" / "yoga.toml").exists()


@pytest.mark.parametrize("bad", ["Yoga", "yoga class", "yoga-", "yo--ga", "yoga_1", "../yoga", "a" * 65])
def test_service_add_bad_id(practice, data_dir: Path, bad: str) -> None:
    result = practice("service", "add", bad, "--name", "Yoga", "--duration", "60", "--price", "20")
    assert_error(result, 2, f"service id {bad!r} is not valid: {SLUG_HELP}")
    assert sorted(os.listdir(data_dir / "services")) == ["massage.toml", "thai.toml"]


def test_service_add_usage_errors(practice) -> None:
    result = practice("service", "add", "yoga", "--name", "Yoga", "--duration", "abc", "--price", "20")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: Invalid value for '--duration': ")
    assert result.stderr.endswith("; see 'sessionpack service add --help'\n") and result.stderr.count("\n") == 1
    result = practice("service", "add", "yoga", "--name", "Yoga", "--price", "20")
    assert_error(result, 2, "Missing option '--duration'; see 'sessionpack service add --help'")


def test_service_edit(practice) -> None:
    result = practice("service", "edit", "massage", "--price", "95", "--provider", "Rita")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "Changed service massage\n", "")
    result = practice("service", "edit", "massage", "--tax", "23", "--format", "json")
    assert json.loads(result.stdout) == {
        "id": "massage", "name": "Massage 60", "duration": 60, "price": "95.00", "tax": "23", "active": True, "providers": ["Rita"], "description": None, "capacity": 1, "deleted": False,
    }
    result = practice("service", "show", "massage", "--format", "csv")
    assert result.stdout == "id,name,duration,price,tax,active,providers,description,capacity,deleted\nmassage,Massage 60,60,95.00,23,yes,Rita,,1,no\n"


def test_service_edit_without_change(practice) -> None:
    message = "nothing to change for service massage: give at least one new value"
    assert_error(practice("service", "edit", "massage"), 1, message)
    assert_error(practice("service", "edit", "massage", "--price", "90.00", "--duration", "60"), 1, message)
    assert_error(practice("service", "edit", "massage", "--price", "9.999"), 2, "price has more than 2 decimal places for EUR: 9.999")
    assert_error(practice("service", "edit", "zen", "--price", "9"), 2, "no service 'zen'; see 'sessionpack service list --all'")


def test_service_deactivate_and_list_all(practice) -> None:
    result = practice("service", "deactivate", "thai")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "Deactivated service thai\n", "")
    assert practice("service", "list", "--format", "csv").stdout == (
        "id,name,duration,price,tax,active,providers,description,capacity,deleted\nmassage,Massage 60,60,90.00,0,yes,,,1,no\n"
    )
    assert practice("service", "list", "--all", "--format", "csv").stdout == (
        "id,name,duration,price,tax,active,providers,description,capacity,deleted\n"
        "massage,Massage 60,60,90.00,0,yes,,,1,no\n"
        "thai,Thai massage,90,120.00,23,no,,,1,no\n"
    )
    assert_error(practice("service", "deactivate", "thai"), 1, "service thai is already inactive")
    result = practice("service", "edit", "thai", "--activate")
    assert (result.exit_code, result.stdout) == (0, "Changed service thai\n")
    assert practice("service", "show", "thai", "--format", "json").stdout.count('"active": true') == 1


def test_service_deactivate_warns_about_packages(practice, data_dir: Path) -> None:
    if not HAS_PACKAGES:
        pytest.skip("packages are not available yet")
    package = '[contents]\nsessions = { massage = 5 }\n[payment]\nprice = "400"\n'
    (data_dir / "packages" / "five.toml").write_text('name = "5 massages"\n' + package, encoding="utf-8")
    result = practice("service", "deactivate", "massage")
    assert (result.exit_code, result.stdout) == (0, "Deactivated service massage\n")
    assert result.stderr == (
        "warning: package five includes massage: clients who bought it can still book it; "
        "edit or deactivate that package to stop new sales\n"
    )
    (data_dir / "packages" / "ten.toml").write_text('name = "10 massages"\n' + package, encoding="utf-8")
    assert practice("service", "edit", "massage", "--activate").exit_code == 0
    result = practice("service", "deactivate", "massage")
    assert result.stderr == (
        "warning: packages five, ten include massage: clients who bought them can still book it; "
        "edit or deactivate those packages to stop new sales\n"
    )
    # A package of another service does not warn.
    result = practice("service", "deactivate", "thai")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "Deactivated service thai\n", "")


# ---------------------------------------------------------------- clients


def test_client_add_generates_ids_from_the_name(practice) -> None:
    result = practice("client", "add", "--name", "Bruno Costa")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "Added client bruno-costa\n", "")
    result = practice("client", "add", "--name", "Bruno Costa")
    assert (result.exit_code, result.stdout) == (0, "Added client bruno-costa-2\n")
    result = practice("client", "add", "--name", "Zoë Ñandú", "--format", "json")
    assert json.loads(result.stdout) == {"id": "zoe-nandu", "name": "Zoë Ñandú", "email": "", "phone": "", "notes": "", "tags": [],
                                         "unchanged": False}
    result = practice("client", "add", "--name", "李小龍")
    assert (result.exit_code, result.stdout) == (0, "Added client client\n")


def test_client_add_duplicate_is_refused(practice, data_dir: Path) -> None:
    before = (data_dir / "journal.jsonl").read_bytes()
    result = practice("client", "add", "ana", "--name", "Another Ana")
    assert_error(result, 1, "client 'ana' already exists with other details (name 'Ana Lima', not 'Another Ana'); "
                            "change it with 'sessionpack client edit ana'")
    assert (data_dir / "journal.jsonl").read_bytes() == before
    # The same details again: nothing to record, and a script may say it twice.
    result = practice("client", "add", "ana", "--name", "Ana Lima", "--email", "ana@example.com")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "Unchanged: client ana is already recorded with these details\n", "")
    assert (data_dir / "journal.jsonl").read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--email", "bea"), "email 'bea' is not an address like ana@example.com"),
        (("--email", "bea@example"), "email 'bea@example' is not an address like ana@example.com"),
        (("--phone", "abc"), "phone 'abc' is not a phone number like +351 912 345 678"),
        (("--phone", "12-34"), "phone '12-34' is not a phone number like +351 912 345 678"),
        (("--tag", "v i p"), "tag 'v i p' is not valid: use letters, digits, '-' and '_' (at most 40)"),
    ],
)
def test_client_add_bad_values(practice, data_dir: Path, args: tuple[str, str], message: str) -> None:
    before = (data_dir / "journal.jsonl").read_bytes()
    assert_error(practice("client", "add", "bea", "--name", "Bea", *args), 2, message)
    assert (data_dir / "journal.jsonl").read_bytes() == before


def test_client_add_bad_id(practice) -> None:
    assert_error(practice("client", "add", "Bea", "--name", "Bea"), 2, f"client id 'Bea' is not valid: {CLIENT_SLUG_HELP}")
    assert_error(practice("client", "add", "bea\n", "--name", "Bea"), 2, f"client id 'bea\\n' is not valid: {CLIENT_SLUG_HELP}")


def test_unknown_client(practice) -> None:
    message = "no client 'zoe'; see 'sessionpack client list' or add one with 'sessionpack client add'"
    assert_error(practice("client", "show", "zoe"), 2, message)
    assert_error(practice("client", "edit", "zoe", "--name", "Zoe"), 2, message)


def test_client_show(practice) -> None:
    assert practice("client", "add", "bea", "--name", "Bea Reis", "--email", "bea@example.com", "--phone", "+351 912 345 678",
                    "--notes", "left knee", "--tag", "runner,vip", "--tag", "runner").exit_code == 0
    result = practice("client", "show", "bea")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "Bea Reis (bea)\n"
        "email bea@example.com · phone +351 912 345 678 · tags runner, vip · client since 2026-11-20\n"
        "notes: left knee\n"
        "\n"
        "Packages: none\n"
        "\n"
        "Upcoming sessions: none\n"
        "\n"
        "Owed: nothing (0.00 EUR)\n"
    )
    assert json.loads(practice("client", "show", "bea", "--format", "json").stdout) == {
        "active": True, "email": "bea@example.com", "id": "bea", "name": "Bea Reis", "notes": "left knee",
        "phone": "+351 912 345 678", "since": "2026-11-20T09:00:00+00:00", "tags": ["runner", "vip"], "packages": [],
        "relations": [], "balances": [], "upcoming": [], "owed": {"items": [], "total": "0.00"},
        "owed_back": {"items": [], "total": "0.00"},
    }


def test_client_list_formats(practice) -> None:
    assert practice("client", "add", "bea", "--name", "Bea Reis", "--tag", "vip").exit_code == 0
    assert json.loads(practice("client", "list", "--format", "json").stdout) == [
        {"id": "ana", "name": "Ana Lima", "email": "ana@example.com", "phone": "", "tags": []},
        {"id": "bea", "name": "Bea Reis", "email": "", "phone": "", "tags": ["vip"]},
    ]
    assert practice("client", "list", "--format", "tsv").stdout == "id\tname\temail\tphone\ttags\nana\tAna Lima\tana@example.com\t\t\nbea\tBea Reis\t\t\tvip\n"
    assert practice("client", "list", "--tag", "vip", "--format", "csv").stdout == "id,name,email,phone,tags\nbea,Bea Reis,,,vip\n"
    assert practice("client", "list", "--tag", "nobody", "--format", "json").stdout == "[]\n"


def test_client_list_empty(sp) -> None:
    assert sp("init", "--timezone", "UTC").exit_code == 0
    result = sp("client", "list")
    assert (result.exit_code, result.stdout) == (0, "No clients yet: add one with 'sessionpack client add'\n")


def test_client_edit_and_tags(practice, data_dir: Path) -> None:
    result = practice("client", "edit", "ana", "--tag", "vip", "--tag", "runner")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "Changed client ana: tags\n", "")
    result = practice("client", "edit", "ana", "--untag", "runner", "--email", "", "--phone", "912345678", "--format", "json")
    assert json.loads(result.stdout) == {"email": "", "phone": "912345678", "tags": ["vip"]}
    result = practice("client", "edit", "ana", "--name", "Ana Lima Reis")
    assert result.stdout == "Changed client ana: name\n"
    assert practice("client", "list", "--format", "csv").stdout == "id,name,email,phone,tags\nana,Ana Lima Reis,,912345678,vip\n"
    event = journal_events(data_dir)[-1]
    assert {k: event[k] for k in ("type", "clients", "changes", "actor", "at")} == {
        "type": "client-edited", "clients": ["ana"], "changes": {"name": "Ana Lima Reis"}, "actor": "tester",
        "at": "2026-11-20T09:00:00+00:00",
    }


def test_client_edit_without_change(practice, data_dir: Path) -> None:
    before = (data_dir / "journal.jsonl").read_bytes()
    message = "nothing to change for client ana: give at least one new value"
    assert_error(practice("client", "edit", "ana"), 1, message)
    assert_error(practice("client", "edit", "ana", "--name", "Ana Lima", "--untag", "absent"), 1, message)
    assert_error(practice("client", "edit", "ana", "--email", "nope"), 2, "email 'nope' is not an address like ana@example.com")
    assert (data_dir / "journal.jsonl").read_bytes() == before


# ---------------------------------------------------------------- the error boundary


def test_unknown_command_is_one_line(practice) -> None:
    assert_error(practice("frobnicate"), 2, "No such command 'frobnicate'; see 'sessionpack --help'")
    assert_error(practice("client", "frobnicate"), 2, "No such command 'frobnicate'; see 'sessionpack client --help'")
    assert_error(practice("--bogus", "client", "list"), 2, "No such option: --bogus; see 'sessionpack --help'")


def test_missing_option_is_one_line(practice) -> None:
    assert_error(practice("client", "add", "bea"), 2, "Missing option '--name'; see 'sessionpack client add --help'")
    assert_error(practice("client", "show"), 2, "Missing argument 'ID'; see 'sessionpack client show --help'")


def test_bad_choice_is_one_line(practice) -> None:
    result = practice("client", "list", "--format", "xml")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("error: Invalid value for '--format': ")
    assert "'xml' is not one of 'table', 'json', 'jsonl', 'csv', 'tsv'" in result.stderr
    assert result.stderr.endswith("; see 'sessionpack client list --help'\n") and result.stderr.count("\n") == 1


def test_group_without_command_shows_help(practice) -> None:
    result = practice("client")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith("Usage: sessionpack client [OPTIONS] COMMAND [ARGS]...\n")
    result = CliRunner().invoke(app, [])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith("Usage: sessionpack [OPTIONS] COMMAND [ARGS]...\n")


INTERNAL = (
    "internal error (RuntimeError); nothing more was changed. "
    "Run again with SESSIONPACK_DEBUG=1 to see the details, and report it"
)


def _explode(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise RuntimeError("disk on fire: Ana Lima's secret notes")


def test_internal_error_is_exit_70_without_traceback(practice, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sessionpack.domain.clients.add_client", _explode)
    before = (data_dir / "journal.jsonl").read_bytes()
    result = practice("client", "add", "bea", "--name", "Bea")
    assert_error(result, 70, INTERNAL)
    assert "Traceback" not in result.output and "secret" not in result.output
    assert (data_dir / "journal.jsonl").read_bytes() == before


def test_internal_error_propagates_with_debug(practice, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sessionpack.domain.clients.add_client", _explode)
    monkeypatch.setenv("SESSIONPACK_DEBUG", "1")
    result = practice("client", "add", "bea", "--name", "Bea")
    assert isinstance(result.exception, RuntimeError)
    assert str(result.exception) == "disk on fire: Ana Lima's secret notes"
    assert result.exit_code == 1 and result.stdout == ""


def test_internal_error_in_a_service_command(practice, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sessionpack.domain.services.service_from_mapping", _explode)
    assert_error(practice("service", "add", "yoga", "--name", "Yoga", "--duration", "60", "--price", "20"), 70, INTERNAL)


# ---------------------------------------------------------------- user text is printed as typed


def test_rich_markup_in_user_data_prints_as_typed(practice) -> None:
    assert practice("client", "add", "bold", "--name", "[bold]x[/bold]").exit_code == 0
    assert practice("client", "add", "red", "--name", "[red]", "--notes", "[link=http://evil]y[/link]").exit_code == 0
    table = practice("client", "list").stdout
    assert "\nbold  [bold]x[/bold]\n" in table
    assert "\nred   [red]\n" in table
    assert "\x1b" not in table
    assert [row["name"] for row in json.loads(practice("client", "list", "--format", "json").stdout)] == ["Ana Lima", "[bold]x[/bold]", "[red]"]
    shown = practice("client", "show", "red").stdout
    assert shown.startswith("[red] (red)\n") and "notes: [link=http://evil]y[/link]\n" in shown
    assert practice("service", "add", "odd", "--name", "[i]Odd[/i]", "--duration", "10", "--price", "1").exit_code == 0
    assert "\nodd      [i]Odd[/i]    10 " in practice("service", "list").stdout


def test_machine_formats_never_wrap(practice) -> None:
    name = "Maria " + "x" * 194  # 200 characters, the longest name allowed
    notes = "n" * 300
    assert practice("client", "add", "long", "--name", name, "--notes", notes).exit_code == 0

    csv_out = practice("client", "list", "--format", "csv").stdout
    assert csv_out.splitlines() == ["id,name,email,phone,tags", "ana,Ana Lima,ana@example.com,,", f"long,{name},,,"]
    tsv_out = practice("client", "list", "--format", "tsv").stdout
    assert tsv_out.splitlines() == ["id\tname\temail\tphone\ttags", "ana\tAna Lima\tana@example.com\t\t", f"long\t{name}\t\t\t"]
    json_out = practice("client", "list", "--format", "json").stdout
    assert f'    "name": "{name}",' in json_out.splitlines()

    shown = practice("client", "show", "long", "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(shown)))
    assert len(shown.splitlines()) == 2 and dict(zip(rows[0], rows[1]))["notes"] == notes
    shown = practice("client", "show", "long", "--format", "tsv").stdout
    assert len(shown.splitlines()) == 2 and f"\t{notes}\t" in shown
    shown = practice("client", "show", "long", "--format", "json").stdout
    assert f'  "notes": "{notes}",' in shown.splitlines()
    shown = practice("client", "show", "long").stdout
    assert f"notes: {notes}\n" in shown


# ---------------------------------------------------------------- real processes


def test_module_and_console_script_print_the_version(sp) -> None:
    result = subprocess.run([sys.executable, "-m", "sessionpack", "--version"], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"sessionpack {__version__}\n", "")
    search = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    script = shutil.which("sessionpack", path=search)
    assert script is not None, "the sessionpack console script is not installed"
    result = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"sessionpack {__version__}\n", "")


def test_subprocess_errors_are_one_line(practice, data_dir: Path) -> None:
    result = practice.proc("client", "show", "zoe")
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "", "error: no client 'zoe'; see 'sessionpack client list' or add one with 'sessionpack client add'\n",
    )
    result = practice.proc("frobnicate")
    assert (result.returncode, result.stdout, result.stderr) == (2, "", "error: No such command 'frobnicate'; see 'sessionpack --help'\n")
    result = practice.proc("client", "add", "ana", "--name", "Ana")
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "", "error: client 'ana' already exists with other details (name 'Ana Lima', not 'Ana'); "
               "change it with 'sessionpack client edit ana'\n",
    )


def test_subprocess_success_and_uninitialised(sp, data_dir: Path) -> None:
    result = sp.proc("service", "list")
    assert (result.returncode, result.stdout) == (3, "")
    assert result.stderr == (
        f"error: data directory {data_dir} does not exist; create it with 'sessionpack init' "
        "or point --data-dir / SESSIONPACK_DATA_DIR at yours\n"
    )
    result = sp.proc("init", "--timezone", "Europe/Lisbon")
    assert (result.returncode, result.stdout, result.stderr) == (0, f"Initialised {data_dir}\n", "")
    result = sp.proc("client", "add", "--name", "Bruno Costa", "--format", "json")
    assert result.returncode == 0 and json.loads(result.stdout)["id"] == "bruno-costa"
