"""``sessionpack.jsontext`` reads and writes exactly what ``json`` does:
the same values, the same text, the same errors."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sessionpack import jsontext

SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-(2**80), max_value=2**80)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
           | st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x40), max_size=6))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
                      max_leaves=12)


def outcome(call: Any, *args: Any) -> tuple[str, Any]:
    """What a call gives: its value (NaN made comparable), or its error's type and text."""
    try:
        return "value", json.dumps(call(*args), sort_keys=True)
    except Exception as err:  # noqa: BLE001 - the error is what is compared
        return type(err).__name__, str(err)


@given(VALUES)
@settings(max_examples=400)
def test_canonical_and_dumps_are_jsons_own_text(value: Any) -> None:
    assert jsontext.canonical(value) == json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert jsontext.dumps(value) == json.dumps(value, ensure_ascii=False)


@given(VALUES)
@settings(max_examples=300)
def test_loads_reads_what_json_wrote(value: Any) -> None:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    read = jsontext.loads(text)
    assert json.dumps(read, sort_keys=True) == json.dumps(json.loads(text), sort_keys=True)
    assert outcome(jsontext.loads, text.encode("utf-8", "surrogatepass")) == outcome(json.loads, text.encode("utf-8", "surrogatepass"))


TEXTS = st.one_of(
    st.text(max_size=30),
    st.text(alphabet='{}[]",:0123456789.eE+-truefalsn \t\r\n\\u\ufeff', max_size=30),
    st.builds(lambda v, tail: json.dumps(v) + tail, VALUES, st.sampled_from(["", "\n", " \t\r\n", "x", " 1", "\x00", "]"])),
    st.builds(lambda head, v: head + json.dumps(v), st.sampled_from(["\ufeff", " ", "\n", "\t"]), VALUES),
)


@given(TEXTS)
@settings(max_examples=600)
@example('{"a": 1}')
@example("NaN")
@example("[1, -Infinity]")
@example('"\\ud800"')
@example("")
@example("[1] [2]")
def test_loads_of_any_text_is_jsons(text: str) -> None:
    assert outcome(jsontext.loads, text) == outcome(json.loads, text)


BYTES = st.one_of(
    st.binary(max_size=24),
    st.builds(lambda head, v, enc: head + json.dumps(v, ensure_ascii=False).encode(enc, "surrogatepass"),
              st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00", b" "]), VALUES,
              st.sampled_from(["utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])),
)


@given(BYTES)
@settings(max_examples=600)
@example(b'{"a":"\xc3\xa9"}')
@example(b"\xef\xbb\xbf[1]")
@example(b"[\x00]")
@example(b"1\x00")
@example(b'"\xed\xa0\x80"')  # a lone surrogate, as json's surrogatepass reads it
def test_loads_of_any_bytes_is_jsons(data: bytes) -> None:
    assert outcome(jsontext.loads, data) == outcome(jsontext.loads, bytearray(data)) == outcome(json.loads, data)


def test_nan_and_infinity_are_read_as_json_reads_them() -> None:
    value = jsontext.loads("[NaN, Infinity, -Infinity]")
    assert math.isnan(value[0]) and value[1:] == [math.inf, -math.inf]


def test_a_value_json_cannot_write_is_refused_in_jsons_words() -> None:
    for call in (jsontext.canonical, jsontext.dumps):
        assert outcome(call, {"a": {1, 2}}) == outcome(json.dumps, {"a": {1, 2}}) == ("TypeError", "Object of type set is not JSON serializable")


def test_it_imports_neither_json_nor_re() -> None:
    # (an editable install's finder may have loaded re before: only what the module loads counts)
    probe = ("import sys\nbefore = set(sys.modules)\nfrom sessionpack import jsontext\n"
             "jsontext.loads(b'{\"a\": [1, 2.5, null]}'); jsontext.canonical({'b': 1}); jsontext.dumps([1])\n"
             "print(sorted(m for m in ('json', 're', 'json.decoder') if m in set(sys.modules) - before))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


def test_malformed_text_gets_jsons_error_in_a_fresh_interpreter() -> None:
    # Where json is not loaded yet, the accelerator cannot word its errors
    # (it takes them from json.decoder): the texts go to json itself.
    cases = ['{"format":1,', "[1, 2", '{"a": tru}', '"\\x"', "[1] x", "", "\ufeff[1]", "[" * 100_000]
    probe = ("import sys\nfrom sessionpack import jsontext\nfor text in sys.argv[1:]:\n"
             "    try:\n        jsontext.loads(text.encode('utf-8'))\n"
             "    except Exception as err:\n        print(type(err).__name__, str(err)[:60])\n"
             "    else:\n        print('read')\n")
    result = subprocess.run([sys.executable, "-c", probe, *cases], capture_output=True, text=True, timeout=60, check=True)
    expected = []
    for text in cases:
        kind, said = outcome(json.loads, text.encode("utf-8"))
        expected.append("read" if kind == "value" else f"{kind} {said[:60]}")
    assert result.stdout.splitlines() == expected


def test_without_the_accelerator_it_is_json_itself() -> None:
    probe = ("import sys\nsys.modules['_json'] = None\nfrom sessionpack import jsontext\n"
             "value = {'b': [1, 2.5, None, 'é\\x7f'], 'a': True}\n"
             "print(jsontext.canonical(value)); print(jsontext.dumps(value)); print(jsontext.loads(b'[1, {\"x\": null}]'))\n"
             "try:\n    jsontext.loads('{\"format\":1,')\nexcept ValueError as err:\n    print(type(err).__name__, err)\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    value = {"b": [1, 2.5, None, "é\x7f"], "a": True}
    assert result.stdout.splitlines() == [
        json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        json.dumps(value, ensure_ascii=False),
        "[1, {'x': None}]",
        "JSONDecodeError Expecting property name enclosed in double quotes: line 1 column 13 (char 12)",
    ]
