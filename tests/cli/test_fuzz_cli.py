"""Whatever a person or a file gives, sessionpack answers 0, 1, 2 or 3 with
one clear line, and a refused command changes nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tree import tree_hash

# Examples per test in the suite; bench/faults.py runs the same tests with many more.
FUZZ = int(os.environ.get("SESSIONPACK_FUZZ_EXAMPLES", "10"))

PIECES = ["2026-12-01", "T10:00", "+05:00", "-", "+", ".", "..", ",", ":", "=", " ", "e9", "NaN", "9" * 30, "0", "٣", "９０",
          "\x1b[2J", "\n", "mon", "every", "2", "weeks", "from first use", "unlimited", "count=", "money=", "massage",
          "0001-01-01", "9999-12-31", "T23:59", "today", "ana", ".p1", ".b1", "../", "/etc/passwd", "%s", "[bold]"]
VALUE = st.one_of(st.text(max_size=30).filter(lambda t: "\x00" not in t),
                  st.lists(st.sampled_from(PIECES), min_size=1, max_size=5).map("".join))

# Each template has one slot, X, for the generated value.
TEMPLATES = [
    ("--now", "X", "balance", "ana"),
    ("book", "ana", "massage", "X"),
    ("book", "ana", "massage", "2026-12-01T10:00", "--repeat", "X", "--count", "3"),
    ("book", "ana", "massage", "2026-12-01T10:00", "--repeat", "weekly", "--count", "X"),
    ("book", "ana", "massage", "2026-12-02T10:00", "--duration", "X"),
    ("book", "ana", "massage", "2026-12-03T10:00", "--provider", "X"),
    ("sell", "ana", "five", "--price", "X"),
    ("sell", "ana", "five", "--paid", "X"),
    ("sell", "ana", "five", "--date", "X"),
    ("sell", "ana", "five", "--ref", "X"),
    ("sell", "ana", "five", "--invoice", "X"),
    ("sell", "X", "five"),
    ("adjust", "ana.p1", "--sessions", "X", "--reason", "fuzz"),
    ("adjust", "ana.p1", "--expires", "X", "--reason", "fuzz"),
    ("adjust", "ana.p1", "--sessions", "+1", "--reason", "X"),
    ("pause", "ana.p1", "X", "2027-01-10"),
    ("pay", "ana.p1", "X"),
    ("client", "add", "X", "--name", "Someone"),
    ("client", "add", "--name", "X"),
    ("client", "edit", "ana", "--email", "X"),
    ("client", "edit", "ana", "--phone", "X"),
    ("client", "edit", "ana", "--tag", "X"),
    ("client", "relate", "ana", "bob", "--as", "X"),
    ("service", "add", "s1", "--name", "S", "--duration", "X", "--price", "10"),
    ("service", "add", "s2", "--name", "S", "--duration", "30", "--price", "10", "--tax", "X"),
    ("package", "create", "p1", "--name", "P", "--service", "X", "--price", "10"),
    ("package", "create", "p2", "--name", "P", "--pool", "X", "--price", "10"),
    ("package", "create", "p3", "--name", "P", "--service", "massage=2", "--price", "10", "--expires", "X"),
    ("package", "create", "p4", "--name", "P", "--service", "massage=2", "--price", "10", "--time", "X"),
    ("package", "create", "p5", "--name", "P", "--service", "massage=2", "--price", "10", "--weekdays", "X"),
    ("package", "create", "p6", "--name", "P", "--service", "massage=2", "--price", "10", "--between", "X"),
    ("package", "create", "p7", "--name", "P", "--service", "massage=2", "--price", "10", "--dates", "X"),
    ("history", "X"),
    ("balance", "X"),
    ("cancel", "X"),
    ("balance", "--code", "X"),
]


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    assert practice("client", "add", "bob", "--name", "Bob").exit_code == 0
    assert practice("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400").exit_code == 0
    assert practice("sell", "ana", "five").exit_code == 0
    return practice


@pytest.mark.parametrize("template", TEMPLATES, ids=[" ".join(t[:3]) for t in TEMPLATES])
@settings(max_examples=FUZZ, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(value=VALUE)
def test_any_value_gets_an_answer_never_an_internal_error(shop, data_dir: Path, template: tuple[str, ...], value: str) -> None:
    args = [value if part == "X" else part for part in template]
    before = tree_hash(data_dir)
    result = shop(*args)
    assert result.exit_code in (0, 1, 2, 3), (args, result.exit_code, result.stderr)
    if result.exit_code:
        assert result.stdout == "", (args, result.stdout)
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, (args, result.stderr)
        assert tree_hash(data_dir) == before, args


# -- files a person may have edited -------------------------------------------------------------

JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False) | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                           max_leaves=10)


def mutate(view: object, path: list[int], replacement: object) -> object:
    """``view`` with one value somewhere inside it replaced (or a key dropped)."""
    if not path or not isinstance(view, (dict, list)) or not view:
        return replacement
    keys = sorted(view) if isinstance(view, dict) else list(range(len(view)))
    key = keys[path[0] % len(keys)]
    copy = dict(view) if isinstance(view, dict) else list(view)
    if isinstance(copy, dict) and len(path) == 1 and replacement == "__drop__":
        del copy[key]
        return copy
    copy[key] = mutate(copy[key], path[1:], replacement)
    return copy


@settings(max_examples=4 * FUZZ, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(path=st.lists(st.integers(0, 50), min_size=1, max_size=6), replacement=JSON_VALUES | st.just("__drop__"))
def test_a_damaged_client_view_is_named_never_a_crash(shop, data_dir: Path, tmp_path_factory, path: list[int], replacement: object) -> None:  # type: ignore[no-untyped-def]
    import shutil

    root = tmp_path_factory.mktemp("damaged") / "practice"
    shutil.copytree(data_dir, root)
    view_path = root / "views" / "clients" / "ana.json"
    view_path.write_text(json.dumps(mutate(json.loads(view_path.read_bytes()), path, replacement)))
    before = tree_hash(root)
    for args in (("balance", "ana"), ("history", "ana"), ("client", "show", "ana"), ("balance",),
                 ("book", "ana", "massage", "2026-12-09T10:00")):
        result = shop("--data-dir", str(root), *args)
        assert result.exit_code in (0, 1, 2, 3), (args, result.stderr)
        if result.exit_code:
            assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, (args, result.stderr)
        if args[0] != "book" or result.exit_code:
            assert tree_hash(root) == before, args
    shutil.rmtree(root)


@settings(max_examples=2 * FUZZ, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(line=JSON_VALUES.map(lambda v: json.dumps(v)) | st.binary(max_size=40).map(lambda b: b.decode("latin-1")))
def test_a_hand_added_journal_line_is_named_never_a_crash(shop, data_dir: Path, line: str) -> None:
    journal = data_dir / "journal.jsonl"
    original = journal.read_bytes()
    seq = original.count(b"\n")
    try:
        for text in (line, json.dumps({"type": "sold", "seq": seq, "clients": ["ana"]}), line.replace("\n", " ")):
            journal.write_bytes(original + text.encode("utf-8", "surrogateescape") + b"\n")
            before = tree_hash(data_dir)
            for args in (("balance", "ana"), ("check",)):
                result = shop(*args)
                assert result.exit_code in (0, 3), (args, text, result.stderr)
                assert tree_hash(data_dir) == before
    finally:
        journal.write_bytes(original)


@pytest.mark.parametrize("where, code", [("packages/deep.toml", 2), ("services/deep.toml", 2), ("settings.toml", 3)])
def test_toml_nested_too_deeply_is_refused(shop, data_dir: Path, where: str, code: int) -> None:
    (data_dir / where).write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    before = tree_hash(data_dir)
    result = shop("package", "list")
    assert (result.exit_code, result.stdout) == (code, "")
    assert result.stderr == f"error: {where}: nests tables or arrays too deeply to be read; flatten it and run the command again\n"
    assert tree_hash(data_dir) == before


def test_a_view_nested_too_deeply_is_refused(shop, data_dir: Path) -> None:
    (data_dir / "views" / "clients" / "ana.json").write_text("[" * 100_000 + "]" * 100_000)
    before = tree_hash(data_dir)
    result = shop("balance", "ana")
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == "error: views/clients/ana.json:1: is damaged; rebuild the views with 'sessionpack check --rebuild'\n"
    assert tree_hash(data_dir) == before


@settings(max_examples=3 * FUZZ, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=st.text(max_size=200) | st.lists(st.sampled_from(['name = "x"\n', "[contents]\n", "sessions = { massage = 5 }\n",
                                                              "[payment]\n", 'price = "400"\n', "expiry = ", "'3 months'\n",
                                                              "[restrictions]\n", "time = '10:00-25:00'\n", "pool = 'money'\n",
                                                              "money = 1e400\n", "x = [[[1]]]\n"]), max_size=10).map("".join))
def test_a_hand_edited_catalog_file_gets_one_clear_line(shop, data_dir: Path, text: str) -> None:
    path = data_dir / "packages" / "edited.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass") if "\ud800" not in text else path.write_bytes(b"\xff")
    before = tree_hash(data_dir)
    for args in (("package", "list"), ("package", "show", "edited"), ("sell", "ana", "edited")):
        result = shop(*args)
        assert result.exit_code in (0, 1, 2, 3), (args, result.stderr)
        if result.exit_code:
            assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, (args, result.stderr)
            assert tree_hash(data_dir) == before
    path.unlink()
