"""AISHub JSON and CSV, human-readable and AIS-encoded (scaled integers)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from vesselscreen.ais import read_ais, read_aishub
from vesselscreen.errors import ColumnsError, FormatError
from vesselscreen.ingest import ingest_report
from vesselscreen.schema import POSITION

from .conftest import DATA

HUMAN_JSON = DATA / "aishub" / "ws_format1_human.json"
AIS_JSON = DATA / "aishub" / "ws_format0_ais.json"
AIS_CSV = DATA / "aishub" / "ws_format0_ais.csv"
HUMAN_CSV = DATA / "aishub" / "ws_format1_human.csv"
COMPARED = [
    POSITION.MMSI,
    POSITION.TIMESTAMP,
    POSITION.LAT,
    POSITION.LON,
    POSITION.SOG,
    POSITION.COG,
    POSITION.HEADING,
    POSITION.IMO,
    POSITION.NAME,
    POSITION.DRAUGHT,
]


def test_human_json() -> None:
    frame = read_ais(HUMAN_JSON)
    report = ingest_report(frame)
    assert report is not None
    assert report.format == "aishub_json"
    assert (report.records, report.accepted) == (4, 2)
    assert report.reasons == {"invalid latitude": 1, "invalid MMSI": 1}
    ship = frame[frame[POSITION.MMSI] == 413811000].iloc[0]
    assert str(ship[POSITION.TIMESTAMP]) == "2011-04-12 10:40:27+00:00"
    assert (ship[POSITION.LAT], ship[POSITION.LON], ship[POSITION.IMO]) == (
        38.874833333333,
        118.44586666667,
        9118824,
    )
    sentinel = frame[frame[POSITION.MMSI] == 244750034].iloc[0]
    assert sentinel[[POSITION.SOG, POSITION.COG, POSITION.HEADING]].isna().all()
    assert pd.isna(sentinel[POSITION.IMO])  # 0: not available


def test_scaled_json_is_unscaled() -> None:
    frame = read_aishub(AIS_JSON)
    report = ingest_report(frame)
    assert report is not None
    assert report.reasons == {"invalid latitude": 1}  # 54600000 / 600000 = 91
    zac = frame[frame[POSITION.MMSI] == 235085131].iloc[0]
    assert str(zac[POSITION.TIMESTAMP]) == "2011-04-08 12:15:27+00:00"
    assert round(zac[POSITION.LAT], 6) == 50.755867
    assert round(zac[POSITION.LON], 6) == -1.363445
    assert (zac[POSITION.SOG], zac[POSITION.COG]) == (5.9, 235.1)
    jin = frame[frame[POSITION.MMSI] == 413811000].iloc[0]
    assert (jin[POSITION.DRAUGHT], jin[POSITION.COG]) == (7.5, 356.0)


def test_scaled_csv_equals_scaled_json_and_human_forms_agree() -> None:
    from_csv, from_json = read_ais(AIS_CSV), read_ais(AIS_JSON)
    assert ingest_report(from_csv).format == "aishub_csv"  # type: ignore[union-attr]
    pd.testing.assert_frame_equal(from_csv[COMPARED], from_json[COMPARED])
    human = read_ais(HUMAN_CSV)
    jin_human = human[human[POSITION.MMSI] == 413811000][COMPARED].reset_index(drop=True)
    jin_scaled = from_json[from_json[POSITION.MMSI] == 413811000][COMPARED].reset_index(drop=True)
    pd.testing.assert_frame_equal(jin_human, jin_scaled, atol=1e-6)


def test_forced_scaling_overrides_detection() -> None:
    frame = read_aishub(HUMAN_CSV, scaled=False)
    assert len(frame) == 2
    forced = read_aishub(HUMAN_CSV, scaled=True)  # text times are not Unix seconds: every row rejected
    assert len(forced) == 0
    assert ingest_report(forced).reasons == {"unparseable timestamp": 2}  # type: ignore[union-attr]


def test_error_response(tmp_path: Path) -> None:
    path = tmp_path / "error.json"
    path.write_text(
        '[{"ERROR":true,"USERNAME":"AH_DEMO","FORMAT":"HUMAN","ERROR_MESSAGE":"Too frequent requests!"}]'
    )
    with pytest.raises(FormatError, match="Too frequent requests"):
        read_aishub(path)


def test_csv_without_required_columns(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("MMSI,TIME,NAME\n413811000,1302604827,X\n")
    with pytest.raises(ColumnsError, match="LATITUDE, LONGITUDE"):
        read_aishub(path)
