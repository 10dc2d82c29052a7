"""Run the examples of a documentation page and write their real output into it.

    .venv/bin/python scripts/docs_examples.py docs/formats.md          # rewrite the page
    .venv/bin/python scripts/docs_examples.py --check docs/formats.md  # exit 1 if it is stale

An example is a fenced block right after a line ``<!-- example -->``; its
first line is the command, ``$ sessionpack ...``, and the rest of the block is
what the command prints (standard output, then standard error). A command
may end with ``| head -N`` (only the first N lines are kept), with
``; echo $?`` (its exit code is printed after its output), or with
``<<'END'`` followed by the lines of its standard input and ``END``. A line
``<!-- run: sessionpack ... -->`` runs a command whose output is not shown
(it must succeed); a line ``<!-- now: 2026-03-04T19:00 -->`` sets the clock
of the commands after it (a week can go by on one page).

Every command of a page runs, in the page's order, on one fresh copy of
``data-example/`` at ``--now 2026-03-02T09:00`` (the actor ``marta``, no
hooks), so an example can build on the ones above it. Access codes are
random: each one is written as a fixed stand-in (the first code of the page
always gets the same one), and a stand-in given to a later command is
replaced by the real code before it runs. Everything else is the program's
own output, byte for byte, so ``tests/docs/test_formats.py`` fails as soon as
a command prints something the page does not show.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shlex
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data-example"
NOW = "2026-03-02T09:00"
ACTOR = "marta"
REGENERATE = "scripts/update-docs.sh"  # or: .venv/bin/python scripts/docs_examples.py docs/formats.md

MARK = "<!-- example -->"
MARKS = re.compile(r"(?m)^<!-- example -->$")
BLOCK = re.compile(r"(?P<head>^<!-- example -->\n(?P<fence>```+)(?P<lang>[^\n]*)\n)(?P<body>.*?)(?P<tail>\n(?P=fence)\n)", re.S | re.M)
RUN = re.compile(r"(?m)^<!-- run: (?P<command>.+?) -->$")
CLOCK = re.compile(r"(?m)^<!-- now: (?P<now>[0-9T:+-]+) -->$")
CODE = re.compile(r"\b[A-Z2-7]{4}(?:-[A-Z2-7]{4}){7}\b")
HEAD = re.compile(r"\s*\|\s*head -(\d+)\s*$")
STATUS = re.compile(r"\s*;\s*echo \$\?\s*$")
HEREDOC = re.compile(r"\s*<<'(\w+)'\s*$")
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


class Session:
    """One copy of the example practice, and the access codes seen so far."""

    def __init__(self, root: Path) -> None:
        self.root = root / "practice"
        shutil.copytree(EXAMPLE, self.root)
        self.cache = root / "cache"
        self.stand_ins: dict[str, str] = {}  # real code -> stand-in
        self.rng = random.Random(15)
        self.now = NOW

    def stand_in(self, code: str) -> str:
        if code not in self.stand_ins:
            letters = "".join(self.rng.choice(ALPHABET) for _ in range(32))
            self.stand_ins[code] = "-".join(letters[i:i + 4] for i in range(0, 32, 4))
        return self.stand_ins[code]

    def real(self, text: str) -> str:
        for code, shown in self.stand_ins.items():
            text = text.replace(shown, code)
        return text

    def run(self, command: str, stdin: str | None = None) -> tuple[int, str, str]:
        """(exit code, stdout, stderr) of one ``sessionpack ...`` command."""
        from typer.testing import CliRunner

        from sessionpack.cli.app import app

        words = shlex.split(self.real(command))
        if not words or words[0] != "sessionpack":
            raise SystemExit(f"an example must run sessionpack, not: {command}")
        env = {name: None for name in os.environ if name.startswith("SESSIONPACK_")}
        env.update({"SESSIONPACK_ACTOR": ACTOR, "SESSIONPACK_CACHE_DIR": str(self.cache), "SESSIONPACK_NO_HOOKS": "1",
                    "COLUMNS": "100", "NO_COLOR": "1", "PAGER": None, "LESS": None})
        argv = ["--data-dir", str(self.root), "--now", self.now, *words[1:]]
        result = CliRunner().invoke(app, argv, input=stdin, env=env)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise SystemExit(f"{command}: {result.exception!r}")
        return result.exit_code, self._shown(result.stdout), self._shown(result.stderr)

    def _shown(self, text: str) -> str:
        text = text.replace(str(self.root), "data-example")
        return CODE.sub(lambda m: self.stand_in(m.group()), text)


def _parts(body: str) -> tuple[str, str | None, str]:
    """(the command line, its standard input or None, the output shown)."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith("$ "):
        raise SystemExit(f"an example block must start with '$ sessionpack ...', not: {lines[0] if lines else ''}")
    command = lines[0][2:]
    here = HEREDOC.search(command)
    if not here:
        return command, None, "\n".join(lines[1:])
    end = lines.index(here.group(1), 1)
    return command, "\n".join(lines[1:end]) + "\n", "\n".join(lines[end + 1:])


def output_of(session: Session, command: str, stdin: str | None) -> str:
    """What the example block shows under its command (and its input)."""
    line = HEREDOC.sub("", command)
    status = bool(STATUS.search(line))
    line = STATUS.sub("", line)
    head = HEAD.search(line)
    line = HEAD.sub("", line)
    code, out, err = session.run(line, stdin)
    if head:
        out = "".join(out.splitlines(keepends=True)[:int(head.group(1))])
    text = out + err
    if status:
        text += f"{code}\n"
    elif code != 0:
        raise SystemExit(f"{command}: exit {code}: {err.strip()} (end the command with '; echo $?' to show a failure)")
    return text.rstrip("\n")


def _pieces(text: str) -> Iterator[tuple[str, re.Match[str] | None]]:
    """The page as text between examples and ``run`` lines, in order."""
    position = 0
    for found in sorted([*BLOCK.finditer(text), *RUN.finditer(text), *CLOCK.finditer(text)], key=lambda m: m.start()):
        yield text[position:found.start()], found
        position = found.end()
    yield text[position:], None


def refreshed(text: str) -> str:
    """The page with every example's output as the program prints it now."""
    if len(MARKS.findall(text)) != len(BLOCK.findall(text)):
        raise SystemExit(f"every '{MARK}' must be followed by a fenced block starting with '$ sessionpack'")
    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="sessionpack-docs-") as scratch:
        session = Session(Path(scratch))
        for before, found in _pieces(text):
            out.append(before)
            if found is None:
                continue
            if found.re is CLOCK:
                session.now = found.group("now")
                out.append(found.group())
                continue
            if found.re is RUN:
                code, _, err = session.run(found.group("command"))
                if code != 0:
                    raise SystemExit(f"{found.group('command')}: exit {code}: {err.strip()}")
                out.append(found.group())
                continue
            command, stdin, _ = _parts(found.group("body"))
            shown = output_of(session, command, stdin)
            first = f"$ {command}" + (f"\n{stdin}{HEREDOC.search(command).group(1)}" if stdin is not None else "")  # type: ignore[union-attr]
            out.append(found.group("head") + first + (f"\n{shown}" if shown else "") + found.group("tail"))
    return "".join(out)


def has_examples(text: str) -> bool:
    """Whether a page has examples (a line of its own ``<!-- example -->``)."""
    return bool(MARKS.search(text))


def examples(text: str) -> list[str]:
    """The command line of every example of a page."""
    return [_parts(found.group("body"))[0] for found in BLOCK.finditer(text)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("page", type=Path)
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale; write nothing")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    text = args.page.read_text(encoding="utf-8")
    new = refreshed(text)
    if args.check:
        if new != text:
            sys.stderr.write(f"{args.page} is stale: run {REGENERATE}\n")
            return 1
        return 0
    if new != text:
        args.page.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
