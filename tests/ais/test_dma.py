"""Danish Maritime Authority CSV: both layouts, text codes, Unknown, rejections with lines."""

from __future__ import annotations

import pandas as pd
import pytest

from vesselscreen.ais import read_ais, read_dma
from vesselscreen.errors import ColumnsError
from vesselscreen.ingest import ingest_report
from vesselscreen.schema import POSITION, POSITION_DTYPES, POSITION_OPTIONAL_DTYPES

from .conftest import DATA

DMA_26 = DATA / "dma" / "aisdk_2025-09-01_excerpt.csv"
DMA_22 = DATA / "dma" / "aisdk_2018-06-01_excerpt.csv"


def test_26_column_file_values_and_report() -> None:
    frame = read_dma(DMA_26)
    assert dict(frame.dtypes.astype(str)) == {
        k: str(pd.api.types.pandas_dtype(v))
        for k, v in {**POSITION_DTYPES, **POSITION_OPTIONAL_DTYPES}.items()
    }
    # the optional columns: Class A/B and the length, which screening weighs a match with
    assert frame.set_index(POSITION.MMSI).loc[
        219012345, [POSITION.TRANSCEIVER, POSITION.LENGTH]
    ].tolist() == [
        "B",
        11.0,
    ]
    report = ingest_report(frame)
    assert report is not None
    assert (report.records, report.accepted, report.rejected) == (11, 7, 4)
    assert report.reasons == {
        "invalid MMSI": 1,
        "invalid latitude": 1,
        "malformed row": 1,
        "unparseable timestamp": 1,
    }
    lines = {sample.reason.split(":")[0]: sample.line for sample in report.samples}
    assert lines == {
        "invalid latitude": 8,
        "invalid MMSI": 9,
        "unparseable timestamp": 10,
        "malformed row": 11,
    }
    ship = frame[frame[POSITION.MMSI] == 636021061].iloc[0]
    assert str(ship[POSITION.TIMESTAMP]) == "2025-09-01 00:00:01+00:00"
    assert (ship[POSITION.IMO], ship[POSITION.NAME], ship[POSITION.CALL_SIGN]) == (
        9307839,
        "MSC NAISHA III",
        "5LCB4",
    )
    assert (ship[POSITION.SHIP_TYPE], ship[POSITION.NAV_STATUS], ship[POSITION.DRAUGHT]) == (70, 0, 8.0)
    assert ship[POSITION.DESTINATION] == "DKAAR"
    fishing = frame[frame[POSITION.MMSI] == 219024000].iloc[0]
    assert fishing[POSITION.NAV_STATUS] == 7
    assert pd.isna(fishing[POSITION.IMO])
    assert pd.isna(fishing[POSITION.CALL_SIGN])  # "Unknown"
    assert pd.isna(fishing[POSITION.SHIP_TYPE])  # "Undefined"
    class_b = frame[frame[POSITION.MMSI] == 219012345].iloc[0]
    assert pd.isna(class_b[POSITION.HEADING])
    assert pd.isna(class_b[POSITION.NAV_STATUS])  # 511, "Unknown value"
    assert set(frame[POSITION.SOURCE]) == {"dma"}


def test_22_column_file() -> None:
    frame = read_ais(DMA_22)
    report = ingest_report(frame)
    assert report is not None
    assert report.format == "dma_csv"
    assert (report.records, report.accepted) == (3, 3)
    assert frame[POSITION.NAV_STATUS].tolist() == [4, 0, 0]
    assert str(frame[POSITION.TIMESTAMP].iloc[0]) == "2018-06-01 00:00:00+00:00"


def test_missing_required_columns(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "bad.csv"  # type: ignore[operator]  # tmp_path is a Path
    path.write_text("# Timestamp,Type of mobile,MMSI\n01/09/2025 00:00:00,Class A,219024000\n")
    with pytest.raises(ColumnsError, match="Latitude, Longitude"):
        read_dma(path)


def test_chunked_equals_whole() -> None:
    whole = read_dma(DMA_26)
    chunks = list(read_ais(DMA_26, chunksize=3))
    assert [len(chunk) for chunk in chunks] == [3, 3, 0, 1]  # 3 rows read per chunk, rejections removed
    reports = [ingest_report(chunk) for chunk in chunks]
    assert sum(r.records for r in reports if r) == 11
    assert sum(r.rejected for r in reports if r) == 4
    combined = pd.concat(chunks, ignore_index=True).sort_values(
        [POSITION.MMSI, POSITION.TIMESTAMP], kind="stable"
    )
    pd.testing.assert_frame_equal(combined.reset_index(drop=True), whole, check_like=False)
