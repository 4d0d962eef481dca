"""The vectorised NMEA reader gives exactly what the one-by-one reference gives.

``read_stream(fast=False)`` reads every line with ``line_result``, assembles every multipart
message one fragment at a time and decodes every message with pyais; the default reader
does all three in bulk. Same rows, same report (counts, notes, samples with their lines and
reasons), on every shared log and on logs of real lines with hypothesis-chosen damage.
"""

from __future__ import annotations

import io
import operator
from datetime import datetime
from functools import reduce
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselscreen.ais import nmea
from vesselscreen.ais._nmealines import PAD, _payload_checks
from vesselscreen.ais.nmea import iter_stream, read_stream
from vesselscreen.errors import ReferenceTimeError
from vesselscreen.ingest import ingest_report

from .conftest import NMEA, NMEA_FILES, REFERENCE

LINES = [line for name in NMEA_FILES for line in (NMEA / name).read_bytes().splitlines()]


def both(data: bytes, *, reference: datetime | None = REFERENCE, validate: bool = True) -> None:
    """Read ``data`` both ways and assert the frames and reports are equal."""
    outcomes = []
    for fast in (True, False):
        try:
            stream = io.BytesIO(data)
            frame = read_stream(
                stream, "log", reference_time=reference, validate_checksum=validate, fast=fast
            )
        except ReferenceTimeError as exc:
            outcomes.append(("error", exc.line))
            continue
        outcomes.append(("frame", frame))
    (kind_fast, fast), (kind_slow, slow) = outcomes
    assert kind_fast == kind_slow
    if kind_fast == "error":
        assert fast == slow
        return
    assert isinstance(fast, pd.DataFrame)
    assert isinstance(slow, pd.DataFrame)
    pd.testing.assert_frame_equal(fast, slow)
    assert ingest_report(fast) == ingest_report(slow)


@pytest.mark.parametrize("name", NMEA_FILES)
@pytest.mark.parametrize("validate", [True, False])
def test_shared_logs_read_the_same_both_ways(name: str, validate: bool) -> None:
    both((NMEA / name).read_bytes(), validate=validate)


def test_without_a_reference_time_both_ways_stop_at_the_same_line() -> None:
    both((NMEA / "gpsd_sample.aivdm").read_bytes(), reference=None)


DAMAGE = st.sampled_from(
    [
        "none",
        "drop_char",
        "flip_char",
        "space",
        "tag",
        "bad_tag_checksum",
        "bad_tag_time",
        "trailing",
        "lowercase_hex",
        "crlf",
        "star",
        "backslash",
    ]
)


def damaged(line: bytes, damage: str, position: int, value: int) -> bytes:
    if damage == "drop_char" and line:
        index = position % len(line)
        return line[:index] + line[index + 1 :]
    if damage == "flip_char" and line:
        index = position % len(line)
        return line[:index] + bytes([value % 128]) + line[index + 1 :]
    if damage == "space" and line:
        index = position % len(line)
        return line[:index] + b" " + line[index:]
    if damage in ("tag", "bad_tag_checksum", "bad_tag_time"):
        tag = b"s:st%d,c:%d" % (value, 1_600_000_000 + position)
        if damage == "bad_tag_time":
            tag = b"c:%d.5x" % position
        check = 0
        for byte in tag:
            check ^= byte
        if damage == "bad_tag_checksum":
            check ^= 1
        return b"\\" + tag + b"*%02X\\" % check + line
    if damage == "trailing":
        return line + b",%d" % value
    if damage == "lowercase_hex":
        return line.lower() if b"*" in line else line
    if damage == "crlf":
        return line + b"\r"
    if damage in ("star", "backslash") and line:  # where the scanner's shortcuts look for them
        index = position % len(line)
        return line[:index] + (b"*" if damage == "star" else b"\\") + line[index:]
    return line


@settings(max_examples=25, deadline=None)
@given(
    picks=st.lists(
        st.tuples(
            st.integers(0, len(LINES) - 1),
            DAMAGE,
            st.integers(0, 10_000),
            st.integers(0, 255),
        ),
        min_size=1,
        max_size=30,
    ),
    validate=st.booleans(),
)
def test_damaged_real_lines_read_the_same_both_ways(
    picks: list[tuple[int, str, int, int]], validate: bool
) -> None:
    lines = [damaged(LINES[index], damage, position, value) for index, damage, position, value in picks]
    both(b"\n".join(lines) + b"\n", validate=validate)


ARMOUR = b"0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw"
PAYLOAD_BYTE = st.one_of(st.sampled_from(list(ARMOUR)), st.integers(0, 255))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(PAYLOAD_BYTE, max_size=210).map(bytes), min_size=1, max_size=12))
def test_payload_checks_find_the_payloads_with_a_byte_outside_the_armour_and_their_xor(
    payloads: list[bytes],
) -> None:
    data = b",".join(payloads) + b","
    lengths = np.array([len(payload) for payload in payloads], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths[:-1] + 1))).astype(np.int64)
    buf = np.frombuffer(data + bytes(PAD), dtype=np.uint8)
    expected = [any(byte not in ARMOUR for byte in payload) for payload in payloads]
    bad, xor = _payload_checks(buf, starts, lengths)
    assert bad.tolist() == expected
    assert xor.tolist() == [reduce(operator.xor, payload, 0) for payload in payloads]


@settings(max_examples=25, deadline=None)
@given(
    picks=st.lists(
        st.tuples(st.integers(0, len(LINES) - 1), DAMAGE, st.integers(0, 10_000), st.integers(0, 255)),
        min_size=1,
        max_size=60,
    ),
    block=st.integers(64, 4096),
    chunksize=st.integers(1, 40),
)
def test_no_line_is_lost_however_the_log_is_cut(
    picks: list[tuple[int, str, int, int]], block: int, chunksize: int
) -> None:
    lines = [damaged(LINES[index], damage, position, value) for index, damage, position, value in picks]
    data = b"\n".join(lines) + b"\n"
    records = sum(1 for line in data.split(b"\n") if line.strip() and not line.strip().startswith(b"#"))
    whole = read_stream(io.BytesIO(data), "log", reference_time=REFERENCE)
    report = ingest_report(whole)
    assert report is not None
    assert report.records == report.accepted + report.rejected == records
    with mock.patch.object(nmea, "BLOCK_BYTES", block):  # the file read whole, in small blocks
        blocks = read_stream(io.BytesIO(data), "log", reference_time=REFERENCE)
    pd.testing.assert_frame_equal(blocks, whole)
    assert ingest_report(blocks) == report
    chunks = list(iter_stream(io.BytesIO(data), "log", chunksize=chunksize, reference_time=REFERENCE))
    reports = [ingest_report(chunk) for chunk in chunks]
    assert sum(part.records for part in reports if part is not None) == records
    assert sum(part.accepted for part in reports if part is not None) == report.accepted
    assert sum(len(chunk) for chunk in chunks) == len(whole)


def _checksum(data: bytes) -> bytes:
    return b"%02X" % reduce(operator.xor, data, 0)


def _multipart_messages() -> list[list[bytes]]:
    """The shared logs' multipart messages, each as its fragments' sentences (tag blocks left off)."""
    messages: list[list[bytes]] = []
    for line in LINES:
        body = line[line.find(b"!") :].strip()
        fields = body.split(b",")
        if len(fields) != 7 or not fields[1].isdigit() or fields[1] == b"1" or not fields[2].isdigit():
            continue
        if fields[2] == b"1":
            messages.append([body])
        elif messages and len(messages[-1]) == int(fields[2]) - 1:
            messages[-1].append(body)
    return [message for message in messages if len(message) == int(message[0].split(b",")[1])]


MULTIPART = _multipart_messages()


def _fragment(sentence: bytes, seq: int, channel: bytes, time: int | None) -> bytes:
    """``sentence`` under sequence id ``seq`` and ``channel`` (checksum worked out again), behind a
    tag block with ``time`` if one is given."""
    fields = sentence.split(b"*")[0].split(b",")
    fields[3], fields[4] = b"%d" % seq, channel
    data = b",".join(fields)
    line = data + b"*" + _checksum(data[1:])
    if time is None:
        return line
    tag = b"c:%d" % time
    return b"\\" + tag + b"*" + _checksum(tag) + b"\\" + line


@settings(max_examples=40, deadline=None)
@given(
    picks=st.lists(
        st.tuples(
            st.integers(0, len(MULTIPART) - 1),
            st.integers(0, 2),  # few sequence ids and channels: messages of one key interleave
            st.sampled_from([b"A", b"B"]),
            st.integers(0, 7),  # which of a message's fragments are written (the others are lost)
            st.booleans(),  # fragments written last first
            st.booleans(),  # a time on each fragment
        ),
        min_size=1,
        max_size=40,
    ),
    block=st.integers(48, 1024),
    chunksize=st.integers(1, 12),
)
def test_multipart_messages_cut_by_blocks_are_assembled_as_in_one_block(
    picks: list[tuple[int, int, bytes, int, bool, bool]], block: int, chunksize: int
) -> None:
    # a block starts with fragments that continue messages begun in the block before (or not)
    lines = []
    for index, (message, seq, channel, kept, backwards, timed) in enumerate(picks):
        fragments = [part for number, part in enumerate(MULTIPART[message]) if kept >> number & 1]
        for sentence in reversed(fragments) if backwards else fragments:
            lines.append(_fragment(sentence, seq, channel, 1_600_000_000 + index if timed else None))
    data = b"\n".join(lines) + b"\n"
    with mock.patch.object(nmea, "WORKERS", 1), mock.patch.object(nmea, "BLOCK_BYTES", 1 << 20):
        whole = read_stream(io.BytesIO(data), "log", reference_time=REFERENCE)  # one block
    with mock.patch.object(nmea, "BLOCK_BYTES", block):
        blocks = read_stream(io.BytesIO(data), "log", reference_time=REFERENCE)
    pd.testing.assert_frame_equal(blocks, whole)
    report = ingest_report(whole)
    assert ingest_report(blocks) == report
    assert report is not None
    chunks = list(iter_stream(io.BytesIO(data), "log", chunksize=chunksize, reference_time=REFERENCE))
    reports = [ingest_report(chunk) for chunk in chunks]
    for reason, count in report.reasons.items():
        assert sum(part.reasons.get(reason, 0) for part in reports if part is not None) == count
    assert sum(len(chunk) for chunk in chunks) == len(whole)
