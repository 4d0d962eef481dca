"""MarineCadastre reader against the real 1000-row sample, and each kind of bad row."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd
import pytest

from vesselscreen.ais import read_marinecadastre
from vesselscreen.errors import ColumnsError
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
