"""``sessionpack.jsontext`` reads and writes exactly what ``json`` does:
the same values, the same text, the same errors."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sessionpack import jsontext


@pytest.fixture(autouse=True, scope="module")
def as_it_was() -> Any:
    """The tests below choose the accelerator alone or the bulk engine (as
    a full replay or a file of sales runs); the process is left as it was."""
    was = jsontext.engaged()
    yield
    (jsontext.engage if was else jsontext.disengage)()


ENGINES = pytest.mark.parametrize("engine", ["accelerator", "engine"])


def use(engine: str) -> None:
    if engine == "engine":
        jsontext.engage()
        assert jsontext.engaged()
    else:
        jsontext.disengage()

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


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def bytes_outcome(call: Any, value: Any) -> tuple[str, Any]:
    try:
        return "value", call(value)
    except Exception as err:  # noqa: BLE001 - the error is what is compared
        return type(err).__name__, str(err)


@ENGINES
@given(VALUES)
@settings(max_examples=400)
def test_canonical_and_dumps_are_jsons_own_text(engine: str, value: Any) -> None:
    use(engine)
    if engine == "engine":
        # floats as sessionpack meets them: read from JSON text (plain floats
        # the program would make itself are checked below)
        value = jsontext.loads(json.dumps(value))
    assert jsontext.canonical(value) == canonical_json(value)
    assert bytes_outcome(jsontext.canonical_bytes, value) == bytes_outcome(lambda v: canonical_json(v).encode("utf-8"), value)
    assert jsontext.dumps(value) == json.dumps(value, ensure_ascii=False)


NO_FLOATS = st.recursive(st.none() | st.booleans() | st.integers(min_value=-(2**200), max_value=2**200) | st.text(max_size=12)
                         | st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x40), max_size=6),
                         lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                         | st.dictionaries(st.text(max_size=6) | st.integers(-5, 5) | st.booleans() | st.none(), inner, max_size=4),
                         max_leaves=12)


@ENGINES
@given(NO_FLOATS)
@settings(max_examples=400)
@example({"b": 1, "a": {"é": 1, "e": 2, "\U0001F600": 3, "\uffff": 4}})
@example({1: "x", "1": "y"})
@example(["\ud800"])
def test_any_value_without_floats_is_written_as_json_writes_it(engine: str, value: Any) -> None:
    use(engine)
    assert bytes_outcome(jsontext.canonical, value) == bytes_outcome(canonical_json, value)
    assert bytes_outcome(jsontext.canonical_bytes, value) == bytes_outcome(lambda v: canonical_json(v).encode("utf-8"), value)


@ENGINES
def test_a_float_read_is_written_back_as_json_writes_it(engine: str) -> None:
    use(engine)
    text = "[1e-05,1e+16,1.2345678901234568e+17,0.1,-0.0,NaN,Infinity,-Infinity,1e400,5e-324]"
    value = jsontext.loads(text)
    assert all(type(v) is jsontext.Float for v in value)
    assert jsontext.canonical(value) == "[1e-05,1e+16,1.2345678901234568e+17,0.1,-0.0,NaN,Infinity,-Infinity,Infinity,5e-324]"
    assert jsontext.canonical_bytes({"a": value[0]}) == b'{"a":1e-05}'


class Text(str):
    pass


@ENGINES
def test_what_the_engine_leaves_to_json_is_written_by_json(engine: str) -> None:
    use(engine)
    value = {"s": Text("x"), "n": {3: [2**70, -(2**70)], 1: None}, "t": (1, "é")}
    assert jsontext.canonical(value) == canonical_json(value) == '{"n":{"1":null,"3":[1180591620717411303424,-1180591620717411303424]},"s":"x","t":[1,"é"]}'


@ENGINES
@given(VALUES)
@settings(max_examples=300)
def test_loads_reads_what_json_wrote(engine: str, value: Any) -> None:
    use(engine)
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


@ENGINES
@given(TEXTS)
@settings(max_examples=600)
@example('{"a": 1}')
@example("NaN")
@example("[1, -Infinity]")
@example('"\\ud800"')
@example("")
@example("[1] [2]")
def test_loads_of_any_text_is_jsons(engine: str, text: str) -> None:
    use(engine)
    assert outcome(jsontext.loads, text) == outcome(json.loads, text)


BYTES = st.one_of(
    st.binary(max_size=24),
    st.builds(lambda head, v, enc: head + json.dumps(v, ensure_ascii=False).encode(enc, "surrogatepass"),
              st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00", b" "]), VALUES,
              st.sampled_from(["utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])),
)


@ENGINES
@given(BYTES)
@settings(max_examples=600)
@example(b'{"a":"\xc3\xa9"}')
@example(b"\xef\xbb\xbf[1]")
@example(b"[\x00]")
@example(b"1\x00")
@example(b'"\xed\xa0\x80"')  # a lone surrogate, as json's surrogatepass reads it
def test_loads_of_any_bytes_is_jsons(engine: str, data: bytes) -> None:
    use(engine)
    assert outcome(jsontext.loads, data) == outcome(jsontext.loads, bytearray(data)) == outcome(json.loads, data)


@ENGINES
def test_nan_and_infinity_are_read_as_json_reads_them(engine: str) -> None:
    use(engine)
    value = jsontext.loads("[NaN, Infinity, -Infinity]")
    assert math.isnan(value[0]) and value[1:] == [math.inf, -math.inf]


def test_a_value_json_cannot_write_is_refused_in_jsons_words() -> None:
    use("accelerator")
    for call in (jsontext.canonical, jsontext.dumps):
        assert outcome(call, {"a": {1, 2}}) == outcome(json.dumps, {"a": {1, 2}}) == ("TypeError", "Object of type set is not JSON serializable")


def test_it_imports_neither_json_nor_re() -> None:
    # (an editable install's finder may have loaded re before: only what the module loads counts)
    probe = ("import sys\nbefore = set(sys.modules)\nfrom sessionpack import jsontext\n"
             "jsontext.loads(b'{\"a\": [1, 2.5, null]}'); jsontext.canonical({'b': 1}); jsontext.dumps([1])\n"
             "print(sorted(m for m in ('json', 're', 'json.decoder') if m in set(sys.modules) - before))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("engaged", [False, True])
def test_malformed_text_gets_jsons_error_in_a_fresh_interpreter(engaged: bool) -> None:
    # Where json is not loaded yet, the accelerator cannot word its errors
    # (it takes them from json.decoder): the texts go to json itself, and
    # so do those the engine does not read.
    cases = ['{"format":1,', "[1, 2", '{"a": tru}', '"\\x"', "[1] x", "", "\ufeff[1]", "[" * 100_000, "1" * 5000]
    probe = ("import sys\nfrom sessionpack import jsontext\n" + ("jsontext.engage()\n" if engaged else "")
             + "for text in sys.argv[1:]:\n"
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


def test_without_the_engine_installed_engage_keeps_the_accelerator() -> None:
    probe = ("import sys\nsys.modules['msgspec'] = None\nfrom sessionpack import jsontext\njsontext.engage()\n"
             "print(jsontext.engaged(), jsontext.canonical_bytes({'b': [1, 2.5], 'a': 'é'}), jsontext.loads(b'[1.5]'))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "False b'{\"a\":\"\\xc3\\xa9\",\"b\":[1,2.5]}' [1.5]"


# -- the field reader (a journal scan's reading of a line) -----------------------------

FIELDS = ("seq", "type", "clients", "more")
EVENTS = st.fixed_dictionaries({}, optional={"seq": VALUES, "type": VALUES, "clients": VALUES, "more": VALUES, "note": VALUES,
                                             "booking": VALUES})


def mutated(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    out = bytearray(data)
    for where, drop, put in edits:
        at = where % (len(out) + 1)
        out[at:at + drop] = put
    return bytes(out)


EDITS = st.lists(st.tuples(st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=2),
                           st.sampled_from([b"", b"{", b"}", b"[", b"]", b'"', b",", b":", b"\\", b"0", b"-", b".", b"e", b" ",
                                            b"\x00", b"\x01", b"\xff", b"\xc3", b"\xed\xa0\x80", b"NaN", b"\\ud800", b"\\u0071"])),
                 max_size=3)


def kinds(value: Any) -> Any:
    """A value with each leaf replaced by its type's name (a Float is not a float)."""
    if isinstance(value, list):
        return [kinds(v) for v in value]
    if isinstance(value, dict):
        return {k: kinds(v) for k, v in value.items()}
    return type(value).__name__


@given(EVENTS, EDITS)
@settings(max_examples=800)
@example({"seq": 1, "type": "x", "note": "é"}, [(23, 2, b"\xff")])  # a byte that is not UTF-8, inside a string it skips
@example({"seq": 1, "type": "x", "clients": None}, [])
@example({"seq": 1, "type": "x", "note": [1.5, "\ud800"]}, [])
@example({"seq": True, "type": "x", "more": 1e300}, [])
@example({"seq": 1, "type": "x"}, [(3, 0, b"\\u0071")])  # "se\u0071q": the key seq, written with an escape
def test_the_field_reader_answers_only_what_loads_reads(event: dict[str, Any], edits: list[Any]) -> None:
    use("engine")
    data = mutated(json.dumps(event, ensure_ascii=False).encode("utf-8", "surrogatepass"), edits)
    read = jsontext.field_reader(FIELDS)
    assert read is not None
    answer = read(data)
    if answer is None:
        return  # the caller reads it whole
    whole = jsontext.loads(data)
    assert json.dumps(json.loads(data), sort_keys=True) == json.dumps(whole, sort_keys=True)  # whatever the reader answers, json reads
    assert isinstance(whole, dict)
    expected = tuple(whole.get(name, jsontext.ABSENT) for name in FIELDS)
    assert [v is jsontext.ABSENT for v in answer] == [v is jsontext.ABSENT for v in expected]
    shown = [[json.dumps(v, sort_keys=True), kinds(v)] for v in answer if v is not jsontext.ABSENT]
    assert shown == [[json.dumps(v, sort_keys=True), kinds(v)] for v in expected if v is not jsontext.ABSENT]


def test_the_field_reader_answers_a_journal_line_and_leaves_the_rest() -> None:
    use("engine")
    read = jsontext.field_reader(FIELDS)
    assert read is not None
    line = b'{"at":"2026-03-02T09:00:00+00:00","clients":["ana"],"seq":7,"type":"sold","x":[1.5,{"y":null}]}\n'
    assert read(line) == (7, "sold", ["ana"], jsontext.ABSENT)
    assert read(b'{"seq":7,"type":"sold","note":"\xff"}') is None  # not UTF-8: json refuses it
    assert read(b"[7]") is None and read(b'{"seq":NaN}') is None and read(b"") is None
    use("accelerator")
    assert jsontext.field_reader(FIELDS) is None


HEADS = (("seq", int, jsontext.REQUIRED), ("type", str, jsontext.REQUIRED), ("clients", list[str], []),
         ("more", object, jsontext.ABSENT))
WELL_FORMED = st.fixed_dictionaries({"seq": st.integers(min_value=0, max_value=2**62), "type": st.text(max_size=8)},
                                    optional={"clients": st.lists(st.text(max_size=6), max_size=3), "more": VALUES,
                                              "note": VALUES})


@given(st.lists(st.tuples(st.one_of(EVENTS, WELL_FORMED), EDITS), min_size=1, max_size=5))
@settings(max_examples=400)
@example([({"seq": 1, "type": "x", "note": "é"}, [(23, 2, b"\xff")])])  # a byte that is not UTF-8 in one line
@example([({"seq": True, "type": "x"}, [])])  # a boolean is not a seq
@example([({"seq": 1, "type": "x", "clients": ["a", 1]}, [])])  # a client id that is not text
@example([({"seq": 1, "type": "x", "clients": ["a"], "more": True}, []), ({"seq": 2, "type": "y"}, [])])
def test_the_heads_reader_answers_every_line_as_the_field_reader_or_none(lines: list[Any]) -> None:
    use("engine")
    data = [mutated(json.dumps(event, ensure_ascii=False).encode("utf-8", "surrogatepass"), edits) + b"\n"
            for event, edits in lines]
    heads = jsontext.heads_reader(HEADS)
    one = jsontext.field_reader(FIELDS)
    assert heads is not None and one is not None
    answer = heads(data)
    if answer is None:
        return  # the scan reads these lines one by one
    assert len(answer) == len(data)
    for line, found in zip(data, answer):
        expected = one(line)
        assert expected is not None  # whatever the batch answers, the line alone answers too
        seq, kind, clients, more = expected
        assert type(seq) is int and type(kind) is str and (clients is jsontext.ABSENT or type(clients) is list)
        assert (found.seq, found.type, found.clients) == (seq, kind, [] if clients is jsontext.ABSENT else clients)
        assert all(type(c) is str for c in found.clients)
        assert (found.more is jsontext.ABSENT) == (more is jsontext.ABSENT)
        if more is not jsontext.ABSENT:
            assert json.dumps(found.more, sort_keys=True) == json.dumps(more, sort_keys=True) and kinds(found.more) == kinds(more)


def test_the_heads_reader_needs_the_engine() -> None:
    use("accelerator")
    assert jsontext.heads_reader(HEADS) is None
    use("engine")
    read = jsontext.heads_reader(HEADS)
    assert read is not None
    [head] = read([b'{"at":"x","clients":["ana"],"seq":7,"type":"sold","x":[1.5,{"y":null}]}\n'])
    assert (head.seq, head.type, head.clients, head.more) == (7, "sold", ["ana"], jsontext.ABSENT)
    assert read([b'{"seq":7,"type":"sold"}\n', b'{"seq":8}\n']) is None  # one line without a type: none answered
