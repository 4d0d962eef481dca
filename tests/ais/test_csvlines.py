"""The guard of CSV lines: a file mapped in place hands pyarrow what the stream guard does."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vesselscreen.ais import read_marinecadastre
from vesselscreen.ais._csvlines import CsvGuard, MappedCsv
from vesselscreen.ingest import ingest_report

from .conftest import MARINECADASTRE

SAMPLE = MARINECADASTRE.read_bytes().split(b"\n")
# pieces that make pyarrow misread a line, or that the guard must let through
MARKER = "\x00vesselscreen-bad-line-"
NAMES = {"source": True, "samples": {"__all__": {"source"}}}  # a path and a stream differ only in name
PIECES = (b"\r", b"\r\n", b'"', b'""', b",", b"\xe9", b"\xc3\xa9", b"\xff\xfe", b"\n")


def guarded(data: bytes, block_size: int) -> tuple[list[bytes], list[tuple[str, str]]]:
    guard = CsvGuard(io.BytesIO(data), block_size=block_size)
    lines = guard.read().split(b"\n")
    return lines, [guard.flagged(f"{MARKER}{i}") or ("", "") for i in range(len(lines))]


def mapped(path: Path, block_size: int) -> tuple[list[bytes], list[tuple[str, str]]] | None:
    with path.open("rb") as file:
        lines_of = MappedCsv.of(file, 0, block_size=block_size)
        if lines_of is None:
            return None
        with lines_of:
            lines = lines_of.reader().read().split(b"\n")
            flags = [lines_of.flagged(f"{MARKER}{i}") or ("", "") for i in range(len(lines))]
    return [line.rstrip(b" ") if line.startswith(b"\x00") else line for line in lines], flags


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    lines = SAMPLE[: draw(st.integers(1, 40))]
    data = bytearray(b"\n".join(lines) + draw(st.sampled_from([b"\n", b"", b"\r\n"])))
    for _ in range(draw(st.integers(0, 8))):
        where = draw(st.integers(0, len(data)))
        data[where:where] = draw(st.one_of(st.sampled_from(PIECES), st.binary(min_size=1, max_size=2)))
    return bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=damaged(), block_size=st.sampled_from([16, 200, 1000, 1 << 22]))
def test_a_mapped_file_gives_the_guards_lines_and_reasons(
    tmp_path: Path, data: bytes, block_size: int
) -> None:
    path = tmp_path / "day.csv"
    path.write_bytes(data)
    lines, flags = guarded(data, block_size)
    in_place = mapped(path, block_size)
    if in_place is None:  # only when a bad line is too short to hold its marker
        assert any(reason for reason, _ in flags)
        return
    assert in_place == (lines, flags)
    assert path.read_bytes() == data  # the file itself is never written


def test_many_quoted_lines_in_a_block(tmp_path: Path) -> None:
    rows = [line.replace(b",MSC NAISHA III,", b',"MSC NAISHA, III",') for line in SAMPLE[1:400]]
    rows[300] = rows[300].replace(b",IMO", b',"IMO')  # a quote that never closes, after 64 quoted lines
    data = b"\n".join([SAMPLE[0], *rows]) + b"\n"
    path = tmp_path / "quoted.csv"
    path.write_bytes(data)
    in_place = mapped(path, 1 << 22)
    assert in_place is not None
    assert in_place[1][0] == ("malformed row: a quote that never closes", rows[300].decode())
    assert in_place == guarded(data, 1 << 22)


def test_reading_a_path_equals_reading_its_bytes(tmp_path: Path) -> None:
    lines = list(SAMPLE[:301])
    lines[5] = lines[5][:40] + b"\r" + lines[5][40:]
    lines[17] = lines[17].replace(b",IMO", b',"IMO')
    lines[40] = lines[40] + b"\xe9"
    fields = lines[41].split(b",")
    lines[41] = b",".join([*fields[:2], b"91.5", *fields[3:]])
    lines[60] = b'1,"x'  # too short for its marker: the file is read through the stream guard
    for name, content in (("long.csv", lines[:60]), ("short.csv", lines)):
        data = b"\n".join(content) + b"\n"
        path = tmp_path / name
        path.write_bytes(data)
        from_path, from_bytes = read_marinecadastre(path), read_marinecadastre(io.BytesIO(data))
        pd.testing.assert_frame_equal(from_path, from_bytes)
        report, expected = ingest_report(from_path), ingest_report(from_bytes)
        assert report is not None
        assert expected is not None
        assert report.model_dump(exclude=NAMES) == expected.model_dump(exclude=NAMES)
        assert sorted(sample.line or 0 for sample in report.samples)[:4] == [6, 18, 41, 42]


@pytest.mark.parametrize("content", [b"", b"MMSI,BaseDateTime,LAT,LON"])
def test_nothing_to_map_after_the_header(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with path.open("rb") as file:
        assert MappedCsv.of(file, len(content)) is None
