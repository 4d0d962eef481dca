"""Any CSV / Parquet / DataFrame through a column mapping: values, errors, chunks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type hints
import pyarrow.parquet as pq  # type: ignore[import-untyped]  # pyarrow ships no type hints
import pytest

from vesselscreen.ais import read_ais, read_mapped, read_marinecadastre
from vesselscreen.errors import ColumnsError, ConfigError, ReferenceTimeError
from vesselscreen.ingest import ingest_report
from vesselscreen.schema import POSITION

from .conftest import MARINECADASTRE

# the MarineCadastre sample read as "any CSV": the mapped reader must agree with the dedicated one
MC_MAPPING = {
    POSITION.MMSI: "MMSI",
    POSITION.TIMESTAMP: "BaseDateTime",
    POSITION.LAT: "LAT",
    POSITION.LON: "LON",
    POSITION.SOG: "SOG",
    POSITION.COG: "COG",
    POSITION.HEADING: "Heading",
    POSITION.NAME: "VesselName",
    POSITION.IMO: "IMO",
    POSITION.CALL_SIGN: "CallSign",
    POSITION.SHIP_TYPE: "VesselType",
    POSITION.NAV_STATUS: "Status",
    POSITION.DRAUGHT: "Draft",
}
COMPARED = list(MC_MAPPING)


def test_mapped_csv_agrees_with_the_marinecadastre_reader() -> None:
    mapped = read_mapped(MARINECADASTRE, MC_MAPPING, assume_utc=True)
    dedicated = read_marinecadastre(MARINECADASTRE)
    pd.testing.assert_frame_equal(mapped[COMPARED], dedicated[COMPARED])
    report = ingest_report(mapped)
    assert report is not None
    assert (report.format, report.records, report.accepted) == ("mapped", 1000, 1000)
    assert report.warnings == {"invalid IMO": 33}
    assert set(mapped[POSITION.SOURCE]) == {"mapped"}


def test_parquet_and_dataframe(tmp_path: Path) -> None:
    frame = pd.read_csv(MARINECADASTRE).head(50)
    frame["BaseDateTime"] = pd.to_datetime(frame["BaseDateTime"]).dt.tz_localize("UTC")
    path = tmp_path / "positions.parquet"
    pq.write_table(pa.Table.from_pandas(frame), path)
    from_parquet = read_ais(path, mapping=MC_MAPPING)
    from_frame = read_ais(frame, mapping=MC_MAPPING)
    pd.testing.assert_frame_equal(from_parquet, from_frame)
    assert len(from_frame) == 50
    chunks = list(read_ais(path, mapping=MC_MAPPING, chunksize=20))
    assert [len(chunk) for chunk in chunks] == [20, 20, 10]


def test_rejections_name_rows() -> None:
    frame = pd.DataFrame(
        {
            "id": [366999001, 12, 366999001],
            "t": ["2024-01-01T00:00:00Z", "2024-01-01T00:01:00Z", "not a time"],
            "y": [40.0, 40.0, 40.0],
            "x": [-70.0, -70.0, -70.0],
        }
    )
    result = read_mapped(frame, {"mmsi": "id", "timestamp": "t", "lat": "y", "lon": "x"})
    report = ingest_report(result)
    assert report is not None
    assert report.reasons == {"invalid MMSI": 1, "unparseable timestamp": 1}
    assert [sample.line for sample in report.samples] == [2, 3]  # 1-based rows


def test_unix_seconds() -> None:
    frame = pd.DataFrame({"id": [366999001], "t": [1704067200], "y": [40.0], "x": [-70.0]})
    result = read_mapped(frame, {"mmsi": "id", "timestamp": "t", "lat": "y", "lon": "x"}, time_format="unix")
    assert str(result[POSITION.TIMESTAMP].iloc[0]) == "2024-01-01 00:00:00+00:00"


def test_errors() -> None:
    frame = pd.DataFrame({"id": [366999001], "t": ["2024-01-01 00:00:00"], "y": [40.0], "x": [-70.0]})
    mapping = {"mmsi": "id", "timestamp": "t", "lat": "y", "lon": "x"}
    with pytest.raises(ReferenceTimeError, match="assume_utc"):
        read_mapped(frame, mapping)
    assert len(read_mapped(frame, mapping, assume_utc=True)) == 1
    with pytest.raises(ConfigError, match="unknown: speed"):
        read_mapped(frame, {**mapping, "speed": "s"})
    with pytest.raises(ConfigError, match="lon"):
        read_mapped(frame, {"mmsi": "id", "timestamp": "t", "lat": "y"})
    with pytest.raises(ColumnsError, match="nope"):
        read_mapped(frame, {**mapping, "sog": "nope"})
    with pytest.raises(ConfigError, match="Unix"):
        read_mapped(frame.assign(t=[1704067200]), mapping)
    with pytest.raises(ConfigError, match="mapping="):
        read_ais(frame)
