"""The documentation cannot go stale (as sqlite-utils' test_docs.py):

- docs/cli.md is what ``python -m sessionpack.cli.reference`` writes now;
- every link between the README and the pages of docs/ leads to a file of
  the repository, and to a heading that exists;
- no page points outside the repository;
- the README's two set-up commands are the ones CI runs.

The JSON shapes of docs/formats.md are pinned in test_formats.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from sessionpack.cli.reference import REGENERATE, anchor, reference

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md"), ROOT / "bench" / "README.md",
                ROOT / "completions" / "README.md"])
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)


def test_the_cli_reference_is_current() -> None:
    written = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert written == reference(), f"docs/cli.md is stale: run scripts/update-docs.sh (or '{REGENERATE}') and commit it"


def test_the_cli_reference_module_writes_the_page() -> None:
    done = subprocess.run([sys.executable, "-m", "sessionpack.cli.reference"], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == reference()


def test_the_reference_lists_every_command() -> None:
    text = reference()
    for heading in ("## `sessionpack balance`", "## `sessionpack client add`", "## `sessionpack report liability`",
                    "## `sessionpack code reset`", "## `sessionpack notify`"):
        assert heading in text
    assert "- `--format <table|json|jsonl|csv|tsv>`: Output format. [default: table]" in text
    assert "[env var: SESSIONPACK_DATA_DIR]" in text


def _headings(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for title in re.findall(r"^#{1,6} (.+)$", text, flags=re.M):
        slug, number = anchor(title), 1
        while slug in found:  # a repeated heading gets -1, -2, ... as on GitHub
            slug, number = f"{anchor(title)}-{number}", number + 1
        found.add(slug)
    return found


def _links(path: Path) -> list[str]:
    return LINK.findall(FENCE.sub("", path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_leads_to_a_file_and_heading_of_the_repository(page: Path) -> None:
    for target in _links(page):
        assert not re.match(r"[a-z][a-z0-9+.-]*:", target), f"{page.name}: {target} points outside the repository"
        assert not target.startswith("/"), f"{page.name}: {target} is an absolute path"
        file_part, _, fragment = target.partition("#")
        linked = (page.parent / file_part).resolve() if file_part else page
        assert linked.exists(), f"{page.name}: {target} names no file"
        assert ROOT in linked.parents or linked == ROOT, f"{page.name}: {target} is outside the repository"
        if fragment and linked.suffix == ".md":
            assert fragment in _headings(linked), f"{page.name}: {target}: no such heading in {linked.name}"


def test_the_docs_pages_are_all_reachable_from_the_readme() -> None:
    seen: set[Path] = set()
    todo = [ROOT / "README.md"]
    while todo:
        page = todo.pop()
        if page in seen or page.suffix != ".md":
            continue
        seen.add(page)
        todo.extend((page.parent / t.partition("#")[0]).resolve() for t in _links(page) if t.partition("#")[0])
    missing = [p.name for p in (ROOT / "docs").glob("*.md") if p not in seen]
    assert not missing, f"not linked from the README or a page it links to: {missing}"


def test_no_document_names_an_outside_specification() -> None:
    word = "S" + "PEC"  # spelled apart, so this file does not hold it
    for page in PAGES:
        assert not re.search(rf"\b{word}\b", page.read_text(encoding="utf-8")), page


def test_the_readme_set_up_commands_are_the_ones_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    [ci_command] = [line for line in ci.splitlines() if line.startswith("python3 -m venv")]
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, flags=re.S)
    assert ci_command in blocks, "the README's test command is not the one .ci/run runs"
    run = [b for b in blocks if b.startswith("python3 -m venv .venv && .venv/bin/pip install -q -e . && ")]
    assert run and "--data-dir data-example" in run[0]
