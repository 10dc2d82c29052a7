"""package create|clone|edit|list|show|deactivate|delete, word for word.

Every refusal is checked for its exact exit code and message, and for
writing nothing: the data directory hashes the same before and after.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from datetime import datetime
from pathlib import Path

import pytest

from sessionpack.cli.app import app


def assert_error(result, code: int, message: str) -> None:  # type: ignore[no-untyped-def]
    """Exactly one line on stderr, nothing on stdout, the exact exit code."""
    assert (result.exit_code, result.stderr, result.stdout) == (code, f"error: {message}\n", "")


def assert_ok(result, stdout: str, stderr: str = "") -> None:  # type: ignore[no-untyped-def]
    assert (result.exit_code, result.stdout, result.stderr) == (0, stdout, stderr)


def snapshot(root: Path) -> dict[str, str]:
    """Every file under the data directory with the hash of its bytes."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*")) if path.is_file()
    }


def record_sale(root: Path, package_id: str) -> None:
    """Commit a "sold" event through the storage API, as a sale would.

    ``clients`` is empty so that only views/sold.json (the sales count per
    package) is updated, whatever the client views make of sales.
    """
    from sessionpack.storage.catalog import load_package, load_services
    from sessionpack.storage.store import Store, load_settings

    settings = load_settings(str(root))
    store = Store(str(root), settings, datetime(2026, 11, 20, 9, tzinfo=settings.tz), "tester")
    with store.writing() as tx:
        package = load_package(str(root), settings.currency, package_id, load_services(str(root), settings.currency))
        tx.commit([{"type": "sold", "clients": [], "terms": package.terms()}])


@pytest.fixture
def pk(practice):  # type: ignore[no-untyped-def]
    """The practice (massage, thai, client ana) plus a sauna service."""
    result = practice("service", "add", "sauna", "--name", "Sauna", "--duration", "30", "--price", "12")
    assert result.exit_code == 0
    return practice


def show(runner, package_id: str) -> str:  # type: ignore[no-untyped-def]
    result = runner("package", "show", package_id)
    assert (result.exit_code, result.stderr) == (0, "")
    return result.stdout


def show_json(runner, package_id: str) -> dict:  # type: ignore[no-untyped-def]
    result = runner("package", "show", package_id, "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    return json.loads(result.stdout)


# ---------------------------------------------------------------- create: each kind


KINDS = {
    "fixed": (
        ["sampler", "--name", "Massage sampler", "--service", "massage=1", "--service", "thai=2",
         "--price", "250", "--tax", "23", "--expires", "3 months", "--no-show", "forfeit",
         "--category", "Massage", "--order", "1", "--description", "One massage and two Thai massages"],
        "Massage sampler (sampler)\n"
        "category Massage, display order 1\n"
        "One massage and two Thai massages\n"
        "1 × Massage 60, 2 × Thai massage\n"
        "price 250.00 EUR + 23% tax, paid upfront\n"
        "valid 3 months from purchase\n"
        "sessions must take place by the expiry date\n"
        "no-show: session forfeited\n"
        "late cancel (within 24 h): session returned\n"
        "not sold yet\n",
    ),
    "count": (
        ["ten", "--name", "10 sessions", "--pool", "count=10", "--services", "massage,thai",
         "--per-session", "--fee", "massage=70", "--fee", "thai=95.50",
         "--expires", "2 months from first use", "--weekdays", "mon,wed", "--time", "10:00-13:00"],
        "10 sessions (ten)\n"
        "10 sessions of any of: Massage 60, Thai massage\n"
        "paid per session: Massage 60 70.00 EUR, Thai massage 95.50 EUR, plus each service's tax\n"
        "valid 2 months from first use\n"
        "sessions must take place by the expiry date\n"
        "Mondays and Wednesdays 10:00–13:00 only\n"
        "no-show: session returned\n"
        "late cancel (within 24 h): session returned\n"
        "not sold yet\n",
    ),
    "minutes": (
        ["three-hours", "--name", "3 hours of massage", "--pool", "minutes=180", "--services", "massage",
         "--price", "240", "--expires", "10 weeks from purchase", "--provider", "Maria", "--provider", "Rui",
         "--visibility", "hidden", "--late-cancel-hours", "0"],
        "3 hours of massage (three-hours)\n"
        "180 minutes of Massage 60\n"
        "price 240.00 EUR + 0% tax, paid upfront\n"
        "valid 10 weeks from purchase\n"
        "sessions must take place by the expiry date\n"
        "with Maria or Rui only\n"
        "no-show: minutes returned\n"
        "no late-cancel window: a cancel returns what it drew\n"
        "hidden: not listed\n"
        "not sold yet\n",
    ),
    "money": (
        ["credit", "--name", "300 EUR credit", "--pool", "money=300", "--price", "270",
         "--expires", "on 2027-06-30", "--late-cancel-hours", "48", "--late-cancel", "charge",
         "--charge-percent", "50", "--expiry-limits", "booking"],
        "300 EUR credit (credit)\n"
        "300.00 EUR credit for any service\n"
        "price 270.00 EUR + 0% tax, paid upfront\n"
        "valid through 2027-06-30\n"
        "sessions must be booked by the expiry date (they may take place later)\n"
        "no-show: credit returned\n"
        "late cancel (within 48 h): 50% of the service price charged\n"
        "not sold yet\n",
    ),
    "unlimited-week": (
        ["sauna-week", "--name", "Sauna week", "--pool", "unlimited", "--services", "sauna", "--price", "0",
         "--expires", "1 week", "--visibility", "not-for-sale", "--between", "2026-12-01..2026-12-24",
         "--dates", "2026-12-31"],
        "Sauna week (sauna-week)\n"
        "unlimited sessions of Sauna\n"
        "price 0.00 EUR + 0% tax, paid upfront\n"
        "valid 1 week from purchase\n"
        "sessions must take place by the expiry date\n"
        "on 2026-12-01 to 2026-12-24, 2026-12-31 only\n"
        "no-show: session returned\n"
        "late cancel (within 24 h): session returned\n"
        "not for sale: assign only\n"
        "not sold yet\n",
    ),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_create_each_kind_from_options(pk, data_dir: Path, kind: str) -> None:
    args, words = KINDS[kind]
    assert_ok(pk("package", "create", *args), f"Created package {args[0]}\n")
    assert show(pk, args[0]) == words
    # The catalog file reads back to the same package.
    assert (data_dir / "packages" / f"{args[0]}.toml").exists()
    assert pk("check").stdout == "No problems found\n"


def test_created_catalog_file(pk, data_dir: Path) -> None:
    assert pk("package", "create", *KINDS["count"][0]).exit_code == 0
    assert (data_dir / "packages" / "ten.toml").read_text(encoding="utf-8") == (
        'name = "10 sessions"\n'
        'status = "active"\n'
        'visibility = "listed"\n'
        'expiry = "2 months from first use"\n'
        "\n"
        "[contents]\n"
        'pool = "count"\n'
        "amount = 10\n"
        "services = [\n"
        '    "massage",\n'
        '    "thai",\n'
        "]\n"
        "\n"
        "[payment]\n"
        'mode = "per-session"\n'
        "\n"
        "[payment.fees]\n"
        'massage = "70.00"\n'
        'thai = "95.50"\n'
        "\n"
        "[restrictions]\n"
        "weekdays = [\n"
        '    "mon",\n'
        '    "wed",\n'
        "]\n"
        'time_window = "10:00-13:00"\n'
        "\n"
        "[policies]\n"
        'no_show = "return"\n'
        "late_cancel_hours = 24\n"
        'late_cancel = "return"\n'
        'expiry_limits = "session"\n'
    )


def test_create_minimal_and_formats(pk) -> None:
    result = pk("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400",
                "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == {
        "id": "five", "currency": "EUR", "name": "5 massages", "description": "", "category": "", "order": 0,
        "status": "active", "visibility": "listed", "deleted": False, "expiry": "none",
        "contents": {"sessions": {"massage": 5}},
        "payment": {"mode": "upfront", "price": "400.00", "tax": "0"},
        "restrictions": {},
        "policies": {"no_show": "return", "late_cancel_hours": 24, "late_cancel": "return",
                     "expiry_limits": "session"},
    }
    result = pk("package", "create", "open", "--name", "Open", "--service", "sauna=unlimited", "--price", "99.5",
                "--tax", "6.5", "--inactive", "--format", "csv")
    assert_ok(result, "id,name,category,contents,price,expiry,status,visibility\n"
                      "open,Open,,unlimited sauna,99.50 + 6.5% tax,none,inactive,listed\n")


def test_per_session_pool_takes_its_services_from_the_fees(pk) -> None:
    result = pk("package", "create", "five", "--name", "Five", "--pool", "count=5", "--per-session",
                "--fee", "thai=80", "--fee", "massage=60")
    assert result.exit_code == 0
    terms = show_json(pk, "five")
    assert terms["contents"] == {"pool": "count", "amount": 5, "services": ["thai", "massage"]}
    assert terms["payment"] == {"mode": "per-session", "fees": {"thai": "80.00", "massage": "60.00"}}


def test_policy_defaults_come_from_settings(pk, data_dir: Path) -> None:
    settings = data_dir / "settings.toml"
    text = settings.read_text(encoding="utf-8")
    for old, new in (('no_show = "return"', 'no_show = "forfeit"'), ("late_cancel_hours = 24", "late_cancel_hours = 12"),
                     ('late_cancel = "return"', 'late_cancel = "charge"'),
                     ('expiry_limits = "session"', 'expiry_limits = "booking"')):
        assert old in text
        text = text.replace(old, new)
    settings.write_text(text, encoding="utf-8")
    assert pk("package", "create", "five", "--name", "Five", "--service", "massage=5", "--price", "400").exit_code == 0
    # "charge" is for money pools: a session package forfeits instead.
    assert show_json(pk, "five")["policies"] == {
        "no_show": "forfeit", "late_cancel_hours": 12, "late_cancel": "forfeit", "expiry_limits": "booking"}
    before = snapshot(data_dir)
    assert_error(pk("package", "create", "credit", "--name", "Credit", "--pool", "money=100", "--price", "90"), 2,
                 'settings.toml [policies] sets late_cancel = "charge": give --charge-percent N, '
                 "or --late-cancel return|forfeit")
    assert snapshot(data_dir) == before
    result = pk("package", "create", "credit", "--name", "Credit", "--pool", "money=100", "--price", "90",
                "--charge-percent", "25", "--no-show", "return")
    assert result.exit_code == 0
    assert show_json(pk, "credit")["policies"] == {
        "no_show": "return", "late_cancel_hours": 12, "late_cancel": "charge", "charge_percent": "25",
        "expiry_limits": "booking"}


# ---------------------------------------------------------------- create: refusals


FIVE = ["bad", "--name", "Bad", "--service", "massage=5", "--price", "400"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["bad", "--name", "Bad", "--pool", "money=300", "--per-session", "--fee", "massage=10"],
         "a money pool is paid upfront (its amount is the credit the client gets): "
         "use --price instead of --per-session"),
        ([*FIVE, "--weekdays", ""],
         "--weekdays: list at least one weekday (mon..sun), e.g. mon,wed, or leave the option out"),
        ([*FIVE, "--weekdays", " , "],
         "--weekdays: list at least one weekday (mon..sun), e.g. mon,wed, or leave the option out"),
        ([*FIVE, "--weekdays", "mon,funday"], "--weekdays: weekday 'funday' is not one of mon, tue, wed, thu, fri, sat, sun"),
        ([*FIVE, "--expires", "0 months"],
         "--expires: expiry '0 months' has a period of 0; use at least 1 (e.g. '1 month') or 'none' for no expiry"),
        ([*FIVE, "--expires", "1 fortnight"],
         "--expires: expiry unit 'fortnight' is not known: use days, weeks, months or years"),
        (["bad", "--name", "Bad", "--service", "reiki=5", "--price", "400"],
         "unknown service 'reiki'; add it with 'sessionpack service add reiki ...' or fix the name"),
        (["bad", "--name", "Bad", "--pool", "count=5", "--services", "massage,reiki", "--price", "400"],
         "unknown service 'reiki'; add it with 'sessionpack service add reiki ...' or fix the name"),
        (["bad", "--name", "Bad", "--service", "massage=5", "--pool", "count=5", "--price", "400"],
         "use either --service (fixed sessions per service) or --pool (one balance), not both"),
        (["bad", "--name", "Bad", "--price", "400"],
         "give the contents: --service SERVICE=N (repeatable) for fixed sessions, or "
         "--pool count=10|minutes=180|money=300|unlimited for one balance"),
        (["bad", "--name", "Bad", "--service", "massage=5"],
         "give --price (the package price, net of tax; 0 for a free package), "
         "or --per-session with a --fee for each service"),
        (["bad", "--service", "massage=5", "--price", "400"], "give --name (the name shown to people)"),
        (["bad", "--name", "Bad", "--service", "massage=5", "--service", "massage=2", "--price", "400"],
         "--service massage is given twice; give each service once"),
        (["bad", "--name", "Bad", "--service", "massage=0", "--price", "400"],
         "--service 'massage=0': the number of sessions must be 1 to 100000 or 'unlimited', e.g. massage=5"),
        (["bad", "--name", "Bad", "--service", "massage=5", "--services", "thai", "--price", "400"],
         "--services goes with --pool; with --service each service is named already"),
        (["bad", "--name", "Bad", "--services", "thai", "--price", "400"],
         "--services goes with --pool, e.g. --pool count=10 --services massage,thai"),
        (["bad", "--name", "Bad", "--pool", "hours=3", "--price", "400"],
         "--pool must be one of count=10, minutes=180, money=300 or unlimited, not 'hours=3'"),
        (["bad", "--name", "Bad", "--pool", "count=5", "--services", "massage,thai", "--per-session",
          "--fee", "massage=70"],
         "no fee for 'thai'; add --fee thai=AMOUNT (its fee per session, net of tax)"),
        (["bad", "--name", "Bad", "--service", "massage=5", "--per-session", "--fee", "massage=70", "--fee", "thai=1"],
         "--fee thai: 'thai' is not in this package's contents; drop the fee or include the service"),
        (["bad", "--name", "Bad", "--pool", "count=5", "--per-session"],
         "a per-session package needs its services listed, each with a fee: add --services a,b and a --fee for each"),
        ([*FIVE, "--per-session", "--fee", "massage=70"],
         "a per-session package has no package price or tax (each session is billed at its --fee plus the "
         "service's tax); drop --price and --tax, or use --upfront"),
        ([*FIVE, "--fee", "massage=70"],
         "package bad is paid upfront; --fee is for per-session packages: add --per-session"),
        ([*FIVE, "--upfront", "--per-session"], "use either --upfront or --per-session, not both"),
        ([*FIVE, "--price", "1.234"], "--price has more than 2 decimal places for EUR: 1.234"),
        ([*FIVE, "--tax", "120"], "--tax must be between 0 and 100, not 120"),
        ([*FIVE, "--late-cancel", "charge", "--charge-percent", "50"],
         "--late-cancel charge works only for money pools; use --late-cancel return or forfeit"),
        (["bad", "--name", "Bad", "--pool", "money=300", "--price", "270", "--late-cancel", "charge"],
         "--late-cancel charge needs --charge-percent N (the share of the service price a late cancel keeps)"),
        ([*FIVE, "--charge-percent", "50"], "--charge-percent goes with --late-cancel charge; drop one of them"),
        ([*FIVE, "--late-cancel", "forfeit", "--charge-percent", "50"],
         "--charge-percent goes with --late-cancel charge; drop one of them"),
        ([*FIVE, "--late-cancel-hours", "9000"], "--late-cancel-hours must be from 0 to 8760 (one year), not 9000"),
        ([*FIVE, "--time", "13:00-10:00"],
         "--time: time window '13:00-10:00' must start before it ends (it cannot cross midnight)"),
        ([*FIVE, "--between", "2026-12-24..2026-12-01"],
         "--between: date range 2026-12-24..2026-12-01 ends before it starts"),
        ([*FIVE, "--dates", "2026-12-01,soon"], "--dates: date must be a date like 2026-12-01, not 'soon'"),
        ([*FIVE, "--provider", " "], "--provider: give a provider's name, or leave the option out"),
        (["bad", "--name", "Bad", "--pool", "money=300", "--price", "270", "--late-cancel", "charge",
          "--charge-percent", "150"], "--charge-percent must be between 0 and 100, not 150"),
        ([*FIVE, "--price", "-5"], "--price must not be negative: -5"),
        ([*FIVE, "--order", "2000000"], "--order must be from -1000000 to 1000000, not 2000000"),
        (["Bad", "--name", "Bad", "--service", "massage=5", "--price", "400"],
         "package id 'Bad' is not valid: use lower-case letters, digits and single hyphens (at most 64 characters), "
         "e.g. 'massage-60'"),
    ],
)
def test_create_refusals_write_nothing(pk, data_dir: Path, args: list[str], message: str) -> None:
    before = snapshot(data_dir)
    assert_error(pk("package", "create", *args), 2, message)
    assert snapshot(data_dir) == before


def test_create_refuses_an_existing_id(pk, data_dir: Path) -> None:
    assert pk("package", "create", "five", "--name", "5", "--service", "massage=5", "--price", "400").exit_code == 0
    before = snapshot(data_dir)
    assert_error(pk("package", "create", "five", "--name", "Other", "--service", "thai=1", "--price", "1"), 1,
                 "package 'five' already exists; change it with 'sessionpack package edit five' or choose another id")
    assert snapshot(data_dir) == before
    assert pk("package", "delete", "five").exit_code == 0
    assert_error(pk("package", "create", "five", "--name", "Other", "--service", "thai=1", "--price", "1"), 1,
                 "package 'five' exists (deleted; its id stays taken); choose another id")


def test_create_with_an_inactive_service_warns(pk) -> None:
    assert pk("service", "deactivate", "sauna").exit_code == 0
    result = pk("package", "create", "week", "--name", "Week", "--pool", "unlimited", "--services", "sauna",
                "--price", "0")
    assert_ok(result, "Created package week\n",
              "warning: service sauna is inactive: week cannot be used for it until you run "
              "'sessionpack service edit sauna --activate'\n")


def test_bad_choice_is_a_usage_error(pk) -> None:
    result = pk("package", "create", *FIVE, "--visibility", "secret")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("error: Invalid value for '--visibility': ")
    assert result.stderr.endswith("; see 'sessionpack package create --help'\n")


# ---------------------------------------------------------------- clone and edit


def test_clone_is_an_independent_copy(pk, data_dir: Path) -> None:
    assert pk("package", "create", *KINDS["count"][0]).exit_code == 0
    original = show_json(pk, "ten")
    assert_ok(pk("package", "clone", "ten", "twelve", "--name", "12 sessions"), "Cloned package ten as twelve\n")
    copy = show_json(pk, "twelve")
    assert copy == {**original, "id": "twelve", "name": "12 sessions"}
    assert_ok(pk("package", "edit", "twelve", "--pool", "count=12", "--weekdays", "fri"), "Changed package twelve\n")
    assert show_json(pk, "ten") == original
    assert show_json(pk, "twelve")["contents"] == {"pool": "count", "amount": 12, "services": ["massage", "thai"]}
    # A clone without --name keeps the name; an existing target is refused.
    assert_ok(pk("package", "clone", "ten", "ten-copy"), "Cloned package ten as ten-copy\n")
    assert show_json(pk, "ten-copy")["name"] == "10 sessions"
    before = snapshot(data_dir)
    assert_error(pk("package", "clone", "ten", "twelve"), 1,
                 "package 'twelve' already exists; change it with 'sessionpack package edit twelve' "
                 "or choose another id")
    assert_error(pk("package", "clone", "nope", "other"), 2, "no package 'nope'; see 'sessionpack package list --all'")
    assert snapshot(data_dir) == before


def test_clone_of_a_deleted_package_is_not_deleted(pk) -> None:
    assert pk("package", "create", *FIVE).exit_code == 0
    assert pk("package", "deactivate", "bad").exit_code == 0
    assert pk("package", "delete", "bad").exit_code == 0
    result = pk("package", "clone", "bad", "good", "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    terms = json.loads(result.stdout)
    assert (terms["id"], terms["deleted"], terms["status"]) == ("good", False, "inactive")


def test_edit_changes_only_what_is_given(pk, data_dir: Path) -> None:
    assert pk("package", "create", *KINDS["count"][0]).exit_code == 0
    before = show_json(pk, "ten")
    assert_ok(pk("package", "edit", "ten", "--fee", "thai=99", "--time", "09:00-12:00", "--category", "Massage"),
              "Changed package ten\n")
    after = show_json(pk, "ten")
    assert after == {
        **before, "category": "Massage",
        "payment": {"mode": "per-session", "fees": {"massage": "70.00", "thai": "99.00"}},
        "restrictions": {"weekdays": ["mon", "wed"], "time_window": "09:00-12:00"},
    }
    # Switch to upfront; clear a restriction; replace the contents.
    assert pk("package", "edit", "ten", "--upfront", "--price", "600", "--clear", "time").exit_code == 0
    terms = show_json(pk, "ten")
    assert terms["payment"] == {"mode": "upfront", "price": "600.00", "tax": "0"}
    assert terms["restrictions"] == {"weekdays": ["mon", "wed"]}
    assert pk("package", "edit", "ten", "--service", "thai=3", "--clear", "restrictions").exit_code == 0
    terms = show_json(pk, "ten")
    assert (terms["contents"], terms["restrictions"], terms["payment"]["price"]) == (
        {"sessions": {"thai": 3}}, {}, "600.00")
    # The catalog file is rewritten in its canonical form.
    data = tomllib.loads((data_dir / "packages" / "ten.toml").read_text(encoding="utf-8"))
    assert data["contents"] == {"sessions": {"thai": 3}} and "restrictions" not in data


@pytest.mark.parametrize(
    "args, code, message",
    [
        ([], 1, "nothing to change for package ten: give at least one new value"),
        (["--weekdays", "wed,mon"], 1, "nothing to change for package ten: give at least one new value"),
        (["--price", "10"], 2, "package ten is paid per session; add --upfront to give it a --price"),
        (["--upfront"], 2, "give --price (the package price, net of tax; 0 for a free package), "
                           "or --per-session with a --fee for each service"),
        (["--service", "sauna=2"], 2, "no fee for 'sauna'; add --fee sauna=AMOUNT (its fee per session, net of tax)"),
        (["--services", "all"], 2, "a per-session package needs its services listed, each with a fee: "
                                   "add --services a,b and a --fee for each"),
        (["--weekdays", "fri", "--clear", "weekdays"], 2, "--clear weekdays and --weekdays together: give one of them"),
        (["--active", "--inactive"], 2, "use either --active or --inactive, not both"),
        (["--pool", "money=100"], 2, "a money pool is paid upfront (its amount is the credit the client gets): "
                                     "add --upfront and --price"),
        (["--expires", "0 weeks"], 2, "--expires: expiry '0 weeks' has a period of 0; use at least 1 "
                                      "(e.g. '1 month') or 'none' for no expiry"),
    ],
)
def test_edit_refusals_write_nothing(pk, data_dir: Path, args: list[str], code: int, message: str) -> None:
    assert pk("package", "create", *KINDS["count"][0]).exit_code == 0
    before = snapshot(data_dir)
    assert_error(pk("package", "edit", "ten", *args), code, message)
    assert snapshot(data_dir) == before


def test_edit_of_fixed_contents_refuses_pool_services(pk) -> None:
    assert pk("package", "create", *FIVE).exit_code == 0
    assert_error(pk("package", "edit", "bad", "--services", "thai"), 2,
                 "package bad has fixed sessions per service; --services goes with a pool: give --pool too")
    # A new pool over a fixed package spans every service unless --services says otherwise.
    assert pk("package", "edit", "bad", "--pool", "count=4").exit_code == 0
    assert show_json(pk, "bad")["contents"] == {"pool": "count", "amount": 4, "services": "all"}


def test_edit_of_a_sold_package_warns_that_sales_keep_their_terms(pk, data_dir: Path) -> None:
    assert pk("package", "create", *FIVE).exit_code == 0
    record_sale(data_dir, "bad")
    record_sale(data_dir, "bad")
    sold_terms = json.loads((data_dir / "journal.jsonl").read_text(encoding="utf-8").splitlines()[-1])["terms"]
    result = pk("package", "edit", "bad", "--price", "450")
    assert_ok(result, "Changed package bad\n",
              "warning: package bad has been sold 2 times: the change applies to new sales only; "
              "clients who bought it keep the terms they bought\n")
    assert show(pk, "bad").endswith("sold 2 times\n")
    # What was sold is what the journal recorded at the sale, not the edited package.
    assert sold_terms["payment"]["price"] == "400.00"
    assert show_json(pk, "bad")["payment"]["price"] == "450.00"


def test_deleted_package_cannot_be_edited(pk, data_dir: Path) -> None:
    assert pk("package", "create", *FIVE).exit_code == 0
    assert pk("package", "delete", "bad").exit_code == 0
    before = snapshot(data_dir)
    assert_error(pk("package", "edit", "bad", "--price", "1"), 1,
                 "package 'bad' is deleted and cannot be edited; copy it with 'sessionpack package clone bad NEW'")
    assert_error(pk("package", "deactivate", "bad"), 1, "package 'bad' is deleted, so it is not sold anyway")
    assert snapshot(data_dir) == before


# ---------------------------------------------------------------- list, show


def create_catalog(runner) -> None:  # type: ignore[no-untyped-def]
    for args in (
        ["zen", "--name", "Zen", "--service", "thai=1", "--price", "100", "--category", "Massage", "--order", "2"],
        ["five", "--name", "5 massages", "--service", "massage=5", "--price", "400", "--category", "Massage",
         "--order", "2"],
        ["intro", "--name", "Intro", "--service", "massage=1", "--price", "50", "--category", "Massage",
         "--order", "1"],
        ["week", "--name", "Sauna week", "--pool", "unlimited", "--services", "sauna", "--price", "0",
         "--expires", "1 week", "--visibility", "not-for-sale", "--category", "Sauna", "--order", "-1"],
        ["credit", "--name", "Credit", "--pool", "money=300", "--price", "270", "--tax", "23", "--expires", "12 months"],
        ["old", "--name", "Old offer", "--service", "massage=3", "--price", "200", "--category", "Massage",
         "--inactive"],
        ["gone", "--name", "Gone", "--service", "thai=2", "--price", "150"],
    ):
        result = runner("package", "create", *args)
        assert result.exit_code == 0, result.stderr
    assert runner("package", "delete", "gone").exit_code == 0


def test_list_groups_by_category_in_display_order(pk) -> None:
    create_catalog(pk)
    result = pk("package", "list", "--format", "csv")
    assert_ok(result, (
        "id,name,category,contents,price,expiry,status,visibility\n"
        "week,Sauna week,Sauna,unlimited sessions of sauna,0.00,1 week from purchase,active,not-for-sale\n"
        "intro,Intro,Massage,1 × massage,50.00,none,active,listed\n"
        "five,5 massages,Massage,5 × massage,400.00,none,active,listed\n"
        "zen,Zen,Massage,1 × thai,100.00,none,active,listed\n"
        "credit,Credit,,300.00 EUR credit for any service,270.00 + 23% tax,12 months from purchase,active,listed\n"
    ))
    result = pk("package", "list", "--all", "--format", "tsv")
    assert result.exit_code == 0
    assert [line.split("\t")[0] + ":" + line.split("\t")[6] for line in result.stdout.splitlines()[1:]] == [
        "week:active", "old:inactive", "intro:active", "five:active", "zen:active", "credit:active", "gone:deleted",
    ]


def test_list_table_and_json(pk) -> None:
    create_catalog(pk)
    table = pk("package", "list").stdout
    assert table.splitlines()[0].rstrip() == "Packages (EUR)"
    assert "\nintro   Intro       1 × massage  " in table  # piped: plain aligned columns (category with --wide)
    assert "\nintro   Intro       Massage   1 × massage  " in pk("package", "list", "--wide").stdout
    assert "old" not in table and "gone" not in table
    result = pk("package", "list", "--all", "--format", "json")
    listed = json.loads(result.stdout)
    assert [t["id"] for t in listed] == ["week", "old", "intro", "five", "zen", "credit", "gone"]
    assert listed[-1]["deleted"] is True
    assert listed[0] == show_json(pk, "week")


def test_list_when_empty(pk) -> None:
    assert_ok(pk("package", "list"), "No packages yet: create one with 'sessionpack package create'\n")
    assert_ok(pk("package", "list", "--format", "json"), "[]\n")
    assert pk("package", "create", *FIVE, "--inactive").exit_code == 0
    assert_ok(pk("package", "list"), "No active packages; see 'sessionpack package list --all'\n")


def test_show_in_plain_words(pk) -> None:
    args = ["ten", "--name", "10 sessions", "--pool", "count=10", "--services", "massage", "--price", "500",
            "--expires", "2 months from first use", "--weekdays", "mon", "--time", "10:00-13:00"]
    assert pk("package", "create", *args).exit_code == 0
    words = show(pk, "ten")
    assert "valid 2 months from first use\n" in words
    assert "Mondays 10:00–13:00 only\n" in words
    assert_error(pk("package", "show", "nope"), 2, "no package 'nope'; see 'sessionpack package list --all'")
    result = pk("package", "show", "ten", "--format", "csv")
    assert_ok(result, "id,name,category,contents,price,expiry,status,visibility\n"
                      "ten,10 sessions,,10 sessions of massage,500.00,2 months from first use,active,listed\n")


# ---------------------------------------------------------------- deactivate, delete


def test_deactivate(pk, data_dir: Path) -> None:
    assert pk("package", "create", *FIVE).exit_code == 0
    assert_ok(pk("package", "deactivate", "bad"), "Deactivated package bad\n")
    assert tomllib.loads((data_dir / "packages" / "bad.toml").read_text(encoding="utf-8"))["status"] == "inactive"
    assert show(pk, "bad").endswith("inactive: not sold now\nnot sold yet\n")
    before = snapshot(data_dir)
    assert_error(pk("package", "deactivate", "bad"), 1, "package bad is already inactive")
    assert_error(pk("package", "deactivate", "nope"), 2, "no package 'nope'; see 'sessionpack package list --all'")
    assert snapshot(data_dir) == before
    assert_ok(pk("package", "edit", "bad", "--active"), "Changed package bad\n")
    assert show_json(pk, "bad")["status"] == "active"


def test_delete_is_soft(pk, data_dir: Path) -> None:
    assert pk("package", "create", *FIVE).exit_code == 0
    assert_ok(pk("package", "delete", "bad"), "Deleted package bad\n")
    data = tomllib.loads((data_dir / "packages" / "bad.toml").read_text(encoding="utf-8"))
    assert data["deleted"] is True and data["contents"] == {"sessions": {"massage": 5}}
    assert pk("package", "list").stdout == "No active packages; see 'sessionpack package list --all'\n"
    assert pk("package", "list", "--all", "--format", "csv").stdout.splitlines()[1] == (
        "bad,Bad,,5 × massage,400.00,none,deleted,listed")
    assert show(pk, "bad").endswith("deleted\nnot sold yet\n")
    before = snapshot(data_dir)
    assert_error(pk("package", "delete", "bad"), 1, "package 'bad' is already deleted")
    assert snapshot(data_dir) == before


def test_delete_of_a_sold_package_is_refused(pk, data_dir: Path) -> None:
    assert pk("package", "create", *FIVE).exit_code == 0
    record_sale(data_dir, "bad")
    before = snapshot(data_dir)
    assert_error(pk("package", "delete", "bad"), 1,
                 "package 'bad' has been sold 1 time and cannot be deleted; "
                 "deactivate it with 'sessionpack package deactivate bad'")
    assert snapshot(data_dir) == before
    record_sale(data_dir, "bad")
    assert_error(pk("package", "delete", "bad"), 1,
                 "package 'bad' has been sold 2 times and cannot be deleted; "
                 "deactivate it with 'sessionpack package deactivate bad'")
    assert_ok(pk("package", "deactivate", "bad"), "Deactivated package bad\n")
    assert pk("check").stdout == "No problems found\n"


# ---------------------------------------------------------------- JSON round trip


@pytest.mark.parametrize("kind", list(KINDS))
def test_json_round_trip(pk, kind: str) -> None:
    args, _ = KINDS[kind]
    assert pk("package", "create", *args).exit_code == 0
    first = show_json(pk, args[0])
    result = pk("package", "create", "copy", "--from-json", "-", input=json.dumps(first))
    assert_ok(result, "Created package copy\n")
    assert show_json(pk, "copy") == {**first, "id": "copy"}


def test_json_round_trip_through_a_real_pipe(pk, data_dir: Path) -> None:
    assert pk("package", "create", *KINDS["count"][0], "--description", "Ünïcode — fine").exit_code == 0
    first = pk.proc("package", "show", "ten", "--format", "json")
    assert (first.returncode, first.stderr) == (0, "")
    second = pk.proc("package", "create", "ten-b", "--from-json", "-", input=first.stdout)
    assert (second.returncode, second.stdout, second.stderr) == (0, "Created package ten-b\n", "")
    assert json.loads(pk.proc("package", "show", "ten-b", "--format", "json").stdout) == {
        **json.loads(first.stdout), "id": "ten-b"}


def test_from_json_with_overrides_and_from_a_file(pk, tmp_path: Path) -> None:
    assert pk("package", "create", *KINDS["fixed"][0]).exit_code == 0
    source = tmp_path / "sampler.json"
    source.write_text(pk("package", "show", "sampler", "--format", "json").stdout, encoding="utf-8")
    result = pk("package", "create", "sampler-2", "--from-json", str(source), "--name", "Sampler 2",
                "--price", "230", "--no-show", "return")
    assert_ok(result, "Created package sampler-2\n")
    terms = show_json(pk, "sampler-2")
    assert {k: terms[k] for k in ("name", "category", "contents", "payment")} == {
        "name": "Sampler 2", "category": "Massage", "contents": {"sessions": {"massage": 1, "thai": 2}},
        "payment": {"mode": "upfront", "price": "230.00", "tax": "23"},
    }
    assert terms["policies"]["no_show"] == "return"
    # Edit from JSON replaces every term; options still override.
    assert pk("package", "edit", "sampler", "--from-json", str(source), "--order", "5").exit_code == 0
    assert show_json(pk, "sampler")["order"] == 5


@pytest.mark.parametrize(
    "text, message",
    [
        ("{x", "--from-json: not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 "
               "(char 1)); give one package as printed by 'sessionpack package show ID --format json'"),
        ("[]", "--from-json: expected one JSON object; give one package as printed by "
               "'sessionpack package show ID --format json'"),
        ('{"name": "X", "currency": "USD", "contents": {"sessions": {"massage": 1}}, "payment": {"price": "1"}}',
         "--from-json: the package is in 'USD' but this practice uses EUR; convert its amounts and set "
         "\"currency\" to match"),
        ('{"name": "X", "contents": {"sessions": {"massage": 1}}, "payment": {"price": "1"}, "colour": "red"}',
         "--from-json: colour: unknown key; allowed keys are name, description, category, order, status, visibility, "
         "deleted, expiry, contents, payment, restrictions, policies"),
        ('{"name": "X", "contents": {"sessions": {"reiki": 1}}, "payment": {"price": "1"}}',
         "unknown service 'reiki'; add it with 'sessionpack service add reiki ...' or fix the name"),
    ],
)
def test_from_json_refusals(pk, data_dir: Path, text: str, message: str) -> None:
    before = snapshot(data_dir)
    assert_error(pk("package", "create", "x", "--from-json", "-", input=text), 2, message)
    assert snapshot(data_dir) == before


def test_from_json_fills_missing_policies_from_settings(pk) -> None:
    text = '{"name": "X", "contents": {"sessions": {"massage": 1}}, "payment": {"price": "1"}, ' \
           '"policies": {"no_show": "forfeit"}}'
    assert pk("package", "create", "x", "--from-json", "-", input=text).exit_code == 0
    assert show_json(pk, "x")["policies"] == {
        "no_show": "forfeit", "late_cancel_hours": 24, "late_cancel": "return", "expiry_limits": "session"}


def test_from_json_missing_file(pk, tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    assert_error(pk("package", "create", "x", "--from-json", str(missing)), 2,
                 f"--from-json: cannot read {missing}: No such file or directory")


# ---------------------------------------------------------------- hand-written files


def test_hand_written_file_with_a_mistake_names_file_and_line(pk, data_dir: Path) -> None:
    assert pk("package", "create", *FIVE).exit_code == 0
    (data_dir / "packages" / "x.toml").write_text(
        '# a package written by hand\n'
        'name = "Hand made"\n'
        'expiry = "0 months"\n'
        "\n"
        "[contents]\n"
        "sessions = { massage = 5 }\n"
        "\n"
        "[payment]\n"
        'price = "400"\n',
        encoding="utf-8",
    )
    before = snapshot(data_dir)
    assert_error(pk("package", "list"), 2,
                 "packages/x.toml:3: expiry: expiry '0 months' has a period of 0; use at least 1 (e.g. '1 month') "
                 "or 'none' for no expiry; fix it and run the command again")
    assert snapshot(data_dir) == before
    (data_dir / "packages" / "x.toml").write_text(
        'name = "Hand made"\n[contents]\npool = "count"\namount = 5\nservices = ["massage", "reiki"]\n'
        '[payment]\nprice = "400"\n', encoding="utf-8")
    assert_error(pk("package", "show", "x"), 2,
                 "packages/x.toml:5: contents.services: unknown service 'reiki'; add it with "
                 "'sessionpack service add reiki ...' or fix the name; fix it and run the command again")


def test_hand_written_file_is_used_as_written(pk, data_dir: Path) -> None:
    (data_dir / "packages" / "hand.toml").write_text(
        'name = "By hand"\nexpiry = 2027-06-30\n[contents]\npool = "minutes"\namount = 120\n'
        'services = ["massage"]\n[payment]\nprice = 150\n[restrictions]\nweekdays = ["sat"]\n', encoding="utf-8")
    assert show(pk, "hand") == (
        "By hand (hand)\n"
        "120 minutes of Massage 60\n"
        "price 150.00 EUR + 0% tax, paid upfront\n"
        "valid through 2027-06-30\n"
        "sessions must take place by the expiry date\n"
        "Saturdays only\n"
        "no-show: minutes returned\n"
        "late cancel (within 24 h): minutes returned\n"
        "not sold yet\n"
    )


# ---------------------------------------------------------------- help


@pytest.mark.parametrize("command", ["create", "clone", "edit", "list", "show", "deactivate", "delete"])
def test_every_package_command_has_help_with_an_example(command: str) -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["package", command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout and "sessionpack package " in result.stdout


# ---------------------------------------------------------------- the examples of docs/packages.md


def test_the_documented_package_files_are_valid(sp, data_dir: Path) -> None:
    import re

    page = (Path(__file__).resolve().parents[2] / "docs" / "packages.md").read_text(encoding="utf-8")
    section = page[page.index("<!-- packages:begin -->"):page.index("<!-- packages:end -->")]
    blocks = re.findall(r"```toml\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 5
    assert sp("init", "--currency", "EUR", "--timezone", "Europe/Lisbon").exit_code == 0
    for sid in ("massage-60", "massage-90", "thai", "sauna"):
        assert sp("service", "add", sid, "--name", sid, "--duration", "60", "--price", "50").exit_code == 0
    for number, block in enumerate(blocks, start=1):
        (data_dir / "packages" / f"documented-{number}.toml").write_text(block, encoding="utf-8")
    result = sp("package", "list", "--all", "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    kinds = [t["contents"].get("pool", "fixed") for t in sorted(json.loads(result.stdout), key=lambda t: t["id"])]
    assert kinds == ["fixed", "count", "minutes", "money", "unlimited"]
    assert sp("check").stdout == "No problems found\n"
