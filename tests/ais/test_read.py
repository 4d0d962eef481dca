"""read_ais: sniffing, sources (paths, file objects, gzip, lists), errors; validate_positions."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type hints
import pytest

import vesselscreen.ais as ais
from vesselscreen.ais import cleaning_report, read_ais, sniff_format, validate_positions
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
    modules = {
        "aishub",
        "aisstream",
        "cleaning",
        "dma",
        "identity",
        "mapping",
        "marinecadastre",
        "nmea",
        "read",
    }
    modules |= {"fastdecode"}  # the vectorised decoder module, when present
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
    with pytest.raises(FormatError, match="corrupt compressed data"):
        read_ais(path)


def test_unknown_format_name() -> None:
    with pytest.raises(ConfigError, match="dma_xml"):
        read_ais(DMA, format="dma_xml")


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


# --- issue 4: more sources, compression, chunks, progress ---------------------------------

DMA_CSV = MARINECADASTRE.parent.parent / "dma" / "aisdk_2025-09-01_excerpt.csv"
AISSTREAM = MARINECADASTRE.parent.parent / "aisstream" / "messages.jsonl"
AISHUB_JSON = MARINECADASTRE.parent.parent / "aishub" / "ws_format0_ais.json"
AISHUB_CSV = MARINECADASTRE.parent.parent / "aishub" / "ws_format1_human.csv"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (DMA_CSV, "dma_csv"),
        (AISSTREAM, "aisstream_json"),
        (AISHUB_JSON, "aishub_json"),
        (AISHUB_CSV, "aishub_csv"),
    ],
)
def test_sniffs_the_new_formats(path: Path, expected: str) -> None:
    assert sniff_format(path.read_bytes()[:65536]) == expected
    assert report_of(read_ais(path)).format == expected
    pd.testing.assert_frame_equal(read_ais(path, format=expected), read_ais(path))


def test_sniffs_marinecadastre_2025_header_and_parquet() -> None:
    assert sniff_format(b"mmsi,base_date_time,longitude,latitude,sog\n") == "marinecadastre_csv"
    assert sniff_format(b"PAR1\x15\x04") == "marinecadastre_geoparquet"


def _zstd(data: bytes) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.CompressedOutputStream(sink, "zstd") as out:
        out.write(data)
    return bytes(sink.getvalue().to_pybytes())


def _zip(data: bytes, *names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("compress", [gzip.compress, _zstd, lambda data: _zip(data, "aisdk.csv")])
def test_compressed_inputs(tmp_path: Path, compress: object) -> None:
    path = tmp_path / "input.bin"
    path.write_bytes(compress(DMA_CSV.read_bytes()))  # type: ignore[operator]  # a bytes -> bytes function
    pd.testing.assert_frame_equal(read_ais(path), read_ais(DMA_CSV), check_like=True)
    assert report_of(read_ais(path)).source == str(path)


def test_zip_with_several_files_or_corrupt_zstd(tmp_path: Path) -> None:
    several = tmp_path / "two.zip"
    several.write_bytes(_zip(b"x", "a.csv", "b.csv"))
    with pytest.raises(FormatError, match="exactly one data file"):
        read_ais(several)
    broken = tmp_path / "broken.zst"
    broken.write_bytes(_zstd(DMA_CSV.read_bytes())[:40])
    with pytest.raises(FormatError, match="zstd"):
        read_ais(broken)


def test_chunks_of_every_format_add_up() -> None:
    for path in (MARINECADASTRE, DMA, DMA_CSV, AISSTREAM, AISHUB_JSON, AISHUB_CSV):
        whole = read_ais(path)
        chunks = list(read_ais(path, chunksize=400))
        assert all(len(chunk) <= 400 for chunk in chunks)
        assert sum(len(chunk) for chunk in chunks) == len(whole)
        assert sum(report_of(chunk).records for chunk in chunks) == report_of(whole).records
        combined = pd.concat(chunks, ignore_index=True)
        combined = combined.sort_values([POSITION.MMSI, POSITION.TIMESTAMP], kind="stable").reset_index(
            drop=True
        )
        if path == DMA:  # NMEA streams: identity only travels forward in file order across chunks
            identity = [POSITION.IMO, POSITION.NAME, POSITION.CALL_SIGN, POSITION.SHIP_TYPE]
            identity += [POSITION.DESTINATION, POSITION.DRAUGHT]
            # MMSI 261199000: its type 5 (line 457, next chunk) comes after its first position (line 350)
            # but is stamped earlier, so the whole file carries it back in time and chunks cannot
            late = (combined[POSITION.MMSI] == 261199000) & combined[POSITION.IMO].isna()
            assert late.sum() == 1
            assert whole.loc[late, POSITION.IMO].tolist() == [8026440]
            combined.loc[late, identity] = whole.loc[late, identity]
        pd.testing.assert_frame_equal(combined, whole, check_like=True)


def test_chunks_of_a_list_and_clean() -> None:
    chunks = list(read_ais([DMA_CSV, AISSTREAM], chunksize=5, clean=True))
    assert sum(len(chunk) for chunk in chunks) == 7 + 4
    assert all(cleaning_report(chunk) is not None for chunk in chunks)


def test_bad_chunksize_and_mapped_format() -> None:
    with pytest.raises(ConfigError, match="chunksize"):
        read_ais(DMA_CSV, chunksize=0)
    with pytest.raises(ConfigError, match="mapping="):
        read_ais(DMA_CSV, format="mapped")


def test_progress_bar_shows_bytes(capsys: pytest.CaptureFixture[str]) -> None:
    read_ais(MARINECADASTRE, progress=True)
    shown = capsys.readouterr().err
    assert "marinecadastre_2023-01-11_sample.csv" in shown
    read_ais(MARINECADASTRE, progress=False)
    read_ais(MARINECADASTRE)  # stderr is not a terminal under pytest: quiet
    assert capsys.readouterr().err == ""
