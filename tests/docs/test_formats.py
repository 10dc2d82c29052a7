"""docs/formats.md (and every page with examples: the guide) shows what the
commands really print.

Every example of a page is run again, in order, on a fresh copy of
data-example/ (scripts/docs_examples.py), and its output must be the one the
page shows, byte for byte (access codes, which are random, as stand-ins).
A command that prints another key, column or value than the page documents
fails here; so does a command that takes --format but has no example in
docs/formats.md.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import shlex
from pathlib import Path

import pytest
import typer

from sessionpack.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "formats.md"


def _tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("docs_examples", ROOT / "scripts" / "docs_examples.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


TOOL = _tool()


def _commands_with_formats() -> list[tuple[str, ...]]:
    found = []

    def walk(command, path):  # type: ignore[no-untyped-def]
        for name, sub in getattr(command, "commands", {}).items():
            if sub.hidden:
                continue
            walk(sub, path + (name,))
        if any("--format" in getattr(p, "opts", []) for p in getattr(command, "params", [])):
            found.append(path)

    walk(typer.main.get_command(app), ())
    return sorted(found)


@pytest.fixture(scope="module")
def page() -> str:
    return PAGE.read_text(encoding="utf-8")


EXAMPLE_PAGES = sorted(p for p in (ROOT / "docs").glob("*.md") if TOOL.has_examples(p.read_text(encoding="utf-8")))


def test_the_pages_with_examples() -> None:
    assert {"formats.md", "guide.md"} <= {p.name for p in EXAMPLE_PAGES}


@pytest.mark.parametrize("path", EXAMPLE_PAGES, ids=lambda p: p.name)
def test_every_example_prints_what_the_page_shows(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fresh = TOOL.refreshed(text)
    if fresh != text:
        name = f"docs/{path.name}"
        diff = "".join(list(difflib.unified_diff(text.splitlines(True), fresh.splitlines(True), name,
                                                 "what the commands print now", n=2))[:80])
        pytest.fail(f"{name} is stale: run '{TOOL.REGENERATE}', review the diff and commit it\n{diff}")


def test_every_command_that_takes_a_format_has_a_machine_example(page: str) -> None:
    shown: dict[tuple[str, ...], set[str]] = {}
    for line in TOOL.examples(page):
        words = shlex.split(line.split("|")[0].split(";")[0].split("<<")[0])
        path = tuple(w for w in words[1:3] if not w.startswith("-"))
        fmt = words[words.index("--format") + 1] if "--format" in words else "table"
        for length in (2, 1):
            shown.setdefault(path[:length], set()).add(fmt)
    missing = [" ".join(path) for path in _commands_with_formats()
               if not shown.get(path, set()) & {"json", "jsonl", "csv", "tsv"}]
    assert not missing, (f"docs/formats.md has no json, jsonl, csv or tsv example of: {', '.join(missing)}; add one "
                         f"('<!-- example -->' and a block '$ sessionpack ... --format json'), then run '{TOOL.REGENERATE}'")


def test_the_json_examples_are_json(page: str) -> None:
    for found in TOOL.BLOCK.finditer(page):
        command, _, shown = TOOL._parts(found.group("body"))
        output = "\n".join(line for line in shown.splitlines() if not line.startswith("warning: "))  # stderr follows
        if "--format json " in command + " " and "|" not in command:
            json.loads(output)
        if "--format jsonl" in command:
            for line in output.splitlines():
                assert isinstance(json.loads(line), dict), line


def test_stand_ins_replace_the_access_codes() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        session = TOOL.Session(Path(scratch))
        code, out, _ = session.run("sessionpack code reset ana.p1 --format json")
        shown = json.loads(out)["code"]
        assert code == 0 and shown == "NACK-PBDJ-XPHV-5WRZ-QWON-WUOT-2O52-7F5X"  # the first stand-in, always
        code, out, err = session.run(f"sessionpack balance --code {shown} --format json")
        assert (code, err) == (0, "") and json.loads(out)["id"] == "ana.p1"  # the real code reached the command
