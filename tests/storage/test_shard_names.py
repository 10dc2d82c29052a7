"""The shard names made from tables (``shards.open_shard``, ``code_shard``,
``ref_shard``) are those of their rule written out: the low byte of the
CRC-32 of the id or reference, and a code hash's first two hex digits."""

from __future__ import annotations

import os
import re
import zlib

from hypothesis import given
from hypothesis import strategies as st

from sessionpack.storage import layout, shards

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40) | st.text(max_size=40)
HEXISH = st.text(st.sampled_from("0123456789abcdefABCDEFgxz-İ\u0130"), max_size=70)


def _crc_byte(text: str) -> str:
    return f"{zlib.crc32(text.encode('utf-8', 'surrogatepass')) & 0xFF:02x}"


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_open_shard_is_the_low_byte_of_the_ids_crc(client: str) -> None:
    assert shards.open_shard(client) == os.path.join(layout.OPEN, _crc_byte(client) + ".jsonl")


@given(TEXT)
def test_ref_shard_is_the_low_byte_of_the_references_crc(reference: str) -> None:
    assert shards.ref_shard(reference) == os.path.join(layout.REFS, _crc_byte(reference) + ".json")


@given(HEXISH | TEXT)
def test_code_shard_is_the_first_two_hex_digits_else_the_crc(code_hash: str) -> None:
    prefix = code_hash[:2].lower()
    if not re.match(r"[0-9a-f]{2}\Z", prefix):
        prefix = _crc_byte(code_hash)
    assert shards.code_shard(code_hash) == os.path.join(layout.CODES, prefix + ".json")


def test_a_real_code_hash_keeps_its_first_two_digits() -> None:
    assert shards.code_shard("9F" + "0" * 62) == os.path.join(layout.CODES, "9f.json")
    assert shards.code_shard("d9b0") == os.path.join(layout.CODES, "d9.json")
