"""The vectorised position decoder gives exactly what pyais gives, field for field."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping

import numpy as np
import pandas as pd
import pyais
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyais.bit_vector import _PAYLOAD_ARMOR, bit_vector
from pyais.messages import MSG_CLASS, AISSentence, NMEASentenceFactory
from pyais.stream import IterMessages
from pyais.util import PAYLOAD_ARMOR

from vesselscreen.ais import fastdecode
from vesselscreen.ais.fastdecode import (
    COLUMNS,
    armour_values,
    decode_messages,
    decode_positions,
    fast_decodable,
)

from .conftest import NMEA, NMEA_FILES

ARMOUR_BYTES = frozenset(b"0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw")


def assert_same_as_pyais(row: Mapping[Hashable, object], sentence: AISSentence) -> None:
    """Every field pyais decodes (spare bits aside) equals our column of that name."""
    expected = sentence.decode().asdict()
    assert expected
    for field, value in expected.items():
        ours = row[field]
        assert ours is not pd.NA, field
        if isinstance(value, float) and math.isnan(value):
            assert isinstance(ours, float), field
            assert math.isnan(ours), field
        else:
            assert ours == value, (field, value, ours)


def single_fragment_sentences() -> list[AISSentence]:
    sentences = []
    for name in NMEA_FILES:
        for line in (NMEA / name).read_bytes().splitlines():
            start = line.find(b"!")
            if start < 0:
                continue
            try:
                sentence = NMEASentenceFactory.produce(line[start:])
            except Exception:  # a sample line pyais cannot parse is not one to compare
                continue
            if isinstance(sentence, AISSentence) and sentence.frag_cnt == 1 and sentence.payload:
                sentences.append(sentence)
    return sentences


def test_every_position_report_in_the_shared_logs_equals_pyais() -> None:
    sentences = single_fragment_sentences()
    frame = decode_positions([s.payload for s in sentences], [s.fill_bits for s in sentences])
    assert len(frame) == len(sentences)
    decoded = frame["decoded"].to_numpy()
    # measured: 17842 single-fragment sentences with a payload, 12586 of them types 1/2/3/18 of 168 bits
    assert (len(sentences), int(decoded.sum())) == (17842, 12586)
    rows = frame.to_dict("records")
    for index in np.flatnonzero(decoded):
        assert_same_as_pyais(rows[index], sentences[index])
    for index in np.flatnonzero(~decoded):
        sentence = sentences[index]
        assert sentence.ais_id not in (1, 2, 3, 18) or len(sentence.bv) < 168
        assert frame.iloc[index].drop("decoded").isna().all()


def test_columns_are_pyais_field_names() -> None:
    frame = decode_positions([b"15RTgt0PAso;90TKcjM8h6g208CQ"])
    assert tuple(frame.columns) == COLUMNS
    assert frame["mmsi"].dtype == "Int64"
    assert frame["lat"].dtype == "float64"
    assert frame["raim"].dtype == "boolean"


def test_armour_table_is_pyais_table_for_every_byte() -> None:
    every_byte = np.arange(256, dtype=np.uint8)
    assert armour_values(every_byte).tolist() == list(_PAYLOAD_ARMOR)


def test_what_the_fast_path_takes() -> None:
    position = b"15RTgt0PAso;90TKcjM8h6g208CQ"  # 28 characters = 168 bits
    payloads = [position, position + b"0", position[:-1], b"55?MbV02", b"B" + position[1:], b""]
    assert fast_decodable(payloads).tolist() == [True, True, False, False, True, False]
    # 29 characters less 5 fill bits is 169 bits: still whole; 28 less 1 is short
    assert fast_decodable([position + b"0", position], fill_bits=[5, 1]).tolist() == [True, False]
    with pytest.raises(ValueError, match="fill_bits"):
        fast_decodable([position], fill_bits=[0, 0])


def test_empty_input_gives_an_empty_frame() -> None:
    frame = decode_positions([])
    assert len(frame) == 0
    assert tuple(frame.columns) == COLUMNS


def _armour(bits: int, length: int) -> bytes:
    """``length`` bits (a multiple of 6) as AIS payload characters."""
    return "".join(PAYLOAD_ARMOR[(bits >> (length - 6 * (k + 1))) & 63] for k in range(length // 6)).encode()


@settings(max_examples=200, deadline=None)
@given(
    message_type=st.sampled_from([1, 2, 3, 18]),
    rest=st.integers(min_value=0, max_value=2**162 - 1),
    extra=st.integers(min_value=0, max_value=3),
    fill=st.integers(min_value=0, max_value=5),
)
def test_random_bits_decode_as_pyais_decodes_them(
    message_type: int, rest: int, extra: int, fill: int
) -> None:
    """Any 168-bit message of a fast type (every turn, sign and sentinel), with extra characters."""
    payload = _armour((message_type << 162) | rest, 168) + b"w" * extra
    fill = fill if extra else 0  # fill bits only where there are extra bits to pad
    sentence = NMEASentenceFactory.produce(f"!AIVDM,1,1,,A,{payload.decode()},{fill}*00".encode())
    assert isinstance(sentence, AISSentence)
    frame = decode_positions([payload], fill_bits=[fill])
    assert bool(frame["decoded"].iloc[0])
    assert_same_as_pyais(frame.to_dict("records")[0], sentence)


class_a = st.fixed_dictionaries(
    {
        "type": st.sampled_from([1, 2, 3]),
        "repeat": st.integers(0, 3),
        "mmsi": st.integers(0, 2**30 - 1),
        "status": st.integers(0, 15),
        "turn": st.sampled_from([0.0, -128.0, 127.0, -127.0, 4.0, -720.0, 708.0]),
        "speed": st.integers(0, 1023).map(lambda v: v / 10),
        "accuracy": st.booleans(),
        "lon": st.floats(-180, 181, allow_nan=False),
        "lat": st.floats(-90, 91, allow_nan=False),
        "course": st.integers(0, 4095).map(lambda v: v / 10),
        "heading": st.integers(0, 511),
        "second": st.integers(0, 63),
        "maneuver": st.integers(0, 2),
        "raim": st.booleans(),
        "radio": st.integers(0, 2**19 - 1),
    }
)
class_b = st.fixed_dictionaries(
    {
        "type": st.just(18),
        "repeat": st.integers(0, 3),
        "mmsi": st.integers(0, 2**30 - 1),
        "speed": st.integers(0, 1023).map(lambda v: v / 10),
        "accuracy": st.booleans(),
        "lon": st.floats(-180, 181, allow_nan=False),
        "lat": st.floats(-90, 91, allow_nan=False),
        "course": st.integers(0, 4095).map(lambda v: v / 10),
        "heading": st.integers(0, 511),
        "second": st.integers(0, 63),
        "cs": st.booleans(),
        "display": st.booleans(),
        "dsc": st.booleans(),
        "band": st.booleans(),
        "msg22": st.booleans(),
        "assigned": st.booleans(),
        "raim": st.booleans(),
        "radio": st.integers(0, 2**20 - 1),
    }
)


@settings(max_examples=100, deadline=None)
@given(messages=st.lists(st.one_of(class_a, class_b), min_size=1, max_size=20))
def test_pyais_encoded_messages_decode_identically(messages: list[dict[str, float | int | bool]]) -> None:
    """Messages encoded with pyais' encoder: one batch, every field as pyais decodes it."""
    sentences = []
    for message in messages:
        (text,) = pyais.encode_dict(message, talker_id="AI", sentence_type="VDM")
        sentence = NMEASentenceFactory.produce(text.encode())
        assert isinstance(sentence, AISSentence)
        sentences.append(sentence)
    frame = decode_positions([s.payload for s in sentences], [s.fill_bits for s in sentences])
    assert frame["decoded"].all()
    for row, sentence in zip(frame.to_dict("records"), sentences, strict=True):
        assert_same_as_pyais(row, sentence)
    assert frame["mmsi"].tolist() == [message["mmsi"] for message in messages]


# --- decode_messages: every type a positions frame needs --------------------------------------

# decode_messages' fields and the pyais attribute each one is, per message type
FIELDS = {
    1: ("mmsi", "lat", "lon", "speed", "course", "heading", "status"),
    18: ("mmsi", "lat", "lon", "speed", "course", "heading"),
    19: ("mmsi", "lat", "lon", "speed", "course", "heading", "shipname", "ship_type"),
    27: ("mmsi", "lat", "lon", "speed", "course", "status"),
    5: ("mmsi", "imo", "callsign", "shipname", "ship_type", "draught", "destination"),
}
FIELDS[2] = FIELDS[3] = FIELDS[1]


def assert_messages_equal_pyais(payloads: list[bytes], fills: list[int]) -> dict[int, int]:
    """Every message decode_messages decodes has pyais' values; returns the count per type."""
    data = np.frombuffer(b"".join(payloads), dtype=np.uint8)
    lengths = np.array([len(payload) for payload in payloads], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    decoded = decode_messages(data, starts, lengths, np.array(fills, dtype=np.int64))
    counts: dict[int, int] = {}
    for index in np.flatnonzero(decoded.decoded).tolist():
        vector = bit_vector(payloads[index], fills[index])
        message = MSG_CLASS[vector.get(0, 6)].from_vector(vector)
        kind = int(decoded.kind[index])
        assert kind == message.msg_type
        counts[kind] = counts.get(kind, 0) + 1
        names = FIELDS.get(kind, ())
        if kind == 24:
            names = (
                ("mmsi", "partno", "shipname")
                if message.partno == 0
                else ("mmsi", "partno", "callsign", "ship_type")
            )
        for name in names:
            ours, theirs = getattr(decoded, name)[index], getattr(message, name)
            if isinstance(ours, np.generic):
                ours = ours.item()
            assert ours == (int(theirs) if name in ("ship_type", "status") else theirs), (kind, name)
    return counts


def test_every_message_of_the_shared_logs_decodes_as_pyais_decodes_it() -> None:
    payloads, fills = [], []
    for name in NMEA_FILES:
        lines = [line[line.find(b"!") :] for line in (NMEA / name).read_bytes().splitlines() if b"!" in line]
        for message in IterMessages(lines):
            if message.payload and set(message.payload) <= ARMOUR_BYTES:
                payloads.append(message.payload)
                fills.append(message.fill_bits)
    counts = assert_messages_equal_pyais(payloads, fills)
    # measured: the shared logs' messages of the types decoded in bulk, multipart ones assembled
    assert {kind: counts[kind] for kind in (1, 5, 18, 19, 24, 27)} == {
        1: 9031,
        5: 1950,
        18: 971,
        19: 204,
        24: 461,
        27: 3331,
    }


@settings(max_examples=200, deadline=None)
@given(
    message_type=st.sampled_from([1, 5, 18, 19, 24, 27]),
    bits=st.integers(min_value=0, max_value=2**420 - 1),
    length=st.sampled_from([96, 160, 168, 312, 426]),
    fill=st.integers(min_value=0, max_value=5),
)
def test_random_bits_of_positions_identity_and_long_range_types_decode_as_pyais(
    message_type: int, bits: int, length: int, fill: int
) -> None:
    payload = _armour((message_type << (length - 6)) | (bits % (1 << (length - 6))), length)
    assert_messages_equal_pyais([payload], [fill])


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 2**64 - 1)), max_size=60),
    weak=st.booleans(),
)
def test_distinct_rows_number_equal_rows_as_first_seen(rows: list[tuple[int, int, int]], weak: bool) -> None:
    words = np.array(rows, dtype=np.uint64).reshape(-1, 3)
    # a multiplier of 0 keys each row by its last word only: rows that differ before it collide
    codes, firsts = fastdecode._distinct_rows(words, mix=np.uint64(0) if weak else fastdecode._MIX)
    seen: dict[tuple[int, int, int], int] = {}
    expected = [seen.setdefault(row, len(seen)) for row in rows]
    assert codes.tolist() == expected
    assert firsts.tolist() == [expected.index(code) for code in range(len(seen))]
