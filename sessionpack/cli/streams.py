"""Standard output that cannot be written: closed, a full disk, a device error.

A command's output goes to whatever its caller gave it: a terminal, a pipe,
a file. When that cannot be written (``sessionpack balance > /dev/full``,
or run with standard output closed, ``>&-``), the command says so in one
line rather than as an internal error (``cli.runtime.boundary``):

- nothing recorded: ``error: standard output could not be written (No
  space left on device); nothing was changed``, exit 75 (try again once
  the output has room);
- something recorded (a sale whose confirmation could not be printed):
  a warning that it stays recorded, naming ``sessionpack log`` to see it,
  and exit 0, since running it again would record it twice.

A reader that stops early (``| head``) is not an error: a broken pipe
ends the command quietly, with exit 0, as before.

An output whose encoding lacks a character (``PYTHONIOENCODING=ascii``, a
Latin-1 locale) is no error either: the character is written as an escape,
``\\xe9``, ``\\u2500`` (as Python writes standard error), in every format.

``guard`` wraps ``sys.stdout`` once, at the script's start, so that every
write and flush, wherever it is made, raises ``OutputError`` instead of a
bare ``OSError``, writes what the encoding lacks as escapes, and a standard
output that was closed before the start (Python's ``sys.stdout`` is then
None) behaves as one whose writes fail.
"""

from __future__ import annotations

import errno
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class OutputError(OSError):
    """Standard output could not be written (not a broken pipe)."""

    def reason(self) -> str:
        return self.strerror or os.strerror(self.errno or errno.EIO)


def _failed(err: OSError) -> OutputError:
    return OutputError(err.errno or errno.EIO, err.strerror or os.strerror(err.errno or errno.EIO))


class Guarded:
    """``sys.stdout`` with its failures (other than a broken pipe) as ``OutputError``."""

    __slots__ = ("_stream",)

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        if self._stream is None:
            raise OutputError(errno.EBADF, os.strerror(errno.EBADF))
        try:
            try:
                return self._stream.write(text)
            except UnicodeEncodeError:  # (raised before any of ``text`` is written)
                return self._stream.write(encodable(text, self._stream.encoding))
        except BrokenPipeError:
            raise
        except OSError as err:
            raise _failed(err) from None

    def flush(self) -> None:
        if self._stream is None:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as err:
            raise _failed(err) from None

    def isatty(self) -> bool:
        return self._stream is not None and self._stream.isatty()

    def fileno(self) -> int:
        if self._stream is None:
            raise OutputError(errno.EBADF, os.strerror(errno.EBADF))
        return self._stream.fileno()

    def __getattr__(self, name: str) -> Any:  # encoding, buffer, errors...: the stream's own
        if self._stream is None:
            if name == "encoding":
                return "utf-8"
            raise AttributeError(name)
        return getattr(self._stream, name)


def encodable(text: str, encoding: str, json: bool = False) -> str:
    """``text`` with each character ``encoding`` lacks written as an escape:
    ``\\xe9``, ``\\u2500``, as Python writes standard error; in a JSON
    document (``json``), JSON's own (``\\u00e9``, a pair beyond U+FFFF), so it
    stays valid and reads back as the text."""
    if not json:
        return text.encode(encoding, "backslashreplace").decode(encoding)
    import codecs

    codecs.register_error("sessionpack-json", _json_escapes)  # (again: the same handler)
    return text.encode(encoding, "sessionpack-json").decode(encoding)


def json_escape(code: int) -> str:
    """The JSON escape of one character: ``\\u00e9``; past U+FFFF its two
    surrogates, ``\\udb40\\udc41``."""
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 | code >> 10:04x}\\u{0xDC00 | code & 0x3FF:04x}"
    return f"\\u{code:04x}"


def _json_escapes(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeEncodeError):
        raise err
    return "".join(json_escape(ord(ch)) for ch in err.object[err.start:err.end]), err.end


def guard(stream: Any) -> Guarded:
    return stream if isinstance(stream, Guarded) else Guarded(stream)
