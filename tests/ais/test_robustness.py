"""Issue 11: every AIS reader takes any input and either counts every record or raises a library error.

The examples the issue found, one test each, then properties over random bytes and over the
real sample files with hypothesis-chosen damage: no exception but :class:`VesselScreenError`,
``accepted + rejected == records``, and (where the file's shape survives) one record per line.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from vesselscreen.ais import (
    read_ais,
    read_aishub,
    read_aisstream,
    read_dma,
    read_mapped,
    read_marinecadastre,
    read_nmea,
    sniff_format,
)
from vesselscreen.errors import FormatError, SourceNotFoundError, VesselScreenError
from vesselscreen.ingest import IngestReport, ingest_report
from vesselscreen.schema import POSITION

from .conftest import DATA, MARINECADASTRE, NMEA, REFERENCE

DMA_CSV = DATA / "dma" / "aisdk_2025-09-01_excerpt.csv"
AISSTREAM = DATA / "aisstream" / "messages.jsonl"
AISHUB_JSON = DATA / "aishub" / "ws_format1_human.json"
AISHUB_CSV = DATA / "aishub" / "ws_format1_human.csv"
KYSTVERKET = NMEA / "kystverket_2019-08-07_1000lines.nm4"
MC_MAPPING = {
    POSITION.MMSI: "MMSI",
    POSITION.TIMESTAMP: "BaseDateTime",
    POSITION.LAT: "LAT",
    POSITION.LON: "LON",
    POSITION.NAME: "VesselName",
    POSITION.IMO: "IMO",
}


def report_of(frame: pd.DataFrame) -> IngestReport:
    report = ingest_report(frame)
    assert report is not None
    return report


def mc_lines(count: int) -> list[bytes]:
    return MARINECADASTRE.read_bytes().split(b"\n")[: count + 1]


# --- the examples of the issue ------------------------------------------------------------


def test_marinecadastre_bare_carriage_return_is_one_rejected_row() -> None:
    lines = mc_lines(6)
    lines[2] = lines[2].replace(b"MSC NAISHA", b"MSC\rNAISHA")  # inside a name
    lines[4] = b"\r" + lines[4]  # at the start of a line: pyarrow saw two lines
    fields = lines[5].split(b",")
    fields[2] = b"91.0"
    lines[5] = b",".join(fields)
    frame = read_marinecadastre(io.BytesIO(b"\n".join(lines) + b"\n"))
    report = report_of(frame)
    assert (report.records, report.accepted, len(frame)) == (6, 3, 3)
    rejected = {sample.line: sample.reason for sample in report.samples}
    assert rejected == {
        3: "malformed row: carriage return inside the line",
        5: "malformed row: carriage return inside the line",
        6: "invalid latitude: '91.0'",
    }
    assert report.samples[0].raw.startswith("636021061,2023-01-11T00:00:00,26.09241,-80.04806")


def test_marinecadastre_stray_quote_does_not_swallow_the_next_rows() -> None:
    lines = mc_lines(5)
    lines[1] = lines[1].replace(b",SAN JOSE,", b',"SAN JOSE,')  # an opening quote that never closes
    frame = read_marinecadastre(io.BytesIO(b"\n".join(lines) + b"\n"))
    report = report_of(frame)
    assert (report.records, report.accepted, len(frame)) == (5, 4, 4)
    assert report.reasons == {"malformed row": 1}
    assert (report.samples[0].line, report.samples[0].reason) == (
        2,
        "malformed row: a quote that never closes",
    )
    assert 636021061 in frame[POSITION.MMSI].tolist()  # the row after it is read


def test_dma_non_utf8_row_is_one_rejection_and_nothing_on_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    lines = DMA_CSV.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b"MSC NAISHA III", b"MSC NAISHA \xc9II")  # Latin-1, not UTF-8
    lines[4] = b"01/09/2025 00:00:00,Class \xe9,1,2"  # too few fields, and not UTF-8
    frame = read_dma(io.BytesIO(b"\n".join(lines)))
    report = report_of(frame)
    assert (report.records, report.accepted) == (11, 5)
    reasons = {sample.line: sample.reason for sample in report.samples}
    assert reasons[4] == "undecodable row: not UTF-8 (byte 0xC9 at column 124)"
    assert reasons[5] == "undecodable row: not UTF-8 (byte 0xE9 at column 27)"
    assert capfd.readouterr().err == ""


def test_aisstream_deeply_nested_json() -> None:
    good = AISSTREAM.read_text(encoding="utf-8").splitlines()[0]
    nested = '{"MessageType":' + "[" * 100_000 + "]" * 100_000 + "}"
    frame = read_aisstream(io.StringIO(f"{good}\n{nested}\n"))
    report = report_of(frame)
    assert (report.records, report.accepted) == (2, 1)
    assert report.samples[0].reason == "malformed message: JSON nested too deeply"
    with pytest.raises(FormatError, match="nested too deeply"):
        read_aisstream(io.StringIO("[" * 100_000 + "]" * 100_000))


def test_aisstream_line_that_is_not_utf8() -> None:
    lines = AISSTREAM.read_bytes().split(b"\n")
    lines[0] = lines[0].replace(b"AUGUSTSON", b"AUGUSTS\xd8N")
    report = report_of(read_aisstream(io.BytesIO(b"\n".join(lines))))
    assert report.samples[0].line == 1
    assert report.samples[0].reason.startswith("malformed message: not UTF-8 (byte 0xD8 at column")
    assert report.records == 10


def test_aishub_json_record_that_is_not_utf8_and_deep_nesting() -> None:
    text = AISHUB_JSON.read_bytes().replace(b"ZAC V", b"ZAC \xff")
    frame = read_aishub(io.BytesIO(text))
    report = report_of(frame)
    assert report.reasons["malformed record"] == 1
    bad = [sample for sample in report.samples if sample.reason.startswith("malformed record")]
    assert (bad[0].line, bad[0].reason) == (3, "malformed record: not UTF-8")  # ZAC V is the third record
    with pytest.raises(FormatError, match="nested too deeply"):
        read_aishub(io.StringIO("[" * 100_000 + "]" * 100_000))


def test_mapped_dataframe_with_a_duplicated_column() -> None:
    frame = pd.read_csv(MARINECADASTRE, nrows=3)
    doubled = pd.concat([frame, frame[["LAT"]]], axis=1)
    with pytest.raises(FormatError, match="'LAT' appears 2 times"):
        read_ais(doubled, mapping=MC_MAPPING)
    unused = pd.concat([frame, frame[["Cargo"]]], axis=1)  # a repeated column nobody reads is fine
    assert len(read_ais(unused, mapping=MC_MAPPING, assume_utc=True)) == 3


def test_a_directory_has_its_own_error(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError, match="is a directory") as caught:
        read_ais(tmp_path)
    assert caught.value.source == str(tmp_path)


def test_progress_bar_counts_bytes_and_stays(capsys: pytest.CaptureFixture[str]) -> None:
    read_ais(KYSTVERKET, progress=True)
    shown = capsys.readouterr().err
    assert "100%" in shown  # it used to show 0% and clear
    assert "68.2k/68.2k" in shown
    for chunk in read_ais(KYSTVERKET, chunksize=300, progress=True):
        assert len(chunk) <= 300
    assert "100%" in capsys.readouterr().err


def test_sniffer_skips_a_byte_order_mark_and_stray_binary_lines() -> None:
    head = KYSTVERKET.read_bytes()[:4000]
    assert sniff_format(b"\xef\xbb\xbf" + head) == "nmea"
    assert sniff_format(b"\x00\x00\n" + head) == "nmea"
    assert sniff_format(b"\xef\xbb\xbf" + MARINECADASTRE.read_bytes()[:2000]) == "marinecadastre_csv"
    with pytest.raises(FormatError, match="binary content"):
        sniff_format(bytes(range(256)) * 4)
    with pytest.raises(FormatError, match="UTF-16"):
        sniff_format("MMSI,BaseDateTime\n".encode("utf-16"))


# --- properties: any bytes, and damaged real files ---------------------------------------------

Reader = Callable[[io.BytesIO], pd.DataFrame]


def nmea_reader(stream: io.BytesIO) -> pd.DataFrame:
    return read_nmea(stream, reference_time=REFERENCE)


def mapped_reader(stream: io.BytesIO) -> pd.DataFrame:
    return read_mapped(stream, MC_MAPPING, assume_utc=True)


def chunked_nmea(stream: io.BytesIO) -> pd.DataFrame:
    chunks = list(read_ais(stream, format="nmea", chunksize=3, reference_time=REFERENCE))
    frame = pd.concat(chunks, ignore_index=True)
    records = [report_of(chunk) for chunk in chunks]
    frame.attrs = {
        "vesselscreen_ingest_report": records[0].model_copy(
            update={
                "records": sum(r.records for r in records),
                "accepted": sum(r.accepted for r in records),
                "rejected": sum(r.rejected for r in records),
            }
        )
    }
    return frame


def any_format(stream: io.BytesIO) -> pd.DataFrame:
    return read_ais(stream, reference_time=REFERENCE)


# reader, sample, lines of the sample used, how many records a file of N lines holds
CSV_RECORDS = "csv"  # one per line after the header
LINE_RECORDS = "lines"  # one per non-blank line (aisstream)
NMEA_RECORDS = "nmea"  # one per non-blank line that is not a # comment
SAMPLES: dict[str, tuple[Reader, Path, str]] = {
    "marinecadastre": (read_marinecadastre, MARINECADASTRE, CSV_RECORDS),
    "dma": (read_dma, DMA_CSV, CSV_RECORDS),
    "aishub_csv": (read_aishub, AISHUB_CSV, CSV_RECORDS),
    "mapped_csv": (mapped_reader, MARINECADASTRE, CSV_RECORDS),
    "aishub_json": (read_aishub, AISHUB_JSON, ""),
    "aisstream": (read_aisstream, AISSTREAM, LINE_RECORDS),
    "nmea": (nmea_reader, KYSTVERKET, NMEA_RECORDS),
    "nmea_chunks": (chunked_nmea, KYSTVERKET, NMEA_RECORDS),
    "read_ais": (any_format, NMEA / "gpsd_sample.aivdm", ""),
}
SPECIAL = [
    b"\r",
    b"\n",
    b'"',
    b",",
    b"\x00",
    b"\xff",
    b"\xe9",
    b"\xef\xbb\xbf",
    b"[",
    b"{",
    b"\\",
    b"*",
    b"!",
    b"}",
]


def expected_records(data: bytes, kind: str) -> int | None:
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if kind == CSV_RECORDS:
        return max(len(lines) - 1, 0)
    if kind == LINE_RECORDS:
        return sum(1 for line in lines if line.strip())
    if kind == NMEA_RECORDS:
        if lines:
            lines[0] = lines[0].removeprefix(b"\xef\xbb\xbf")
        return sum(1 for line in lines if line.strip() and not line.strip().startswith(b"#"))
    return None


def check(reader: Reader, data: bytes, kind: str, header: bytes | None) -> None:
    """The reader either raises a library error or accounts for every record."""
    try:
        frame = reader(io.BytesIO(data))
    except VesselScreenError:
        return
    report = report_of(frame)
    assert report.accepted + report.rejected == report.records
    assert len(frame) <= report.accepted
    expected = expected_records(data, kind)
    intact = header is None or data.split(b"\n", 1)[0] == header
    if expected is not None and intact:
        assert report.records == expected


@st.composite
def damaged(draw: st.DrawFn, sample: Path) -> bytes:
    """The first lines of a real file with a few hypothesis-chosen edits."""
    lines = sample.read_bytes().split(b"\n")
    lines = lines[: draw(st.integers(1, 25))]
    data = bytearray(b"\n".join(lines) + b"\n")
    for _ in range(draw(st.integers(0, 6))):
        where = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "replace", "delete", "duplicate"]))
        piece = draw(st.one_of(st.sampled_from(SPECIAL), st.binary(min_size=1, max_size=3)))
        if action == "insert":
            data[where:where] = piece
        elif action == "replace" and data:
            data[min(where, len(data) - 1)] = piece[0]
        elif action == "delete" and data:
            del data[min(where, len(data) - 1)]
        elif action == "duplicate":
            start = data.rfind(b"\n", 0, where) + 1
            end = data.find(b"\n", where)
            data[start:start] = data[start : end + 1 if end >= 0 else len(data)]
    return bytes(data)


@pytest.mark.parametrize("name", sorted(SAMPLES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_real_files_are_accounted_for(name: str, data: st.DataObject) -> None:
    reader, sample, kind = SAMPLES[name]
    header = sample.read_bytes().split(b"\n", 1)[0] if kind == CSV_RECORDS else None
    check(reader, data.draw(damaged(sample)), kind, header)


@pytest.mark.parametrize("name", sorted(SAMPLES))
@settings(max_examples=25, deadline=None)
@given(content=st.binary(max_size=300))
@example(content=b"!")  # a line too short for a checksum once crashed the NMEA scanner
@example(content=b"!AIVDM*00\n\\s:1*00\\!")
def test_random_bytes_raise_only_library_errors(name: str, content: bytes) -> None:
    reader, _, _ = SAMPLES[name]
    check(reader, content, "", None)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.dictionaries(
                st.sampled_from(["MessageType", "MetaData", "Message", "x"]),
                st.recursive(
                    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                    lambda inner: (
                        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
                    ),
                    max_leaves=8,
                ),
            ),
            st.just({"MessageType": "PositionReport", "Message": {"PositionReport": {"Latitude": [1]}}}),
        ),
        max_size=8,
    )
)
def test_aisstream_messages_of_any_shape(messages: list[object]) -> None:
    text = "\n".join(json.dumps(message) for message in messages)
    check(read_aisstream, text.encode(), LINE_RECORDS, None)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["MMSI", "TIME", "LONGITUDE", "LATITUDE", "NAME", "IMO", "SOG"]),
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats()
            | st.text(max_size=8)
            | st.lists(st.integers()),
        ),
        max_size=6,
    )
)
def test_aishub_records_of_any_shape(records: list[dict[str, object]]) -> None:
    document = [{"ERROR": False, "FORMAT": "HUMAN"}, records]
    check(read_aishub, json.dumps(document).encode(), "", None)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.integers(), st.floats(), st.text(max_size=6), st.none()),
            st.one_of(st.text(max_size=25), st.none(), st.integers(0, 2**40)),
            st.one_of(st.floats(), st.text(max_size=6), st.none()),
        ),
        max_size=6,
    )
)
def test_mapped_dataframes_of_any_values(rows: list[tuple[object, object, object]]) -> None:
    frame = pd.DataFrame(rows, columns=["m", "t", "y"], dtype=object)
    frame["x"] = frame["y"]
    mapping = {POSITION.MMSI: "m", POSITION.TIMESTAMP: "t", POSITION.LAT: "y", POSITION.LON: "x"}
    try:
        result = read_ais(frame, mapping=mapping, assume_utc=True)
    except VesselScreenError:
        return
    report = report_of(result)
    assert report.records == len(rows) == report.accepted + report.rejected


@pytest.fixture(scope="module")
def geoparquet(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from .test_marinecadastre import write_geoparquet

    path = tmp_path_factory.mktemp("geoparquet") / "ais-2024-01-11.parquet"
    write_geoparquet(path, MARINECADASTRE.read_text(encoding="utf-8").splitlines()[:40])
    return path.read_bytes()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=4)
)
def test_damaged_geoparquet(geoparquet: bytes, edits: list[tuple[float, int]]) -> None:
    data = bytearray(geoparquet)
    for where, value in edits:
        data[int(where * len(data))] = value
    check(read_marinecadastre, bytes(data), "", None)
