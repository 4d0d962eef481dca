"""read_ais: sniffing, sources (paths, file objects, gzip, lists), errors; validate_positions."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pandas as pd
import pytest

import vesselscreen.ais as ais
from vesselscreen.ais import read_ais, sniff_format, validate_positions
from vesselscreen.errors import ConfigError, FormatError, ReferenceTimeError, SchemaError, SourceNotFoundError
from vesselscreen.ingest import IngestReport, ingest_report
from vesselscreen.schema import POSITION, POSITION_DTYPES, conform

from .conftest import MARINECADASTRE, NMEA, REFERENCE

DMA = NMEA / "dma_aislib_stream_example.txt"
# one verbatim row of OFAC's legacy sdn.csv (see tests/data/README.md): a list file, not AIS
SDN_ROW = (
    b'4238,"MAR AZUL","vessel","CUBA",-0- ,"CL2192","Tug",-0- ,'
    b'"212","Cuba","Samir de Navegacion S.A.",-0- \r\n'
)


def report_of(frame: pd.DataFrame) -> IngestReport:
    report = ingest_report(frame)
    assert report is not None
    return report


def test_all_is_sorted_and_complete() -> None:
    # ruff's isort-style order: CONSTANTS, then Classes, then functions
    assert ais.__all__ == sorted(ais.__all__, key=lambda name: (not name.isupper(), name[0].islower(), name))
    public = {name for name in vars(ais) if not name.startswith("_")}
    modules = {"marinecadastre", "nmea", "read"}
    assert public - modules == set(ais.__all__)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (MARINECADASTRE, "marinecadastre_csv"),
        (NMEA / "pyais_nmea_data_sample.txt", "nmea"),
        (NMEA / "pyais_mixed.txt", "nmea"),
        (NMEA / "gpsd_sample.aivdm", "nmea"),
        (DMA, "nmea"),
    ],
)
def test_sniffs_the_real_files(path: Path, expected: str) -> None:
    assert sniff_format(path.read_bytes()[:65536]) == expected
    frame = read_ais(path, reference_time=REFERENCE)
    assert report_of(frame).format == expected


def test_explicit_format_equals_sniffed() -> None:
    sniffed = read_ais(MARINECADASTRE)
    explicit = read_ais(MARINECADASTRE, format="marinecadastre_csv")
    pd.testing.assert_frame_equal(sniffed, explicit)


def test_file_objects_text_and_binary() -> None:
    expected = read_ais(DMA)
    with DMA.open("rb") as binary:
        pd.testing.assert_frame_equal(read_ais(binary), expected)
    with DMA.open(encoding="ascii") as text:
        pd.testing.assert_frame_equal(read_ais(text), expected)


def test_gzip_path_and_file_object(tmp_path: Path) -> None:
    path = tmp_path / "marinecadastre.csv.gz"
    path.write_bytes(gzip.compress(MARINECADASTRE.read_bytes()))
    expected = read_ais(MARINECADASTRE)
    from_path = read_ais(path)
    pd.testing.assert_frame_equal(from_path, expected)
    assert report_of(from_path).source == str(path)
    pd.testing.assert_frame_equal(read_ais(io.BytesIO(gzip.compress(DMA.read_bytes()))), read_ais(DMA))


def test_list_of_paths_concatenates_and_sums_reports() -> None:
    paths = [DMA, MARINECADASTRE]
    frame = read_ais(paths)
    parts = [read_ais(path) for path in paths]
    assert len(frame) == sum(len(part) for part in parts) == 2964 + 1000
    report = report_of(frame)
    assert report.records == sum(report_of(part).records for part in parts) == 8551 + 1000
    assert report.accepted == 8525 + 1000
    assert report.format == "mixed"
    assert report.reasons == {"invalid MMSI": 15, "invalid latitude": 11}
    assert report.warnings == {"invalid IMO": 5 + 33}
    assert frame[[POSITION.MMSI, POSITION.TIMESTAMP]].equals(
        frame[[POSITION.MMSI, POSITION.TIMESTAMP]].sort_values([POSITION.MMSI, POSITION.TIMESTAMP])
    )
    assert set(frame[POSITION.SOURCE]) == {"nmea", "marinecadastre"}


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError) as caught:
        read_ais(tmp_path / "nope.nmea")
    assert caught.value.source == str(tmp_path / "nope.nmea")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty input"),
        (b"\n\n# only a comment\n", "only comments"),
        (SDN_ROW * 3, "unrecognised content"),
        (b"\x00\x01\x02\x03garbage\xff\xfe" * 10, "binary content"),
        (b"\x28\xb5\x2f\xfd" + b"\x00" * 20, "zstd"),
        (b"PK\x03\x04" + b"\x00" * 20, "zip"),
    ],
)
def test_unrecognised_content_names_the_source(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "input.dat"
    path.write_bytes(content)
    with pytest.raises(FormatError, match=message) as caught:
        read_ais(path)
    assert caught.value.source == str(path)


def test_corrupt_gzip(tmp_path: Path) -> None:
    path = tmp_path / "broken.nmea.gz"
    path.write_bytes(gzip.compress(DMA.read_bytes())[:5000])
    with pytest.raises(FormatError, match="corrupt gzip"):
        read_ais(path)


def test_unknown_format_name() -> None:
    with pytest.raises(ConfigError, match="dma_csv"):
        read_ais(DMA, format="dma_csv")


def test_wrong_explicit_format_is_a_columns_error() -> None:
    with pytest.raises(FormatError, match="missing required columns"):
        read_ais(DMA, format="marinecadastre_csv")


def test_naive_reference_time_is_refused_before_reading() -> None:
    with pytest.raises(ReferenceTimeError, match="naive"):
        read_ais(MARINECADASTRE, reference_time=pd.Timestamp("2024-01-01").to_pydatetime())


def test_nmea_without_any_time_needs_reference_time() -> None:
    with pytest.raises(ReferenceTimeError) as caught:
        read_ais(NMEA / "pyais_nmea_data_sample.txt")
    assert caught.value.line == 1
    assert "pyais_nmea_data_sample.txt:1:" in str(caught.value)


def test_validate_positions() -> None:
    frame = read_ais(MARINECADASTRE)
    validate_positions(frame)
    naive = frame.assign(**{POSITION.TIMESTAMP: frame[POSITION.TIMESTAMP].dt.tz_localize(None)})
    with pytest.raises(ReferenceTimeError, match="naive"):
        validate_positions(naive)
    with pytest.raises(SchemaError, match="missing columns"):
        validate_positions(frame.drop(columns=[POSITION.LAT, POSITION.SOURCE]))
    as_floats = frame.assign(**{POSITION.MMSI: frame[POSITION.MMSI].astype("float64")})
    with pytest.raises(SchemaError, match="'mmsi' has dtype float64"):
        validate_positions(as_floats)
    validate_positions(conform(as_floats, POSITION_DTYPES))
