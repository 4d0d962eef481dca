"""MarineCadastre reader: the real 1000-row sample in all three layouts, each kind of bad row, chunks."""

from __future__ import annotations

import io
import math
import random
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselscreen.ais import read_marinecadastre
from vesselscreen.ais.marinecadastre import _RawLines, _row_lines, _sort_order, iter_marinecadastre
from vesselscreen.errors import ColumnsError
from vesselscreen.events.track import SortedPositions
from vesselscreen.ingest import IngestReport, ingest_report
from vesselscreen.schema import POSITION, POSITION_DTYPES, validate

from .conftest import MARINECADASTRE


def report_of(frame: pd.DataFrame) -> IngestReport:
    report = ingest_report(frame)
    assert report is not None
    return report


def csv(lines: list[str]) -> io.StringIO:
    return io.StringIO("\n".join(lines) + "\n")


def test_sample_reads_1000_rows_in_the_schema() -> None:
    frame = read_marinecadastre(MARINECADASTRE)
    validate(frame, POSITION_DTYPES, what="positions")
    report = report_of(frame)
    assert (report.records, report.accepted, report.rejected, len(frame)) == (1000, 1000, 0, 1000)
    assert report.format == "marinecadastre_csv"
    assert frame[POSITION.MMSI].is_monotonic_increasing  # one row per MMSI in this sample
    assert (frame[POSITION.SOURCE] == "marinecadastre").all()
    assert frame[POSITION.DESTINATION].isna().all()


def test_known_rows() -> None:
    frame = read_marinecadastre(MARINECADASTRE).set_index(POSITION.MMSI)
    naisha = frame.loc[636021061]  # line 3
    assert naisha[POSITION.IMO] == 9307839
    assert naisha[POSITION.NAME] == "MSC NAISHA III"
    assert naisha[POSITION.CALL_SIGN] == "5LCB4"
    assert naisha[POSITION.TIMESTAMP] == pd.Timestamp("2023-01-11 00:00:00", tz="UTC")
    assert (naisha[POSITION.LAT], naisha[POSITION.LON]) == (26.09241, -80.04806)
    assert (naisha[POSITION.SOG], naisha[POSITION.COG], naisha[POSITION.HEADING]) == (8.8, 272.7, 270.0)
    assert (naisha[POSITION.NAV_STATUS], naisha[POSITION.SHIP_TYPE], naisha[POSITION.DRAUGHT]) == (8, 70, 8.0)

    san_jose = frame.loc[367752440]  # line 2: COG 360.0 = not available, no IMO, Status "0.0"
    assert math.isnan(san_jose[POSITION.COG])
    assert san_jose[POSITION.HEADING] == 95.0
    assert pd.isna(san_jose[POSITION.IMO])
    assert san_jose[POSITION.NAV_STATUS] == 0
    assert math.isnan(san_jose[POSITION.DRAUGHT])

    wine_knot = frame.loc[338393843]  # line 295: heading 511, IMO0000000 (= not available)
    assert math.isnan(wine_knot[POSITION.HEADING])
    assert pd.isna(wine_knot[POSITION.IMO])
    assert pd.isna(wine_knot[POSITION.NAV_STATUS])


def test_sentinel_counts_match_the_raw_file(marinecadastre_lines: list[str]) -> None:
    raw = [line.split(",") for line in marinecadastre_lines[1:]]
    frame = read_marinecadastre(MARINECADASTRE)
    assert frame[POSITION.HEADING].isna().sum() == sum(fields[6] == "511.0" for fields in raw) == 426
    assert frame[POSITION.SOG].isna().sum() == sum(fields[4] == "102.3" for fields in raw) == 4
    assert frame[POSITION.COG].isna().sum() == sum(fields[5] == "360.0" for fields in raw) == 90
    assert frame[POSITION.SHIP_TYPE].isna().sum() == sum(fields[10] == "0" for fields in raw) == 16


def test_invalid_imos_are_na_with_warnings() -> None:
    frame = read_marinecadastre(MARINECADASTRE)
    report = report_of(frame)
    assert report.warnings == {"invalid IMO": 33}
    assert report.accepted == 1000  # flagged rows are kept
    flagged = {s.line: s.reason for s in report.samples if s.kept}
    assert flagged[61] == "invalid IMO: 'IMO0000001' of MMSI 368018310"
    assert frame[POSITION.IMO].notna().sum() == 1000 - 558 - 22 - 33  # empty, IMO0000000, invalid


def test_bad_rows_are_rejected_with_their_line(marinecadastre_lines: list[str]) -> None:
    header, rows = marinecadastre_lines[0], marinecadastre_lines[1:6]

    def with_field(row: str, index: int, value: str) -> str:
        fields = row.split(",")
        fields[index] = value
        return ",".join(fields)

    lines = [
        header,
        rows[0],  # line 2: fine
        with_field(rows[1], 2, "91"),  # line 3: latitude "not available"
        "367752440,2023-01-11T00:00:00,43.07917",  # line 4: too few fields
        with_field(rows[2], 3, "181.0"),  # line 5: longitude "not available"
        with_field(rows[3], 1, "2023-01-11T25:00:00"),  # line 6: no such hour
        with_field(rows[4], 0, "12345"),  # line 7: not an MMSI
        rows[4],  # line 8: fine
    ]
    frame = read_marinecadastre(csv(lines))
    report = report_of(frame)
    assert (report.records, report.accepted, report.rejected) == (7, 2, 5)
    assert report.reasons == {
        "invalid latitude": 1,
        "malformed row": 1,
        "invalid longitude": 1,
        "unparseable timestamp": 1,
        "invalid MMSI": 1,
    }
    where = {s.line: s.reason for s in report.samples}
    assert where == {
        3: "invalid latitude: '91'",
        4: "malformed row: 3 fields, expected 17",
        5: "invalid longitude: '181.0'",
        6: "unparseable timestamp: '2023-01-11T25:00:00'",
        7: "invalid MMSI: '12345'",
    }
    assert sorted(frame[POSITION.MMSI].astype(int)) == sorted(int(rows[i].split(",")[0]) for i in (0, 4))


def test_missing_columns_raise_naming_file_and_columns(
    tmp_path: Path, marinecadastre_lines: list[str]
) -> None:
    path = tmp_path / "cut.csv"
    keep = [0, 4, 5]  # MMSI, SOG, COG: no BaseDateTime, LAT, LON
    path.write_text(
        "\n".join(",".join(line.split(",")[i] for i in keep) for line in marinecadastre_lines[:3]) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ColumnsError) as caught:
        read_marinecadastre(path)
    assert caught.value.source == str(path)
    assert caught.value.missing == ["BaseDateTime", "LAT", "LON"]


def test_older_years_space_timestamps_and_optional_columns() -> None:
    lines = [
        "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status",
        "367752440,2015-01-01 00:00:09,43.07917,-70.75733,0.0,360.0,95.0,SAN JOSE,,WDI9818,31.0,0",
    ]
    row = read_marinecadastre(csv(lines)).iloc[0]
    assert row[POSITION.TIMESTAMP] == pd.Timestamp("2015-01-01 00:00:09", tz="UTC")
    assert row[POSITION.SHIP_TYPE] == 31
    assert row[POSITION.NAV_STATUS] == 0
    assert math.isnan(row[POSITION.DRAUGHT])


def test_header_only_gives_an_empty_frame(marinecadastre_lines: list[str]) -> None:
    frame = read_marinecadastre(csv(marinecadastre_lines[:1]))
    validate(frame, POSITION_DTYPES)
    assert len(frame) == 0
    assert report_of(frame).records == 0


# -- the 2025+ snake_case CSV (zstd), the 2024 GeoParquet, and chunked reading -------------------
# No real sample of these layouts is in the reference data we were given: the fixtures are the real
# 2023 sample rewritten in each published layout (snake_case names, times with a space, zstd; WKB points).

SNAKE = (
    "mmsi,base_date_time,latitude,longitude,sog,cog,heading,vessel_name,imo,call_sign,"
    "vessel_type,status,length,width,draft,cargo,transceiver"
)


def snake_case_text(lines: list[str]) -> str:
    rows = [line.replace("T", " ", 1) if line[:1].isdigit() else line for line in lines[1:]]
    # the first "T" of a data row is the one in BaseDateTime (MMSI is digits only)
    return "\n".join([SNAKE, *rows]) + "\n"


def write_zst(path: Path, text: str) -> None:
    with pa.CompressedOutputStream(str(path), "zstd") as out:
        out.write(text.encode())


def write_geoparquet(path: Path, lines: list[str], *, time_type: str = "string") -> None:
    table = pacsv.read_csv(
        io.BytesIO(snake_case_text(lines).encode()),
        convert_options=pacsv.ConvertOptions(
            column_types={"imo": pa.string(), "base_date_time": pa.string()}
        ),
    )
    points = shapely.points(table["longitude"].to_numpy(), table["latitude"].to_numpy())
    table = table.drop_columns(["latitude", "longitude"]).append_column(
        "geometry", pa.array(shapely.to_wkb(points))
    )
    if time_type == "timestamp":
        times = pc.strptime(table["base_date_time"], format="%Y-%m-%d %H:%M:%S", unit="us")
        table = table.set_column(1, "base_date_time", times)
    pq.write_table(table, path)


def assert_same_positions(frame: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(frame.drop(columns=POSITION.SOURCE), expected.drop(columns=POSITION.SOURCE))


def test_2025_snake_case_zstd_csv_reads_like_the_2023_csv(
    tmp_path: Path, marinecadastre_lines: list[str]
) -> None:
    path = tmp_path / "ais-2025-01-11.csv.zst"
    write_zst(path, snake_case_text(marinecadastre_lines))
    frame = read_marinecadastre(path)
    assert_same_positions(frame, read_marinecadastre(MARINECADASTRE))
    report = report_of(frame)
    assert (report.records, report.accepted, report.warnings) == (1000, 1000, {"invalid IMO": 33})


def test_snake_case_missing_columns_are_named_as_in_the_file(tmp_path: Path) -> None:
    with pytest.raises(ColumnsError) as caught:
        read_marinecadastre(io.StringIO("mmsi,base_date_time,sog\n367752440,2025-01-01 00:00:00,1.0\n"))
    assert caught.value.missing == ["latitude", "longitude"]


@pytest.mark.parametrize("time_type", ["string", "timestamp"])
def test_2024_geoparquet_reads_like_the_csv(
    tmp_path: Path, marinecadastre_lines: list[str], time_type: str
) -> None:
    path = tmp_path / "ais-2024-01-11.parquet"
    write_geoparquet(path, marinecadastre_lines, time_type=time_type)
    frame = read_marinecadastre(path)
    assert_same_positions(frame, read_marinecadastre(MARINECADASTRE))
    report = report_of(frame)
    assert (report.format, report.records, report.accepted) == ("marinecadastre_geoparquet", 1000, 1000)


def test_geoparquet_non_point_and_big_endian_geometries(tmp_path: Path) -> None:
    point, line = shapely.points([-80.04806], [26.09241]), shapely.linestrings([[0, 0], [1, 1]])
    table = pa.table(
        {
            "mmsi": [636021061, 636021061, 367752440],
            "base_date_time": ["2024-01-11 00:00:00", "2024-01-11 00:01:00", "2024-01-11 00:02:00"],
            "geometry": [
                shapely.to_wkb(point, byte_order=0)[0],  # big-endian: read by shapely
                shapely.to_wkb(point)[0],
                shapely.to_wkb(line),  # not a point: no position
            ],
        }
    )
    path = tmp_path / "odd.parquet"
    pq.write_table(table, path)
    frame = read_marinecadastre(path)
    assert frame[POSITION.LAT].tolist() == [26.09241, 26.09241]
    report = report_of(frame)
    assert report.reasons == {"invalid latitude": 1}
    assert report.samples[0].line == 3


def test_geoparquet_without_position_raises(tmp_path: Path) -> None:
    path = tmp_path / "no_position.parquet"
    pq.write_table(pa.table({"mmsi": [636021061], "base_date_time": ["2024-01-11 00:00:00"]}), path)
    with pytest.raises(ColumnsError) as caught:
        read_marinecadastre(path)
    assert caught.value.missing == ["geometry"]


def test_a_value_pyarrow_cannot_type_is_a_counted_row(marinecadastre_lines: list[str]) -> None:
    fields = marinecadastre_lines[2].split(",")
    fields[4] = "fast"  # SOG: not a number, so the file is read as text, and only that value is lost
    frame = read_marinecadastre(csv([marinecadastre_lines[0], marinecadastre_lines[1], ",".join(fields)]))
    assert report_of(frame).accepted == 2
    assert frame[POSITION.SOG].isna().sum() == 1


def test_typed_and_text_reads_give_the_same_rejections(marinecadastre_lines: list[str]) -> None:
    header, rows = marinecadastre_lines[0], marinecadastre_lines[1:4]
    bad_lat = rows[1].split(",")
    bad_lat[2] = "91"
    lines = [header, rows[0], ",".join(bad_lat), rows[2]]
    typed = report_of(read_marinecadastre(csv(lines)))
    bad_sog = rows[2].split(",")
    bad_sog[4] = "fast"  # forces the text path
    text = report_of(read_marinecadastre(csv([*lines[:3], ",".join(bad_sog)])))
    assert [(s.line, s.reason) for s in typed.samples if not s.kept] == [(3, "invalid latitude: '91'")]
    assert [(s.line, s.reason) for s in text.samples if not s.kept] == [(3, "invalid latitude: '91'")]


def chunks_of(source: object, chunksize: int) -> list[pd.DataFrame]:
    return list(iter_marinecadastre(source, chunksize=chunksize))  # type: ignore[arg-type]


def test_chunks_add_up_to_the_whole_file() -> None:
    whole = read_marinecadastre(MARINECADASTRE)
    chunks = chunks_of(MARINECADASTRE, 300)
    assert [len(chunk) for chunk in chunks] == [300, 300, 300, 100]
    joined = pd.concat(chunks, ignore_index=True)
    joined = joined.sort_values([POSITION.MMSI, POSITION.TIMESTAMP], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(joined, whole.reset_index(drop=True))
    reports = [report_of(chunk) for chunk in chunks]
    assert sum(r.records for r in reports) == 1000
    assert sum(r.warnings.get("invalid IMO", 0) for r in reports) == 33
    flagged = {s.line for r in reports for s in r.samples if s.kept}
    assert 61 in flagged  # line numbers count in the file, not in the chunk


def test_chunks_number_bad_lines_in_the_file(marinecadastre_lines: list[str]) -> None:
    header, rows = marinecadastre_lines[0], marinecadastre_lines[1:7]
    lines = [
        header,
        rows[0],
        rows[1],
        "367752440,2023-01-11T00:00:00",
        rows[2],
        rows[3],
        "12345",
        rows[4],
        rows[5],
    ]
    chunks = chunks_of(csv(lines), 2)
    reports = [report_of(chunk) for chunk in chunks]
    assert sum(r.records for r in reports) == 8
    assert sum(r.accepted for r in reports) == 6
    assert sorted(s.line for r in reports for s in r.samples) == [4, 7]
    assert sum(len(chunk) for chunk in chunks) == 6


def test_chunksize_must_be_positive() -> None:
    with pytest.raises(ValueError, match="chunksize"):
        chunks_of(MARINECADASTRE, 0)


def test_chunked_geoparquet(tmp_path: Path, marinecadastre_lines: list[str]) -> None:
    path = tmp_path / "ais-2024-01-11.parquet"
    write_geoparquet(path, marinecadastre_lines)
    chunks = chunks_of(path, 400)
    assert [len(chunk) for chunk in chunks] == [400, 400, 200]
    assert sum(report_of(chunk).records for chunk in chunks) == 1000


@settings(max_examples=15, deadline=None)
@given(chunksize=st.integers(min_value=1, max_value=1200), seed=st.integers(0, 1000))
def test_any_chunking_keeps_every_row(chunksize: int, seed: int) -> None:
    lines = MARINECADASTRE.read_text(encoding="utf-8").splitlines()
    rows = lines[1:201]
    random.Random(seed).shuffle(rows)
    chunks = chunks_of(csv([lines[0], *rows]), chunksize)
    assert sum(len(chunk) for chunk in chunks) == 200
    assert all(report_of(chunk).accepted == len(chunk) for chunk in chunks)
    mmsis = sorted(int(row.split(",")[0]) for row in rows)
    assert sorted(pd.concat(chunks)[POSITION.MMSI].astype(int)) == mmsis


@settings(max_examples=60, deadline=None)
@given(
    vessels=st.lists(st.integers(0, 999_999_999), min_size=1, max_size=8),
    picks=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 5)), min_size=0, max_size=60),
    in_time_order=st.booleans(),
)
def test_sorting_rows_by_vessel_then_time_keeps_ties_in_file_order(
    vessels: list[int], picks: list[tuple[int, int]], in_time_order: bool
) -> None:
    mmsi = np.array([vessels[vessel % len(vessels)] for vessel, _ in picks], dtype=np.int64)
    times = np.array([time for _, time in picks], dtype=np.int64)
    if in_time_order:
        times = np.sort(times)
    order, sorted_mmsi = _sort_order(mmsi, times)
    expected = np.lexsort((np.arange(len(mmsi)), times, mmsi))
    assert (np.arange(len(mmsi)) if order is None else order).tolist() == expected.tolist()
    assert sorted_mmsi.tolist() == mmsi[expected].tolist()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), tied=st.integers(1, 60))
def test_rows_sharing_a_vessel_and_a_time_come_in_the_screenings_order(seed: int, tied: int) -> None:
    """Duplicate receptions and reports in one second (same MMSI and time, other content) come
    in the order screening sorts them by (`CONTENT_COLUMNS`), whatever the file's order: the
    frame is the same for any shuffle of the lines, and screening takes it as it is."""
    lines = MARINECADASTRE.read_text(encoding="utf-8").splitlines()
    rng = random.Random(seed)
    rows = lines[1:301]
    for row in rng.sample(rows, tied):  # a tie: another report of the same vessel at the same time
        cells = row.split(",")
        cells[2] = f"{float(cells[2]) + rng.choice([-0.001, 0.0, 0.001]):.5f}"  # LAT
        cells[4] = rng.choice([cells[4], "0.1", ""])  # SOG
        cells[7] = rng.choice([cells[7], "", "OTHER NAME"])  # VesselName
        cells[8] = rng.choice([cells[8], "", "IMO9307839"])  # IMO
        rows.append(",".join(cells))
    shuffled = rows.copy()
    rng.shuffle(shuffled)
    frame = read_marinecadastre(csv([lines[0], *shuffled]))
    order = SortedPositions.of(frame).order
    assert order.tolist() == list(range(len(frame)))
    again = read_marinecadastre(csv([lines[0], *rows]))
    pd.testing.assert_frame_equal(frame, again)
    # columns written to their places (as from 500,000 rows on): the places follow the ties
    with mock.patch("vesselscreen.ais.marinecadastre._SCATTER_ROWS", 0):
        placed = read_marinecadastre(csv([lines[0], *shuffled]))
    pd.testing.assert_frame_equal(placed, frame)


def test_more_vessels_than_a_rank_holds_are_sorted_too() -> None:
    mmsi = np.arange(70_000, dtype=np.int64)[::-1].copy()
    order, sorted_mmsi = _sort_order(mmsi, np.zeros(len(mmsi), dtype=np.int64))
    assert order is not None
    assert order[:3].tolist() == [69_999, 69_998, 69_997]
    assert sorted_mmsi[:3].tolist() == [0, 1, 2]


@settings(max_examples=100, deadline=None)
@given(
    count=st.integers(0, 40),
    bad_lines=st.lists(st.integers(0, 50), max_size=12),
    first=st.sampled_from([1, 2]),
)
def test_row_lines_skip_the_malformed_lines(count: int, bad_lines: list[int], first: int) -> None:
    expected = np.arange(count, dtype=np.int64) + first
    for bad in sorted(bad_lines):  # the plain rule: each skipped line pushes the rows at or after it
        expected[expected >= bad] += 1
    assert _row_lines(count, bad_lines, first=first).tolist() == expected.tolist()


def test_row_lines_of_many_malformed_lines_are_one_pass() -> None:
    bad = list(range(3, 400_003, 2))  # every other line of 400,000: 200,000 skipped
    lines = _row_lines(1_000_000, bad, first=2)
    assert lines[:4].tolist() == [2, 4, 6, 8]
    assert int(lines[-1]) == 1_000_001 + len(bad)


@settings(max_examples=150, deadline=None)
@given(
    data=st.lists(st.sampled_from([b"\n", b"\r", b"\r\n", b"a", b"bc,d", b'"']), max_size=60).map(b"".join),
    wanted=st.lists(st.integers(1, 40), max_size=6),
    block_size=st.integers(1, 12),
)
def test_raw_lines_are_the_lines_of_the_file(data: bytes, wanted: list[int], block_size: int) -> None:
    lines = enumerate(io.BytesIO(data), start=1)  # iterating a binary file: lines end at line feeds
    expected = [(number, line.removesuffix(b"\n")) for number, line in lines if number in wanted]
    raw = _RawLines(io.BytesIO(data), 0, [], {})
    assert list(raw.lines(sorted(set(wanted)), block_size=block_size)) == expected


def test_sorted_columns_written_to_their_places_equal_the_gathered_ones(
    marinecadastre_lines: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = marinecadastre_lines[1:]
    random.Random(3).shuffle(rows)
    rows[7] = rows[7].replace(rows[7].split(",")[2], "91.0", 1)  # a rejected row: the kept ones are placed
    text = "\n".join([marinecadastre_lines[0], *rows]) + "\n"
    gathered = read_marinecadastre(io.StringIO(text))
    monkeypatch.setattr("vesselscreen.ais.marinecadastre._SCATTER_ROWS", 0)
    placed = read_marinecadastre(io.StringIO(text))
    pd.testing.assert_frame_equal(placed, gathered)
    assert report_of(placed).rejected == 1
    assert len(placed) == len(rows) - 1
