"""Text a person types: one-line fields, and how stored text is shown.

A one-line field (a name, a reason, an actor, an invoice number, a
reference, a category) holds printable text only: the C0 control
characters (U+0000 to U+001F, among them ESC, BEL, BS, TAB, CR and LF), DEL
(U+007F), the C1 controls (U+0080 to U+009F) and the bidirectional
overrides, embeddings and isolates (U+202A to U+202E, U+2066 to U+2069,
which reorder what a terminal shows) are refused where the text
is typed, so no such text can later steer a terminal or add a line to a
mail header. Text that reaches the program another way (a hand-edited file)
is shown with those characters escaped (``shown``), never obeyed.

Text that is not UTF-8 (a byte such as 0xE9 typed in a Latin-1 terminal,
which Python hands over as a lone surrogate, U+DCE9) is refused the same
way, naming the byte: it could be neither stored nor shown.
"""

from __future__ import annotations

from ..errors import InputError
from .regex import pattern

# C0, DEL and C1: what a terminal or a mail header may treat as an instruction.
CONTROL_RE = pattern("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# (and the bidirectional embeddings, overrides and isolates, which reorder
# what a terminal shows around them; and the surrogates, Cs, which stand
# for bytes that are not UTF-8).
# Every one of them is a control, format or surrogate character (Unicode Cc, Cf, Cs), which
# ``str.isprintable`` answers False for: text it answers True for holds none,
# and is passed without the pattern (the usual case: most commands never
# compile it).


def has_control(value: str) -> bool:
    return not value.isprintable() and CONTROL_RE.search(value) is not None


def check_line(value: object, what: str, limit: int = 200, empty: bool = False) -> str:
    """``value`` stripped, when it is one line of printable text of at most
    ``limit`` characters (and not empty unless ``empty``); else InputError."""
    if not isinstance(value, str):
        raise InputError(f"{what} must be text")
    text = value.strip()
    if not text and not empty:
        raise InputError(f"{what} must be non-empty text")
    found = None if text.isprintable() else CONTROL_RE.search(text)
    if found is not None:
        _refuse_not_utf8(what, found.group())
        raise InputError(f"{what} must be one line of printable text (it holds the control character "
                         f"{_escape(found.group())}); type it again without it")
    if len(text) > limit:
        raise InputError(f"{what} is longer than {limit} characters")
    return text


REASON_LIMIT = 500


def check_reason(reason: str | None) -> str | None:
    """A ``--reason``: None stays None; else one line of 1 to 500 printable characters."""
    if reason is None:
        return None
    text = reason.strip() if isinstance(reason, str) else ""
    if not text or len(text) > REASON_LIMIT or has_control(text):
        raise InputError(f"--reason must be one line of 1 to {REASON_LIMIT} printable characters")
    return text


# Multi-line text (notes, descriptions) may hold line breaks and tabs, nothing else of C0/C1.
TEXT_CONTROL_RE = pattern("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def check_text(value: object, what: str, limit: int) -> str:
    """Free text of several lines (line breaks and tabs allowed), stripped."""
    if not isinstance(value, str):
        raise InputError(f"{what} must be text")
    found = None if value.isprintable() else TEXT_CONTROL_RE.search(value.replace("\r\n", "\n"))
    if found is not None:
        _refuse_not_utf8(what, found.group())
        raise InputError(f"{what} must be printable text (it holds the control character {_escape(found.group())})")
    if len(value) > limit:
        raise InputError(f"{what} must be text of at most {limit} characters")
    return value.strip()


def _refuse_not_utf8(what: str, ch: str) -> None:
    """InputError naming the byte, when ``ch`` stands for one that was not UTF-8 (a surrogate)."""
    if "\ud800" <= ch <= "\udfff":
        raise InputError(f"{what} is not UTF-8 text (it holds the byte {_escape(ch)}); type it again in UTF-8")


def _escape(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as Python escapes it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def shown(value: str, keep: str = "") -> str:
    """``value`` with every control character written as an escape (``\\x1b``),
    for a terminal; ordinary text, and the characters in ``keep`` (say a
    line break), are returned as they are."""
    if value.isprintable():
        return value
    table = _SHOWN.get(keep)
    if table is None:  # each control character to its escape, but those kept (the pattern's work, without it)
        table = _SHOWN[keep] = {code: _escape(chr(code)) for code in _CONTROL_CODES if chr(code) not in keep}
    return value.translate(table)


def toml_shown(value: object, limit: int = 60) -> str:
    """``value``, read from a file a person edits (TOML), as that file writes
    it: ``true``, ``2026-12-01``, ``[2026-12-01]``, ``{massage-60 = 1}``, for
    a message that says what was found there (Python's own ``True`` or
    ``datetime.date(2026, 12, 1)`` would be foreign to that person). Text
    alone keeps the quotes the messages about typed text show (``'abc'``);
    control characters are escaped (``shown``), and past ``limit``
    characters, or five levels deep, the rest is left out (``...``)."""
    if isinstance(value, str):
        text = shown(repr(value))
    else:
        text = shown(_toml_text(value, 0))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _toml_text(value: object, depth: int) -> str:
    from datetime import date, datetime, time

    if depth > 5:
        return "..."
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, float):
        return "nan" if value != value else repr(value)
    if isinstance(value, dict):
        items = []
        for key, item in list(value.items())[:20]:
            name = key if isinstance(key, str) and key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key) \
                else _toml_text(str(key), depth + 1)
            items.append(f"{name} = {_toml_text(item, depth + 1)}")
        return "{" + ", ".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_text(item, depth + 1) for item in list(value)[:20]) + "]"
    return str(value)


_CONTROL_CODES = (*range(0x00, 0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A),
                  *range(0xD800, 0xE000))  # what CONTROL_RE matches
_SHOWN: dict[str, dict[int, str]] = {}  # keep -> the translation table of shown


def folded(text: str) -> str:
    """``text`` for matching: case and accents ignored ('Joana Gonçalves' ~ 'joana goncalves')."""
    if text.isascii():  # nothing to decompose: the same answer, without unicodedata (completion folds every name)
        return text.casefold()
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    marks = {ord(ch): None for ch in set(decomposed) if unicodedata.combining(ch)}
    return decomposed.translate(marks).casefold()


def folded_all(texts: list[str]) -> list[str]:
    """``folded`` of each text, in one pass over them all (completion folds
    the name of every client). Folding works character by character, so
    folding the texts joined by line breaks folds each one."""
    joined = "\n".join(texts)
    if joined.count("\n") != max(len(texts) - 1, 0):  # a text holding a line break: one by one
        return [folded(text) for text in texts]
    return folded(joined).split("\n") if texts else []


# -- cells a spreadsheet would run -----------------------------------------------------

_NUMBER = pattern(r"[+-]?(\d+(\.\d*)?|\.\d+)\Z")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _runs(cell: str) -> bool:
    """A spreadsheet would run ``cell`` once the ``'`` before it, if any, are
    taken off: it starts like a formula and is not a number (``-5.00``)."""
    text = cell.lstrip("'")
    return text.startswith(FORMULA_START) and not _NUMBER.match(text)


def spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet will not run: text starting like a formula gets a
    leading ``'``; numbers (``-5.00``, ``+3``) are left as they are. Text
    that already starts with ``'`` before such a start gets one more, so
    ``spreadsheet_read`` gives back exactly what was written."""
    return "'" + cell if _runs(cell) else cell


def spreadsheet_read(cell: str) -> str:
    """The inverse of ``spreadsheet_safe`` for a cell read from a file: the
    ``'`` it puts before text that starts like a formula is taken off, so a
    file sessionpack wrote (``client list --format csv``) reads back as
    what was recorded (``'+351 912 000 111`` is ``+351 912 000 111``). Any
    other cell is as it is."""
    return cell[1:] if cell.startswith("'") and _runs(cell[1:]) else cell
