"""The command reference (docs/cli.md), written from the Typer app itself.

    python -m sessionpack.cli.reference > docs/cli.md

Every command and group, in the order ``sessionpack --help`` lists them,
with its help text, usage, arguments and options (their types, choices,
defaults and environment variables) exactly as ``--help`` knows them.
Hidden commands and options are left out. The output depends only on the
code, so ``tests/test_docs.py`` can compare it with docs/cli.md and fail
when a command changed and the page was not written again.

Nothing here runs at start-up: only this module's ``__main__`` imports it.
"""

from __future__ import annotations

import re
import sys
from typing import Any, Iterator

import typer

REGENERATE = "python -m sessionpack.cli.reference > docs/cli.md"
NO_WRAP = "\b"


def commands(root: Any) -> Iterator[tuple[list[str], Any, Any]]:
    """(path, click command, its context) for the root and every command
    and group under it, depth first, in the order their group lists them."""
    root_ctx = typer.Context(root, info_name="sessionpack", **root.context_settings)

    def walk(command: Any, ctx: Any, path: list[str]) -> Iterator[tuple[list[str], Any, Any]]:
        yield path, command, ctx
        if hasattr(command, "list_commands"):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is None or sub.hidden:
                    continue
                yield from walk(sub, typer.Context(sub, info_name=name, parent=ctx), path + [name])

    yield from walk(root, root_ctx, [])


def anchor(title: str) -> str:
    """The anchor a Markdown renderer gives a heading (GitHub's rule):
    lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return text.replace(" ", "-")


def help_markdown(text: str) -> str:
    """A help text as Markdown: paragraphs as they are (a citation of the
    rules becomes a link), a block Click keeps unwrapped (``\\b``) as a code
    block, with a heading line such as ``Examples:`` kept above it."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.split("\n")
        if lines[0].strip() == NO_WRAP:
            lines = [line for line in lines[1:] if line.strip() != NO_WRAP]
            if lines and lines[0].rstrip().endswith(":") and not lines[0].startswith(" ") and len(lines) > 1:
                out.append(f"{lines[0].strip()}\n\n```sh\n" + "\n".join(_dedent(lines[1:])) + "\n```")
            else:
                out.append("```\n" + "\n".join(_dedent(lines)) + "\n```")
            continue
        paragraph = " ".join(line.strip() for line in lines)
        out.append(paragraph.replace("docs/rules.md", "[docs/rules.md](rules.md)"))
    return "\n\n".join(out)


def _dedent(lines: list[str]) -> list[str]:
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return [line[cut:].rstrip() for line in lines]


def _params(command: Any, ctx: Any, kind: str) -> list[tuple[str, str]]:
    records = []
    for param in command.get_params(ctx):
        if param.param_type_name != kind:
            continue
        record = param.get_help_record(ctx)
        if record is not None:
            records.append(record)
    return records


def _item(name: str, text: str) -> str:
    text = " ".join(text.split())
    return f"- `{name}`" + (f": {text}" if text else "")


def section(path: list[str], command: Any, ctx: Any) -> str:
    """One command's part of the page."""
    title = " ".join(["sessionpack", *path])
    parts = [f"## `{title}`"]
    if command.help:
        parts.append(help_markdown(command.help))
    pieces = command.collect_usage_pieces(ctx)
    parts.append(f"```\nUsage: {title} {' '.join(pieces)}\n```")
    arguments = _params(command, ctx, "argument")
    if arguments:
        parts.append("Arguments:\n\n" + "\n".join(_item(name, text) for name, text in arguments))
    options = _params(command, ctx, "option")
    if options:
        parts.append("Options:\n\n" + "\n".join(_item(name, text) for name, text in options))
    if command.epilog:
        parts.append(help_markdown(command.epilog))
    if hasattr(command, "list_commands"):
        listed = []
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                sub_title = f"{title} {name}"
                listed.append(f"- [`{sub_title}`](#{anchor(sub_title)}): {sub.get_short_help_str(limit=200)}")
        parts.append("Commands:\n\n" + "\n".join(listed))
    return "\n\n".join(parts)


def reference() -> str:
    """docs/cli.md, from the commands as they are now."""
    from .app import app

    root = typer.main.get_command(app)
    head = (
        "# Command reference\n\n"
        "<!-- Written by the program from its own commands: do not edit by hand. -->\n\n"
        "Every command of sessionpack, with its arguments and options, as its\n"
        "`--help` gives them. Global options (`--data-dir`, `--now`, `--actor`,\n"
        "`--no-pager`, `--no-hooks`) come before the command. The other pages\n"
        "explain the ideas: [the guide](guide.md), [the rules](rules.md),\n"
        "[output formats](formats.md), [automation](automation.md) and\n"
        "[storage and recovery](storage.md).\n\n"
        "This page is generated from the code; after changing a command, write\n"
        "it again with `scripts/update-docs.sh`, which runs\n"
        f"`{REGENERATE}` (the tests fail while it is stale).\n"
    )
    sections = [section(path, command, ctx) for path, command, ctx in commands(root)]
    return head + "\n" + "\n\n".join(sections) + "\n"


if __name__ == "__main__":
    sys.stdout.write(reference())
