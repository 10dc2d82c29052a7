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
``tests/storage/test_jsontext.py`` compares them with ``json`` on generated values,
texts and bytes.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

try:
    from _json import encode_basestring as _encode_string, make_encoder as _make_encoder, make_scanner as _make_scanner
except ImportError:  # pragma: no cover - a Python without json's C accelerator
    _make_scanner = _make_encoder = None

_WHITESPACE = " \t\n\r"  # what json skips around a document
_NOT_UTF8_FIRST = (0x00, 0xEF, 0xFE, 0xFF)  # first bytes json.detect_encoding looks at twice (byte-order marks, UTF-16/32)


def _default(obj: Any) -> Any:
    raise TypeError(f"Object of type {obj.__class__.__name__} is not JSON serializable")


class _Decoder:
    """The settings ``json.JSONDecoder()`` hands its scanner."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}.__getitem__
    memo: dict[str, str] = {}


if _make_scanner is not None:
    try:
        _scan = _make_scanner(_Decoder())
        _canonical = _make_encoder(None, _default, _encode_string, None, ":", ",", True, False, True)
    except (AttributeError, TypeError):  # pragma: no cover - an accelerator made otherwise: json does it all
        _make_scanner = _make_encoder = None


def _json_loads(data: Any) -> Any:
    import json

    return json.loads(data)


def loads(data: str | bytes | bytearray) -> Any:
    """``json.loads(data)``."""
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
