"""Drawing a statement: table, plain text and Markdown (to paste into an
email), JSON, CSV and TSV. Nothing in it depends on the terminal, the
locale or the time of day beyond ``--now``: the same data and ``--now``
give the same bytes."""

from __future__ import annotations

import sys
from typing import Any

from ..domain.text import shown
from .output import plain_table_lines, write_delimited, write_json

COLUMNS = ("date", "entry", "detail", "change", "balance")


def _heading(view: dict[str, Any], opened: Any, span: Any) -> list[str]:
    client = view["client"] or {}
    name = client.get("name") or view["id"]
    lines = [f"Statement for {name} ({view['id']})", f"{opened.settings.name}", f"at {opened.now:%Y-%m-%d %H:%M}"]
    if span is not None:
        lines.append(f"period {span.text()}")
    return lines


# Markdown reads these as links, images, HTML, emphasis, code, table cells
# or entities wherever they stand: each is written escaped, so user text
# (a name, a note) shows as typed, never as a live link or an image.
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~!"})


def _md_cell(text: str) -> str:
    """``text`` as literal Markdown inside a line: its special characters
    escaped, and an ``&`` that would start an entity (``&amp;``)."""
    import re

    return re.sub(r"&(?=#?\w+;)", r"\\&", text.translate(_MD_SPECIAL))


def _md_line(text: str) -> str:
    """``text`` as a literal Markdown line of its own: as ``_md_cell``, and
    a start that would begin a heading, a quote or a list (``#``, ``+``,
    ``-``, ``=``, ``1.``) made plain text."""
    import re

    text = _md_cell(text)
    if text[:1] in ("#", "+", "-", "="):
        return "\\" + text
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", text)


def render_statement(fmt: str, view: dict[str, Any], packages: list[dict[str, Any]], opened: Any, span: Any,
                     back: dict[str, Any]) -> None:
    """``back``: what the practice owes the client back (``reports.client_page.owed_back``)."""
    from ..reports.statement import header_lines

    out = sys.stdout
    currency = opened.settings.currency
    if fmt == "json":
        write_json({"client": view["id"], "name": (view["client"] or {}).get("name"), "at": opened.now.isoformat(),
                    "currency": currency, "from": span.bounds()[0] if span else None,
                    "to": span.bounds()[1] if span else None, "packages": packages, "owed_back": back})
        return
    if fmt in ("csv", "tsv"):
        rows = [dict(entry, package=pkg["id"]) for pkg in packages for entry in pkg["entries"]]
        write_delimited(["package", *COLUMNS], rows, "," if fmt == "csv" else "\t")
        return
    from .fit import MARKS
    from .output import screen

    lines: list[str] = []
    # The summary's separator where the output is not UTF-8: " | ", as in the
    # tables' details (" - " in Markdown, where a bar would need escaping).
    utf8 = screen().utf8
    dot = MARKS[utf8][1] if fmt != "md" or utf8 else " - "

    def headed(pkg: dict[str, Any]) -> list[str]:
        return [text.replace(" · ", dot) for text in header_lines(pkg, currency)]

    if fmt == "md":
        head = _heading(view, opened, span)
        lines.append(f"# {_md_cell(shown(head[0]))}")
        lines.append("")
        lines.extend(f"{_md_line(shown(text))}  " for text in head[1:])
        for pkg in packages:
            top, *rest = headed(pkg)
            lines += ["", f"## {_md_cell(shown(top))}", ""]
            lines.extend(f"{_md_line(shown(text))}  " for text in rest)
            lines += ["", "| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
            for entry in pkg["entries"]:
                lines.append("| " + " | ".join(_md_cell(shown(str(entry[c]))) for c in COLUMNS) + " |")
        if not packages:
            lines += ["", "No packages."]
        if back["items"]:
            lines += ["", f"## {_md_cell(_owed_back_title(back, currency))}", "", "| " + " | ".join(BACK_HEADERS) + " |",
                      "|" + "|".join("---" for _ in BACK_COLUMNS) + "|"]
            for item in back["items"]:
                lines.append("| " + " | ".join(_md_cell(shown(str(item[c]))) for c in BACK_COLUMNS) + " |")
    else:  # table and text: plain aligned columns; a table on a terminal is fitted to its width
        seen = screen()
        fitted = fmt == "table" and seen.terminal
        say = (lambda text: _wrapped(text, seen.width)) if fitted else (lambda text: [text])
        for text in _heading(view, opened, span):
            lines.extend(say(shown(text)))
        for pkg in packages:
            lines.append("")
            for text in headed(pkg):
                lines.extend(say(shown(text)))
            body = [[shown(str(entry[c])) for c in COLUMNS] for entry in pkg["entries"]]
            if fitted:
                from .fit import fitted_lines

                table = fitted_lines(list(COLUMNS), body, [True, True, False, True, True], seen.width - 2, bold=seen.styles)
            else:
                table = plain_table_lines(list(COLUMNS), body)
            lines.extend("  " + line if line else line for line in table)
        if not packages:
            lines += ["", "No packages."]
        if back["items"]:
            lines += ["", _owed_back_title(back, currency)]
            lines.extend("  " + line for line in plain_table_lines(list(BACK_HEADERS),
                                                                   [[shown(str(item[c])) for c in BACK_COLUMNS] for item in back["items"]]))
    # (Markdown's lines of their own end in two spaces, a hard line break: kept)
    out.write("".join((line if fmt == "md" else line.rstrip()) + "\n" for line in lines))


BACK_COLUMNS = ("what", "date", "status", "paid", "fee", "owed_back")
BACK_HEADERS = ("booking", "date", "status", "paid", "fee", "owed back")


def _owed_back_title(back: dict[str, Any], currency: str) -> str:
    return f"Owed back to you: {back['total']} {currency} (paid on sessions beyond their fee)"


def _wrapped(text: str, width: int) -> list[str]:
    from .fit import wrap

    return wrap(text, width) if len(text) > width else [text]
