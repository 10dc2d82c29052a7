"""JSON text read and written by the interpreter's C accelerator (``_json``).

``json`` imports ``re`` and compiles its patterns: together about 8 ms of
every command's start, more than most commands spend on their work. The
accelerator alone does the same work, so the hot commands use it through
this module and never import ``json``:

- ``loads(data)`` is ``json.loads(data)``: the same values from the same
  scanner. Whatever it does not read the usual way (text starting with
  whitespace or a byte-order mark, bytes in another encoding than UTF-8,
  anything malformed) goes to ``json.loads`` itself, so errors are
  ``json``'s own, word for word (the accelerator cannot word them while
  ``json`` is not loaded).
- ``canonical(obj)`` is ``json.dumps(obj, sort_keys=True,
  separators=(",", ":"), ensure_ascii=False)``: the bytes of every view
  and journal line. One encoder is kept for every call, without the check
  for circular references (views, events and lines are trees; a circular
  object would end in ``RecursionError`` rather than ``ValueError``).
- ``dumps(obj)`` is ``json.dumps(obj, ensure_ascii=False)`` (JSON lines
  output).

A Python without the accelerator (or with one that takes other settings)
gets ``json`` for all three.

**The bulk engine.** A command that reads or writes a whole practice (a
full replay, a file of sales) first calls ``engage()``: from then on
``loads``, ``canonical`` and ``canonical_bytes`` use ``msgspec``, whose
JSON is about seven times quicker to write and three times quicker to read
than the accelerator's, for the same bytes and values. Its import costs
some 45 ms, which is why the one-client commands never engage it. It never
decides a byte on its own:

- reading, anything it does not read (NaN, a lone surrogate escape, a
  byte-order mark, malformed text) goes to the reading above, so values
  and errors stay ``json``'s;
- writing, it writes strings, integers of any size, ``true``/``false``/
  ``null``, lists and dicts of string keys exactly as ``json`` does (sorted
  by code point, which is UTF-8 byte order); anything else it refuses and
  ``json`` writes (a dict with other keys, a subclass, a value ``json``
  itself refuses).
- **Floats.** Both ways of reading give every number with a fraction or
  exponent (and NaN, Infinity) as a ``Float``, a ``float`` that ``msgspec``
  refuses to write, so ``json`` writes it, as ``repr`` does (``1e-05``,
  ``NaN``, where ``msgspec`` writes ``0.00001``, ``null``). sessionpack
  makes no floats of its own (money is ``Decimal``, counts and minutes are
  integers): a plain ``float`` handed to the engine would be written
  by ``msgspec``, the same as ``json`` between 1e-4 and 1e16.
- **Reading a few fields.** ``field_reader(names)`` reads only the named
  fields of an object and skips the rest without building it (the full
  replay's scan needs an event's seq, type and clients, and reads each
  line at half the cost); it answers only what ``loads`` reads.
  ``heads_reader(fields)`` does the same for many lines at once, with
  each field of a stated type: it answers for all the lines, or for none
  (the scan reads a few thousand lines at a time this way, and line by
  line only where it cannot).
``tests/storage/test_jsontext.py`` compares them with ``json`` on generated values,
texts and bytes.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

try:
    from _json import encode_basestring as _encode_string, make_encoder as _make_encoder, make_scanner as _make_scanner
except ImportError:  # pragma: no cover - a Python without json's C accelerator
    _make_scanner = _make_encoder = None

_WHITESPACE = " \t\n\r"  # what json skips around a document
_NOT_UTF8_FIRST = (0x00, 0xEF, 0xFE, 0xFF)  # first bytes json.detect_encoding looks at twice (byte-order marks, UTF-16/32)


def _default(obj: Any) -> Any:
    raise TypeError(f"Object of type {obj.__class__.__name__} is not JSON serializable")


class Float(float):
    """A number read from JSON text with a fraction or an exponent (or NaN,
    Infinity): a ``float`` in every way, that only ``json`` writes."""

    __slots__ = ()


_CONSTANTS = {"-Infinity": Float("-inf"), "Infinity": Float("inf"), "NaN": Float("nan")}


class _Decoder:
    """The settings ``json.JSONDecoder()`` hands its scanner."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = Float
    parse_int = int
    parse_constant = _CONSTANTS.__getitem__
    memo: dict[str, str] = {}


if _make_scanner is not None:
    try:
        _scan = _make_scanner(_Decoder())
        _canonical = _make_encoder(None, _default, _encode_string, None, ":", ",", True, False, True)
    except (AttributeError, TypeError):  # pragma: no cover - an accelerator made otherwise: json does it all
        _make_scanner = _make_encoder = None


def _json_loads(data: Any) -> Any:
    import json

    return json.loads(data, parse_float=Float, parse_constant=_CONSTANTS.__getitem__)


_fast_encode: Any = None  # the bulk engine's, once engaged
_fast_decode: Any = None


def engage() -> None:
    """Use the bulk engine from now on in this process (and the processes it forks)."""
    global _fast_encode, _fast_decode
    if _fast_encode is not None:
        return
    try:
        import msgspec
    except ImportError:  # pragma: no cover - a dependency: present where sessionpack is installed
        return
    _fast_decode = msgspec.json.Decoder(float_hook=Float).decode
    _fast_encode = msgspec.json.Encoder(order="sorted", enc_hook=_default).encode


def disengage() -> None:
    """Back to the accelerator alone (for tests)."""
    global _fast_encode, _fast_decode
    _fast_encode = _fast_decode = None


def engaged() -> bool:
    return _fast_encode is not None


class _Absent:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()  # a field a ``field_reader`` did not find


def _utf8(data: bytes) -> bool:
    """Whether ``json.loads`` takes ``data`` as UTF-8 (the engine does not look
    into the bytes of a string it skips)."""
    if data.isascii():
        return True
    try:
        data.decode("utf-8", "surrogatepass")  # as json.loads decodes bytes
    except UnicodeDecodeError:
        return False
    return True


def field_reader(names: tuple[str, ...]) -> Callable[[bytes], tuple[Any, ...] | None] | None:
    """With the bulk engine: a reader of a few fields of a JSON object,
    which skips the rest without building it (a journal scan that needs an
    event's seq, type and clients only). ``read(data)`` is the values of
    ``names`` in ``loads(data)`` (``ABSENT`` where the object has no such
    key), or None where it cannot answer as ``loads`` would: the text is
    not an object, not read the plain way (see ``loads``), or not UTF-8
    (the engine does not look into the bytes of a string it skips, where
    ``json`` refuses a text that is not UTF-8). Whatever the reader
    answers, ``loads`` reads too. None without the engine."""
    if _fast_decode is None:
        return None
    import msgspec

    fields = msgspec.defstruct("Fields", [(name, object, ABSENT) for name in names])
    decode = msgspec.json.Decoder(fields, float_hook=Float).decode
    as_tuple = msgspec.structs.astuple

    def read(data: bytes) -> tuple[Any, ...] | None:
        if not _utf8(data):
            return None
        try:
            return as_tuple(decode(data))
        except Exception:  # noqa: BLE001 - not read the plain way: the caller reads it whole
            return None

    return read


REQUIRED: Any = object()  # a field of ``heads_reader`` that has no default


def heads_reader(fields: tuple[tuple[str, Any, Any], ...]) -> Callable[[list[bytes]], list[Any] | None] | None:
    """With the bulk engine: a reader of a few typed fields of many JSON
    objects at once. ``fields`` are (name, type, default), the type one of
    ``int`` (not a boolean), ``str``, ``list[str]`` or ``object`` (any value);
    a field without a default must be present. ``read(lines)`` is a list
    with, for each line, an object whose attributes are those fields, or
    None when any line is not an object with fields of those types, or is
    not read the plain way, or not UTF-8: for every line it answers,
    ``field_reader`` answers the same values (and so does ``loads``). None
    without the engine."""
    if _fast_decode is None:
        return None
    import msgspec

    def spec(name: str, kind: Any, default: Any) -> tuple[Any, ...]:
        if default is REQUIRED:
            return (name, kind)
        return (name, kind, msgspec.field(default_factory=list) if default == [] else default)

    heads = msgspec.defstruct("Heads", [spec(*field) for field in fields])
    decode = msgspec.json.Decoder(heads, float_hook=Float).decode

    def read(lines: list[bytes]) -> list[Any] | None:
        if not all(map(bytes.isascii, lines)) and not _utf8(b"".join(lines)):  # (together UTF-8 when each is: a line end is never part of a character)
            return None
        try:
            return list(map(decode, lines))
        except Exception:  # noqa: BLE001 - a line not read this way: the caller reads them one by one
            return None

    return read


def loads(data: str | bytes | bytearray) -> Any:
    """``json.loads(data)``."""
    if _fast_decode is not None:
        try:
            return _fast_decode(data)
        except Exception:  # noqa: BLE001 - not read the plain way: json's own reading below
            pass
    if _make_scanner is None:  # pragma: no cover
        return _json_loads(data)
    kind = data.__class__
    if kind is bytes or kind is bytearray:
        # json.detect_encoding says UTF-8 for these first bytes; for others it may not
        if not data or data[0] in _NOT_UTF8_FIRST or (len(data) > 1 and not data[1]):
            return _json_loads(data)
        text = data.decode("utf-8", "surrogatepass")
    elif kind is str:
        text = data  # type: ignore[assignment]
    else:
        return _json_loads(data)
    if not text or text[0] in _WHITESPACE or text[0] == "\ufeff":
        return _json_loads(data)
    try:
        obj, end = _scan(text, 0)
    except Exception:  # noqa: BLE001 - json reads it again and raises its own error
        # (the accelerator builds its errors from json.decoder, and only if
        # that is loaded already: without it, a malformed text ends in a
        # SystemError rather than json's JSONDecodeError)
        return _json_loads(data)
    if end != len(text) and text[end:].strip(_WHITESPACE):
        return _json_loads(data)  # "Extra data"
    return obj


def canonical(obj: Any) -> str:
    """``json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``."""
    if _fast_encode is not None:
        try:
            return _fast_encode(obj).decode("utf-8")
        except Exception:  # noqa: BLE001 - what the engine does not write: json writes it, or says why not
            pass
    return _slow_canonical(obj)


def canonical_bytes(obj: Any) -> bytes:
    """``canonical(obj)`` as UTF-8."""
    if _fast_encode is not None:
        try:
            return _fast_encode(obj)
        except Exception:  # noqa: BLE001 - as in canonical
            pass
    return _slow_canonical(obj).encode("utf-8")


def _slow_canonical(obj: Any) -> str:
    if _make_encoder is None:  # pragma: no cover
        import json

        return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "".join(_canonical(obj, 0))


def dumps(obj: Any) -> str:
    """``json.dumps(obj, ensure_ascii=False)``."""
    if _make_encoder is None:  # pragma: no cover
        import json

        return json.dumps(obj, ensure_ascii=False)
    return "".join(_make_encoder({}, _default, _encode_string, None, ": ", ", ", False, False, True)(obj, 0))
