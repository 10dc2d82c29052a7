"""Reading hand-edited TOML with errors that name file, line and fix."""

from __future__ import annotations

from ..errors import CatalogProblem, DataDirError, FieldError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Compiled on first use (by re's cache, re imported then): only errors need them.
_POSITION = r"\(at line (\d+), column \d+\)"
_HEADER = r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$"
_KEY = r"^\s*([A-Za-z0-9_\-\.\"' ]+?)\s*="


def parse_text(text: str) -> dict[str, Any]:
    import tomllib

    return tomllib.loads(text)


def read_toml(path: str, display: str, problem=CatalogProblem, root: str | None = None) -> tuple[dict[str, Any], str]:  # type: ignore[no-untyped-def]
    """Parse ``path``; syntax errors become ``problem`` with the line.

    With ``root`` (the data directory; ``display`` is then the file's path
    in it), a parse recorded in the memo for this exact text is used
    (``storage/parsed.py``), and a parse made here is offered to it.
    """
    from .fsio import read_bytes  # refuses a symbolic link

    try:
        raw = read_bytes(path)
    except FileNotFoundError:
        raise DataDirError(f"{display} is missing") from None
    except IsADirectoryError:
        raise DataDirError(f"{display} is a folder, not a file; move it away or rename it") from None
    except PermissionError:
        raise DataDirError(f"cannot read {display}: permission denied; let the user who runs sessionpack "
                           "read it (chmod u+r)") from None
    except OSError as err:
        raise DataDirError(f"cannot read {display}: {err.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:  # named by line and byte, as a typed text's or a CSV cell's is
        line = raw.count(b"\n", 0, err.start) + 1
        raise problem(display, line, f"holds the byte 0x{raw[err.start]:02X}, which is not UTF-8 text",
                      "save it as UTF-8") from None
    if text.startswith("\ufeff"):  # (TOML has no byte-order mark: tomllib's own word would be "Invalid statement")
        raise problem(display, 1, "starts with a byte-order mark", "save it as UTF-8 without one (not \"UTF-8 with BOM\")")
    if root is not None:
        from . import parsed

        known = parsed.lookup(root, display, text)
        if known is not None:
            return known, text
    import tomllib

    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise problem(display, None, "nests tables or arrays too deeply to be read", "flatten it and run the command again") from None
    except tomllib.TOMLDecodeError as err:
        import re

        message = str(err)
        match = re.search(_POSITION, message)
        line = int(match.group(1)) if match else None
        if line is None and "(at end of document)" in message:  # the reader got to the end: the last line is where it stopped
            line = max(text.count("\n") + (0 if text.endswith("\n") else 1), 1)
            message = message.replace("(at end of document)", "(at the end of the file)")
        what = re.sub(_POSITION, "", message).strip().rstrip(".")
        raise problem(display, line, f"TOML syntax error: {what}", "fix the line and run the command again") from None
    if root is not None:
        parsed.remember(root, display, text, data)
    return data, text


def _split_key(text: str) -> list[str]:
    import re

    parts = []
    for part in re.findall(r'"[^"]*"|\'[^\']*\'|[^.]+', text):
        parts.append(part.strip().strip("\"'"))
    return [p for p in parts if p]


def locate_key(text: str, dotted: str) -> int | None:
    """The 1-based line where the key ``a.b.c`` (or table ``[a.b]``) is written."""
    if not dotted:
        return None
    import re

    want = dotted.split(".")
    table: list[str] = []
    best: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        header = re.match(_HEADER, line)
        if header:
            table = _split_key(header.group(1))
            if table == want:
                return number
            if best is None and want[: len(table)] == table and len(table) < len(want):
                pass
            continue
        key = re.match(_KEY, line)
        if key:
            path = table + _split_key(key.group(1))
            if path == want:
                return number
            if best is None and (want[: len(path)] == path or path[: len(want)] == want):
                best = number
    return best


def field_problem(display: str, text: str, err: FieldError, problem=CatalogProblem):  # type: ignore[no-untyped-def]
    """Turn a FieldError from a pure parser into a file-and-line problem."""
    return problem(display, locate_key(text, err.key), (f"{err.key}: " if err.key else "") + err.message, "fix it and run the command again")
