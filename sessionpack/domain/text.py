"""Text a person types: one-line fields, and how stored text is shown.

A one-line field (a name, a reason, an actor, an invoice number, a
reference, a category) holds printable text only. Refused where the text is
typed, so no such text can later steer a terminal, add a line to a mail
header or pass for other text:

- the controls: C0 (U+0000 to U+001F, among them ESC, BEL, BS, TAB, CR and
  LF), DEL (U+007F) and C1 (U+0080 to U+009F);
- the format characters (Unicode Cf), which show nothing of their own: the
  bidirectional overrides, embeddings and isolates (U+202A to U+202E,
  U+2066 to U+2069) and marks (U+200E, U+200F, U+061C), which reorder what
  a terminal shows; the zero-width space and word joiner (U+200B,
  U+2060); the byte-order mark (U+FEFF); the soft hyphen and the rest; and
  the zero-width non-joiner and joiner (U+200C, U+200D) but where they
  join: in an emoji sequence, an Indic conjunct, Persian words;
- the line and paragraph separators (U+2028, U+2029).

Notes and descriptions (text of several lines) may hold line breaks and
tabs, nothing else of those. Text that reaches the program another way (a
hand-edited file) is shown with those characters escaped (``shown``), never
obeyed.

Text that is not UTF-8 (a byte such as 0xE9 typed in a Latin-1 terminal,
which Python hands over as a lone surrogate, U+DCE9) is refused the same
way, naming the byte: it could be neither stored nor shown.
"""

from __future__ import annotations

from ..errors import InputError
from .regex import pattern

# Every character typed text may not hold (but a joiner that joins): the
# Unicode general categories Cc (controls), Cf (format characters), Zl and
# Zp (line and paragraph separators) and Cs (the surrogates, which stand for
# bytes that are not UTF-8), as ranges of code points
# (tests/domain/test_user_text.py compares them with the categories of the
# Unicode the interpreter knows). Each is a character ``str.isprintable``
# answers False for: text it answers True for holds none, and is passed
# without the pattern (the usual case: most commands never compile it).
HIDDEN = (
    (0x0000, 0x001F), (0x007F, 0x009F),  # C0, DEL and C1
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F),
    (0x2028, 0x202E),  # the line and paragraph separators, the bidirectional embeddings and overrides
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD),
    (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
    (0xD800, 0xDFFF),  # the surrogates
)
# Those a terminal or a mail header may obey (the rest only hide): the
# controls, the line and paragraph separators, the bidirectional
# embeddings, overrides and isolates.
_OBEYED = ((0x0000, 0x009F), (0x2028, 0x202E), (0x2066, 0x2069))


def _char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    """A pattern of one character in ``ranges``."""
    return "[" + "".join(chr(low) if low == high else f"{chr(low)}-{chr(high)}" for low, high in ranges) + "]"


CONTROL_RE = pattern(_char_class(HIDDEN))


def hidden_codes() -> list[int]:
    """Every code point of ``HIDDEN`` (what CONTROL_RE matches)."""
    return [code for low, high in HIDDEN for code in range(low, high + 1)]


JOINERS = "\u200c\u200d"  # the zero-width non-joiner and joiner: welcome where they join (``_joins``)
JOINER_RE = pattern(f"[{JOINERS}]")


def _joins(text: str, index: int) -> bool:
    """Whether the joiner at ``text[index]`` does the visible work it is
    for: after a virama (an Indic conjunct or half form, as in Sinhala
    ශ්‍රී), between two Arabic letters (a Persian non-joiner), or a joiner
    between two pictographs (an emoji sequence such as 👩‍👧, a variation
    selector or skin tone after the first left aside). Anywhere else it
    only hides: ``Ana Li\u200dma`` would pass for ``Ana Lima``."""
    import unicodedata

    before = index - 1
    if before < 0 or index + 1 >= len(text):
        return False
    if unicodedata.combining(text[before]) == 9:  # a virama
        return True
    after = text[index + 1]
    if text[index] == "\u200d":
        while before > 0 and (text[before] in "\ufe0e\ufe0f" or "\U0001f3fb" <= text[before] <= "\U0001f3ff"):
            before -= 1
        return unicodedata.category(text[before]) == "So" and unicodedata.category(after) == "So"
    return all(unicodedata.name(ch, "").startswith("ARABIC LETTER") for ch in (text[before], after))


def _refused(text: str, chars=None) -> str | None:  # type: ignore[no-untyped-def]
    """The first character of ``text`` that ``chars`` (default CONTROL_RE)
    matches, but a joiner that joins; None when there is none."""
    if text.isprintable():
        return None
    for found in (chars or CONTROL_RE).finditer(text):
        if found.group() not in JOINERS or not _joins(text, found.start()):
            return found.group()
    return None


def has_control(value: str) -> bool:
    return _refused(value) is not None


def check_line(value: object, what: str, limit: int = 200, empty: bool = False) -> str:
    """``value`` stripped, when it is one line of printable text of at most
    ``limit`` characters (and not empty unless ``empty``); else InputError."""
    if not isinstance(value, str):
        raise InputError(f"{what} must be text")
    text = value.strip()
    if not text and not empty:
        raise InputError(f"{what} must be non-empty text")
    found = _refused(text)
    if found is not None:
        _refuse_not_utf8(what, found)
        raise InputError(f"{what} must be one line of printable text (it holds {_named(found)}); "
                         "type it again without it")
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


# Text of several lines (notes, descriptions) may hold line breaks and tabs, nothing else of those.
TEXT_CONTROL_RE = pattern(_char_class(((0x00, 0x08), (0x0B, 0x1F), *HIDDEN[1:])))


def check_text(value: object, what: str, limit: int) -> str:
    """Free text of several lines (line breaks and tabs allowed), stripped."""
    if not isinstance(value, str):
        raise InputError(f"{what} must be text")
    found = _refused(value.replace("\r\n", "\n"), TEXT_CONTROL_RE)
    if found is not None:
        _refuse_not_utf8(what, found)
        raise InputError(f"{what} must be printable text (it holds {_named(found)}); type it again without it")
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
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _named(ch: str) -> str:
    """The character ``ch`` of ``HIDDEN``, in a message: ``the control character \\x1b``."""
    code = ord(ch)
    kind = "control" if any(low <= code <= high for low, high in _OBEYED) else "invisible"
    return f"the {kind} character {_escape(ch)}"


def shown(value: str, keep: str = "") -> str:
    """``value`` with every character of ``HIDDEN`` written as an escape
    (``\\x1b``, ``\\u200b``), for a terminal; ordinary text, a joiner that
    joins (``_joins``) and the characters in ``keep`` (say a line break)
    are returned as they are."""
    if value.isprintable():
        return value
    table = _SHOWN.get(keep)
    if table is None:  # each character of HIDDEN to its escape, but those kept and the joiners (the pattern's work, without it)
        table = _SHOWN[keep] = {code: _escape(chr(code)) for code in hidden_codes() if chr(code) not in keep + JOINERS}
    text = value.translate(table)
    if "\u200c" in text or "\u200d" in text:  # a joiner that does not join is escaped too
        text = JOINER_RE.sub(lambda found: found.group() if _joins(text, found.start()) else _escape(found.group()), text)
    return text


def shown_lines(value: str) -> list[str]:
    """Text of several lines (notes, a description) as a person reads it:
    one item per line (a CRLF is one line break), each tab as the spaces to
    the next tab stop (every 8 columns from the start of its line), every
    other character of ``HIDDEN`` escaped (``shown``)."""
    return [shown(line.expandtabs()) for line in value.replace("\r\n", "\n").split("\n")]


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
