"""The AIS archive: what goes in comes back, appending never rewrites, reads are pruned."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import vesselscreen as vs
from vesselscreen._sorting import vessel_time_order
from vesselscreen.archive import Archive, mmsi_bucket

ROOT = Path(__file__).resolve().parents[1]
MARINECADASTRE = ROOT / "tests" / "data" / "ais" / "csv" / "marinecadastre_2023-01-11_sample.csv"


def _in_order(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.take(vessel_time_order(frame, "mmsi", "timestamp")).reset_index(drop=True)


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return vs.read_ais(vs.demo.ais_path())


def test_positions_come_back_unchanged(demo: pd.DataFrame, tmp_path: Path) -> None:
    archive = Archive(tmp_path / "a", buckets=4)
    written = archive.write(demo)
    assert written.rows == len(demo) == 2091
    assert sum(sum(b.values()) for b in written.rows_by_day.values()) == 2091
    back = archive.read()
    # the archive keeps the optional particulars too: missing here, as the demo has none
    assert list(back.columns) == [*demo.columns, "transceiver", "length"]
    assert back[["transceiver", "length"]].isna().all().all()
    pd.testing.assert_frame_equal(_in_order(back[demo.columns]), _in_order(demo))


def test_particulars_are_kept(tmp_path: Path) -> None:
    data = Path(__file__).resolve().parent / "data" / "ais" / "csv"
    day = vs.read_ais(data / "marinecadastre_2022-01-03_head_vessels.csv")
    archive = Archive(tmp_path / "a", buckets=4)
    archive.write(day)
    back = _in_order(archive.read())
    pd.testing.assert_frame_equal(back, _in_order(day)[list(back.columns)])
    assert set(back["transceiver"].dropna()) == {"A", "B"}


def test_layout_is_hive_by_day_and_bucket(demo: pd.DataFrame, tmp_path: Path) -> None:
    archive = Archive(tmp_path / "a", buckets=4)
    archive.write(demo)
    files = sorted(p.relative_to(archive.path).parts[:2] for p in archive.path.rglob("part-*.parquet"))
    days = {day for day, _ in files}
    assert len(days) == 21
    assert "day=2024-08-26" in days
    assert {bucket for _, bucket in files} <= {"bucket=000", "bucket=001", "bucket=002", "bucket=003"}
    # each vessel's rows of a day are in its bucket's folder only
    for mmsi in demo["mmsi"].unique():
        bucket = int(mmsi_bucket([mmsi], 4)[0])
        assert len(archive.read(mmsi=[mmsi], buckets=[bucket])) == int((demo["mmsi"] == mmsi).sum())


def test_appending_a_day_never_rewrites_the_others(demo: pd.DataFrame, tmp_path: Path) -> None:
    archive = Archive(tmp_path / "a", buckets=4)
    first_day = demo[demo["timestamp"] < pd.Timestamp("2024-08-27", tz="UTC")]
    archive.write(first_day)
    before = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in archive.path.rglob("part-*.parquet")}
    later = demo[demo["timestamp"] >= pd.Timestamp("2024-08-27", tz="UTC")]
    second = archive.write(later)
    after = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in archive.path.rglob("part-*.parquet")}
    assert {p: after[p] for p in before} == before  # untouched
    assert all(not p.parent.parent.name.endswith("2024-08-26") for p in set(after) - set(before))
    assert "2024-08-26" not in second.rows_by_day
    assert len(archive.writes()) == 2
    assert len(archive.read()) == len(demo)


def test_time_range_area_and_vessels(demo: pd.DataFrame, tmp_path: Path) -> None:
    archive = Archive(tmp_path / "a", buckets=4)
    archive.write(demo)
    start, end = pd.Timestamp("2024-08-30 06:00", tz="UTC"), pd.Timestamp("2024-09-02", tz="UTC")
    expected = demo[(demo["timestamp"] >= start) & (demo["timestamp"] < end)]
    assert len(archive.read(start, end)) == len(expected) > 0
    assert len(archive.read("2024-08-30", "2024-08-31")) == int(
        (demo["timestamp"].dt.strftime("%Y-%m-%d") == "2024-08-30").sum()
    )
    box = (40.0, 50.0, 45.0, 55.0)
    inside = demo["lat"].between(40.0, 50.0) & demo["lon"].between(45.0, 55.0)
    assert len(archive.read(bbox=box)) == int(inside.sum())
    vessel = int(demo["mmsi"].iloc[0])
    assert len(archive.read(mmsi=[vessel])) == int((demo["mmsi"] == vessel).sum())
    assert archive.read("2030-01-01").empty


def test_chunked_write_keeps_the_ingest_reports(tmp_path: Path) -> None:
    whole = vs.read_ais(MARINECADASTRE)
    report = vs.ingest_report(whole)
    assert report is not None
    archive = Archive(tmp_path / "a", buckets=8)
    written = archive.write(vs.read_ais(MARINECADASTRE, chunksize=300))
    assert written.rows == len(whole)
    (kept,) = archive.reports()
    assert (kept.records, kept.accepted, kept.rejected) == (report.records, report.accepted, report.rejected)
    assert archive.writes()[0].reports == (kept,)
    pd.testing.assert_frame_equal(_in_order(archive.read()), _in_order(whole))


def test_rows_that_cannot_be_placed_are_counted(demo: pd.DataFrame, tmp_path: Path) -> None:
    frame = demo.head(10).copy()
    frame.loc[frame.index[:3], "mmsi"] = pd.NA
    written = Archive(tmp_path / "a").write(frame)
    assert (written.rows, written.rejected) == (7, {"missing MMSI or timestamp": 3})


def test_a_failed_write_leaves_nothing(demo: pd.DataFrame, tmp_path: Path) -> None:
    archive = Archive(tmp_path / "a", buckets=4)

    def chunks() -> Iterator[pd.DataFrame]:
        yield demo.head(500)
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        archive.write(chunks())
    assert list(archive.path.rglob("*.parquet*")) == []
    assert archive.writes() == []
    assert archive.read().empty


def test_pieces_hold_whole_tracks(demo: pd.DataFrame, tmp_path: Path) -> None:
    archive = Archive(tmp_path / "a", buckets=16)
    archive.write(demo)
    pieces = archive.pieces(rows_per_piece=600)
    assert sum(p.rows for p in pieces) == len(demo)
    shares = [(b, p.part) for p in pieces for b in p.buckets]
    assert len(shares) == len(set(shares))
    seen: list[int] = []
    for frame in archive.scan(rows_per_piece=600):
        vessels = frame["mmsi"].unique().tolist()
        assert not set(vessels) & set(seen)  # no vessel split over two pieces
        seen += vessels
    assert sorted(seen) == sorted(demo["mmsi"].unique().tolist())


def test_opening_checks_what_is_there(demo: pd.DataFrame, tmp_path: Path) -> None:
    Archive(tmp_path / "a", buckets=4).write(demo.head(5))
    assert Archive.open(tmp_path / "a").buckets == 4
    with pytest.raises(vs.ConfigError, match="4 MMSI buckets"):
        Archive(tmp_path / "a", buckets=8)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x")
    with pytest.raises(vs.FormatError, match="not an archive"):
        Archive(tmp_path / "other")
    with pytest.raises(vs.SourceNotFoundError):
        Archive.open(tmp_path / "missing")


def test_buckets_spread_real_mmsis() -> None:
    # MMSIs of real ships mostly end in zeros; the hash still fills every bucket
    mmsi = 273_000_000 + np.arange(0, 64_000 * 1000, 1000)
    counts = np.bincount(mmsi_bucket(mmsi, 64), minlength=64)
    assert counts.min() > 850
    assert counts.max() < 1150


def test_a_bucket_too_large_is_split_into_shares_of_its_vessels(demo: pd.DataFrame, tmp_path: Path) -> None:
    archive = Archive(tmp_path / "a", buckets=2)
    archive.write(demo)
    pieces = archive.pieces(rows_per_piece=400)
    assert min(piece.part[1] for piece in pieces) > 1  # each bucket holds more than 400 rows
    seen: list[int] = []
    total = 0
    for frame in archive.scan(rows_per_piece=400):
        vessels = frame["mmsi"].unique().tolist()
        assert not set(vessels) & set(seen)
        seen += vessels
        total += len(frame)
    assert total == len(demo)
