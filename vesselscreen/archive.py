"""An AIS archive on disk: positions in Parquet, partitioned by day and MMSI bucket.

An archive is a folder in the hive layout ``day=2023-01-11/bucket=007/part-<write>-<n>.parquet``:
every row of one UTC day and one MMSI bucket (a hash of the MMSI, so each vessel's rows of
a day sit in one folder). `Archive.write` takes positions from any reader, chunk by chunk
(``vs.read_ais(path, chunksize=...)``), and only ever adds files: appending a day never
rewrites the others, and a write that fails leaves no partial file behind. Each write
records what it wrote (rows per day and bucket) and the readers' ingest reports in
``_writes/<write>.json``.

Reading is lazy and pruned: a time range reads only its days, an area or a few MMSIs only
the row groups whose statistics can match. Because a vessel's rows are in one bucket on
every day, the rows of a group of buckets hold whole tracks: `Archive.pieces` splits an
archive into such groups, and the distributed screening (`vesselscreen.screen_archive`)
screens each piece as a partition, with no shuffle.

>>> import tempfile
>>> import vesselscreen as vs
>>> ais = vs.read_ais(vs.demo.ais_path())
>>> archive = vs.Archive(tempfile.mkdtemp(), buckets=4)
>>> archive.write(ais).rows
2091
>>> len(archive.days()), str(archive.days()[0])
(21, '2024-08-26')
>>> week = archive.read("2024-08-26", "2024-09-02")
>>> len(week), str(week["timestamp"].max())
(780, '2024-09-01 23:40:00+00:00')
"""

from __future__ import annotations

import json
import os
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type hints
import pyarrow.compute as pc  # type: ignore[import-untyped]  # pyarrow ships no type hints
import pyarrow.dataset as ds  # type: ignore[import-untyped]  # pyarrow ships no type hints
import pyarrow.parquet as pq  # type: ignore[import-untyped]  # pyarrow ships no type hints
from pydantic import BaseModel, ConfigDict, Field

from vesselscreen.ais._common import combine_reports
from vesselscreen.errors import ConfigError, FormatError, SourceNotFoundError
from vesselscreen.ingest import IngestReport, ingest_report
from vesselscreen.schema import POSITION, POSITION_DTYPES, POSITION_OPTIONAL_DTYPES, conform

if TYPE_CHECKING:
    import dask.dataframe as dd

__all__ = [
    "DEFAULT_BUCKETS",
    "POSITION_SCHEMA",
    "Archive",
    "ArchiveWrite",
    "Piece",
    "hash_bucket",
    "mmsi_bucket",
]

DEFAULT_BUCKETS: Final = 64
"""MMSI buckets per day. A real day (8-10 M rows) gives about 150,000 rows per bucket file;
a year in 64 buckets is about 50 M rows per bucket, which `Archive.pieces` screens a
bucket at a time (raise ``buckets`` when a bucket of the whole range should be smaller)."""
MAX_OPEN_FILES: Final = 256
"""Part files a write keeps open at once; the least recently used is closed first (a later
chunk for it starts a new part file)."""
MANIFEST: Final = "_archive.json"
WRITES: Final = "_writes"
FORMAT_NAME: Final = "vesselscreen-archive"
FORMAT_VERSION: Final = 1
_NS_PER_DAY: Final = 86_400 * 1_000_000_000

_ARROW_TYPES: Final = {
    "Int64": pa.int64(),
    "Int16": pa.int16(),
    "Int8": pa.int8(),
    "float64": pa.float64(),
    "string": pa.string(),
    "datetime64[ns, UTC]": pa.timestamp("ns", tz="UTC"),
}
ARCHIVE_DTYPES: Final = {**POSITION_DTYPES, **POSITION_OPTIONAL_DTYPES}
"""The columns an archive keeps: the canonical POSITION columns and the optional particulars
(transceiver class, length) some sources give, which matching weighs."""
POSITION_SCHEMA: Final = pa.schema([(name, _ARROW_TYPES[dtype]) for name, dtype in ARCHIVE_DTYPES.items()])
"""The Arrow schema of the archive's files (`ARCHIVE_DTYPES`); files written before a column
was added read it as missing."""
_PANDAS_TYPES: Final = {pa.int64(): pd.Int64Dtype(), pa.int16(): pd.Int16Dtype(), pa.int8(): pd.Int8Dtype()}

TimeBound = str | date | datetime | pd.Timestamp | None
BBox = tuple[float, float, float, float]


def mmsi_bucket(mmsi: npt.ArrayLike, buckets: int) -> npt.NDArray[np.int64]:
    """The bucket (0 .. buckets-1) of each MMSI: a SplitMix64 hash, so MMSIs that end in zeros
    (most do) spread evenly, and every process computes the same bucket.

    >>> mmsi_bucket([273345000, 273345000, 636019825], 64).tolist()
    [12, 12, 54]
    """
    return hash_bucket(mmsi, buckets)


def _share(mmsi: npt.ArrayLike, shares: int) -> npt.NDArray[np.int64]:
    """A second split of a bucket's vessels, independent of the bucket hash."""
    return hash_bucket(np.asarray(mmsi, dtype=np.int64) ^ 0x5DEECE66D, shares)


def hash_bucket(keys: npt.ArrayLike, buckets: int) -> npt.NDArray[np.int64]:
    """Integer keys spread over ``buckets`` by the SplitMix64 finaliser (the same in every process)."""
    x = np.asarray(keys, dtype=np.int64).astype(np.uint64)
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return np.asarray(x % np.uint64(buckets), dtype=np.int64)


class ArchiveWrite(BaseModel):
    """What one `Archive.write` added: its id, rows per day and bucket, and the ingest reports.

    ``rows`` counts the rows written; ``rejected`` those that could not be placed (no MMSI
    or no time: they belong to no day), so ``rows + rejected`` is every row given.
    """

    model_config = ConfigDict(frozen=True)

    write_id: str
    written_at: datetime
    buckets: int
    rows: int
    rejected: dict[str, int] = Field(default_factory=dict)
    rows_by_day: dict[str, dict[int, int]] = Field(default_factory=dict)
    reports: tuple[IngestReport, ...] = ()


@dataclass(frozen=True)
class Piece:
    """Some MMSI buckets of an archive over some days (or one share of the vessels of one
    bucket, when a bucket alone is too large): whole tracks of the vessels in it."""

    buckets: tuple[int, ...]
    days: tuple[date, ...]
    rows: int
    """Rows written to these buckets and days (before any time or area filter; about, for a share)."""
    part: tuple[int, int] = (0, 1)
    """(k, n): the k-th of n shares of the bucket's vessels (by a second hash of the MMSI)."""


def _day(value: TimeBound) -> pd.Timestamp | None:
    if value is None:
        return None
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


class _Writers:
    """Open part files of one write, by (day, bucket); the least recently used closes first."""

    def __init__(self, root: Path, write_id: str) -> None:
        self.root = root
        self.write_id = write_id
        self.open: OrderedDict[tuple[str, int], tuple[pq.ParquetWriter, Path, Path]] = OrderedDict()
        self.parts: dict[tuple[str, int], int] = {}
        self.done: list[tuple[Path, Path]] = []

    def append(self, day: str, bucket: int, table: pa.Table) -> None:
        key = (day, bucket)
        if key not in self.open:
            folder = self.root / f"day={day}" / f"bucket={bucket:03d}"
            folder.mkdir(parents=True, exist_ok=True)
            number = self.parts.get(key, 0)
            self.parts[key] = number + 1
            final = folder / f"part-{self.write_id}-{number}.parquet"
            temporary = folder / f".{final.name}.tmp"
            self.open[key] = (pq.ParquetWriter(temporary, POSITION_SCHEMA), temporary, final)
            if len(self.open) > MAX_OPEN_FILES:
                self._close(next(iter(self.open)))
        self.open.move_to_end(key)
        self.open[key][0].write_table(table)

    def _close(self, key: tuple[str, int]) -> None:
        writer, temporary, final = self.open.pop(key)
        writer.close()
        self.done.append((temporary, final))

    def commit(self) -> None:
        """Close every file and give each its final name (readers never see a partial file)."""
        for key in list(self.open):
            self._close(key)
        for temporary, final in self.done:
            os.replace(temporary, final)

    def abort(self) -> None:
        for key in list(self.open):
            self._close(key)
        for temporary, _ in self.done:
            temporary.unlink(missing_ok=True)


class Archive:
    """A folder of AIS positions partitioned by day and MMSI bucket (see the module docs).

    ``Archive(path)`` opens the archive at ``path``, or creates it (with ``buckets`` MMSI
    buckets, `DEFAULT_BUCKETS` by default) when the folder is missing or empty. Opening an
    archive with another ``buckets`` than it was made with is a `ConfigError`.
    """

    def __init__(self, path: str | os.PathLike[str], *, buckets: int | None = None) -> None:
        self.path = Path(path)
        manifest = self.path / MANIFEST
        if manifest.exists():
            info = json.loads(manifest.read_text(encoding="utf-8"))
            if info.get("format") != FORMAT_NAME:
                raise FormatError(str(manifest), f"not a {FORMAT_NAME} manifest")
            self.buckets = int(info["buckets"])
            if buckets is not None and buckets != self.buckets:
                raise ConfigError(f"{self.path} has {self.buckets} MMSI buckets, not {buckets}")
            return
        if self.path.exists() and (not self.path.is_dir() or any(self.path.iterdir())):
            raise FormatError(str(self.path), f"not an archive: no {MANIFEST} and not an empty folder")
        if buckets is not None and not 1 <= buckets <= 4096:
            raise ConfigError(f"buckets must be between 1 and 4096, not {buckets}")
        self.buckets = buckets or DEFAULT_BUCKETS
        self.path.mkdir(parents=True, exist_ok=True)
        info = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "buckets": self.buckets}
        manifest.write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Archive:
        """An existing archive (`SourceNotFoundError` when there is none at ``path``)."""
        if not (Path(path) / MANIFEST).exists():
            raise SourceNotFoundError(str(path), f"no archive here (no {MANIFEST})")
        return cls(path)

    def __repr__(self) -> str:
        return f"Archive({str(self.path)!r}, buckets={self.buckets})"

    # -- writing -----------------------------------------------------------------------------

    def write(self, positions: pd.DataFrame | Iterable[pd.DataFrame]) -> ArchiveWrite:
        """Add positions (one frame, or the chunks of ``vs.read_ais(..., chunksize=n)``).

        Only new files are made (``part-<write id>-<n>.parquet`` in each day and bucket
        touched), named when the write completes: a failed write leaves nothing. Returns
        what was written, also saved in ``_writes/<write id>.json`` with the readers'
        ingest reports (one per source).
        """
        chunks: Iterable[pd.DataFrame] = [positions] if isinstance(positions, pd.DataFrame) else positions
        write_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
        writers = _Writers(self.path, write_id)
        counts: dict[str, dict[int, int]] = {}
        reports: dict[str, list[IngestReport]] = {}
        rejected = 0
        try:
            for chunk in chunks:
                if not isinstance(chunk, pd.DataFrame):
                    raise ConfigError(f"Archive.write takes positions frames, got {type(chunk).__name__}")
                report = ingest_report(chunk)
                if report is not None:
                    reports.setdefault(report.source, []).append(report)
                rejected += self._write_chunk(chunk, writers, counts)
            writers.commit()
        except BaseException:
            writers.abort()
            raise
        done = ArchiveWrite(
            write_id=write_id,
            written_at=datetime.now(UTC),
            buckets=self.buckets,
            rows=sum(sum(by_bucket.values()) for by_bucket in counts.values()),
            rejected={"missing MMSI or timestamp": rejected} if rejected else {},
            rows_by_day={day: dict(sorted(b.items())) for day, b in sorted(counts.items())},
            reports=tuple(combine_reports(parts) for parts in reports.values()),
        )
        (self.path / WRITES).mkdir(exist_ok=True)
        record = self.path / WRITES / f"{write_id}.json"
        record.write_text(done.model_dump_json(indent=1) + "\n", encoding="utf-8")
        return done

    def _write_chunk(self, chunk: pd.DataFrame, writers: _Writers, counts: dict[str, dict[int, int]]) -> int:
        frame = conform(chunk, ARCHIVE_DTYPES)[list(ARCHIVE_DTYPES)]
        placed = frame[POSITION.MMSI].notna() & frame[POSITION.TIMESTAMP].notna()
        lost = int((~placed).sum())
        frame = frame[placed]
        if frame.empty:
            return lost
        ns = frame[POSITION.TIMESTAMP].to_numpy(dtype="datetime64[ns]").view(np.int64)
        day_number = ns // _NS_PER_DAY
        bucket = mmsi_bucket(frame[POSITION.MMSI].to_numpy(dtype=np.int64), self.buckets)
        # rows of one file in vessel-time order: readers then find a vessel's rows in few row groups
        order = np.lexsort((ns, frame[POSITION.MMSI].to_numpy(dtype=np.int64), bucket, day_number))
        frame, day_number, bucket = frame.iloc[order], day_number[order], bucket[order]
        table = pa.Table.from_pandas(frame, schema=POSITION_SCHEMA, preserve_index=False)
        key = day_number * self.buckets + bucket
        starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        ends = np.append(starts[1:], len(key))
        for start, end in zip(starts, ends, strict=True):
            day = str(np.datetime64(int(day_number[start]), "D"))
            writers.append(day, int(bucket[start]), table.slice(start, end - start))
            by_bucket = counts.setdefault(day, {})
            by_bucket[int(bucket[start])] = by_bucket.get(int(bucket[start]), 0) + int(end - start)
        return lost

    # -- what is in it -----------------------------------------------------------------------

    def writes(self) -> list[ArchiveWrite]:
        """Every write so far, oldest first."""
        folder = self.path / WRITES
        if not folder.exists():
            return []
        return [
            ArchiveWrite.model_validate_json(path.read_text(encoding="utf-8"))
            for path in sorted(folder.glob("*.json"))
        ]

    def days(self) -> list[date]:
        """The days that hold positions, in order."""
        return sorted(
            date.fromisoformat(folder.name.removeprefix("day="))
            for folder in self.path.glob("day=*")
            if folder.is_dir() and any(folder.glob("bucket=*/part-*.parquet"))
        )

    def reports(self, start: TimeBound = None, end: TimeBound = None) -> list[IngestReport]:
        """The ingest reports of the writes that added rows from ``start`` to ``end``."""
        wanted = {str(d) for d in self._days(start, end)}
        return [report for w in self.writes() if wanted & set(w.rows_by_day) for report in w.reports]

    def rows_by_bucket(self, start: TimeBound = None, end: TimeBound = None) -> dict[int, int]:
        """Rows written per bucket over the days from ``start`` to ``end`` (from the write records)."""
        wanted = {str(d) for d in self._days(start, end)}
        total: dict[int, int] = {}
        for w in self.writes():
            for day, by_bucket in w.rows_by_day.items():
                if day in wanted:
                    for bucket, rows in by_bucket.items():
                        total[int(bucket)] = total.get(int(bucket), 0) + rows
        return dict(sorted(total.items()))

    def _days(self, start: TimeBound, end: TimeBound) -> list[date]:
        first, last = _day(start), _day(end)
        return [
            d
            for d in self.days()
            if (first is None or pd.Timestamp(d, tz="UTC") >= first.normalize())
            and (last is None or pd.Timestamp(d, tz="UTC") < last)
        ]

    def pieces(
        self, start: TimeBound = None, end: TimeBound = None, *, rows_per_piece: int = 2_000_000
    ) -> list[Piece]:
        """The archive from ``start`` to ``end`` as groups of buckets of about ``rows_per_piece``
        rows each: each piece holds whole tracks. A bucket larger than that (a year in few
        buckets) is split into shares of its vessels, each read by streaming the bucket's
        files and keeping its share, so a piece stays near ``rows_per_piece`` rows.

        >>> import tempfile, vesselscreen as vs
        >>> archive = vs.Archive(tempfile.mkdtemp(), buckets=4)
        >>> _ = archive.write(vs.read_ais(vs.demo.ais_path()))
        >>> [(piece.buckets, piece.rows) for piece in archive.pieces(rows_per_piece=1500)]
        [((0, 1, 2), 742), ((3,), 1349)]
        >>> [(piece.buckets, piece.part, piece.rows) for piece in archive.pieces(rows_per_piece=1000)]
        [((3,), (0, 2), 675), ((3,), (1, 2), 674), ((0, 1, 2), (0, 1), 742)]
        """
        if rows_per_piece < 1:
            raise ConfigError(f"rows_per_piece must be positive, not {rows_per_piece}")
        days = tuple(self._days(start, end))
        pieces: list[Piece] = []
        group: list[int] = []
        rows = 0
        for bucket, count in self.rows_by_bucket(start, end).items():
            if count > rows_per_piece:
                shares = -(-count // rows_per_piece)
                pieces += [
                    Piece((bucket,), days, count // shares + (k < count % shares), (k, shares))
                    for k in range(shares)
                ]
                continue
            if group and rows + count > rows_per_piece:
                pieces.append(Piece(tuple(group), days, rows))
                group, rows = [], 0
            group.append(bucket)
            rows += count
        if group:
            pieces.append(Piece(tuple(group), days, rows))
        return pieces

    # -- reading -----------------------------------------------------------------------------

    def _files(self, days: Sequence[date], buckets: Iterable[int] | None) -> list[str]:
        wanted = None if buckets is None else {int(b) for b in buckets}
        files = []
        for d in days:
            for folder in sorted((self.path / f"day={d}").glob("bucket=*")):
                if wanted is None or int(folder.name.removeprefix("bucket=")) in wanted:
                    files += [str(p) for p in sorted(folder.glob("part-*.parquet"))]
        return files

    def _filter(
        self,
        start: TimeBound,
        end: TimeBound,
        bbox: BBox | None,
        mmsi: Iterable[int] | None,
    ) -> pc.Expression | None:
        parts: list[pc.Expression] = []
        first, last = _day(start), _day(end)
        time_type = POSITION_SCHEMA.field(POSITION.TIMESTAMP).type
        if first is not None:
            parts.append(pc.field(POSITION.TIMESTAMP) >= pa.scalar(first.as_unit("ns"), type=time_type))
        if last is not None:
            parts.append(pc.field(POSITION.TIMESTAMP) < pa.scalar(last.as_unit("ns"), type=time_type))
        if bbox is not None:
            lat_min, lat_max, lon_min, lon_max = bbox
            parts.append((pc.field(POSITION.LAT) >= lat_min) & (pc.field(POSITION.LAT) <= lat_max))
            lon = pc.field(POSITION.LON)
            if lon_min <= lon_max:
                parts.append((lon >= lon_min) & (lon <= lon_max))
            else:  # the box crosses the antimeridian
                parts.append((lon >= lon_min) | (lon <= lon_max))
        if mmsi is not None:
            parts.append(pc.field(POSITION.MMSI).isin(pa.array(sorted({int(m) for m in mmsi}), pa.int64())))
        if not parts:
            return None
        expression = parts[0]
        for part in parts[1:]:
            expression = expression & part
        return expression

    def read(
        self,
        start: TimeBound = None,
        end: TimeBound = None,
        *,
        bbox: BBox | None = None,
        mmsi: Iterable[int] | None = None,
        buckets: Iterable[int] | None = None,
        part: tuple[int, int] = (0, 1),
    ) -> pd.DataFrame:
        """Positions from ``start`` (inclusive) to ``end`` (exclusive), sorted by vessel and time.

        ``start``/``end``: dates or times (naive ones are UTC); ``bbox``: (lat_min, lat_max,
        lon_min, lon_max) in degrees (lon_min > lon_max crosses the antimeridian); ``mmsi``:
        only these vessels (only their buckets are read); ``buckets``: only these buckets;
        ``part`` (k, n): only the k-th of n shares of their vessels (see `pieces`). Only the
        days in range are opened, and only the row groups that can match.
        """
        days = self._days(start, end)
        if mmsi is not None:
            mmsi = [int(m) for m in mmsi]
            hashed = set(mmsi_bucket(np.array(mmsi, dtype=np.int64), self.buckets).tolist())
            buckets = hashed if buckets is None else hashed & {int(b) for b in buckets}
        files = self._files(days, buckets)
        if not files:
            return conform(pd.DataFrame(), ARCHIVE_DTYPES)
        dataset = ds.dataset(files, schema=POSITION_SCHEMA, format="parquet")
        expression = self._filter(start, end, bbox, mmsi)
        k, shares = part
        if shares > 1:  # stream the files, keeping this share's rows only: memory stays with the share
            kept = []
            for batch in dataset.to_batches(filter=expression):
                vessel = batch.column(POSITION.MMSI).to_numpy(zero_copy_only=False)
                kept.append(batch.filter(pa.array(_share(vessel, shares) == k)))
            table = pa.Table.from_batches(kept, schema=POSITION_SCHEMA)
        else:
            table = dataset.to_table(filter=expression)
        frame = table.to_pandas(types_mapper=_PANDAS_TYPES.get)
        frame = conform(frame, ARCHIVE_DTYPES)
        return frame.sort_values([POSITION.MMSI, POSITION.TIMESTAMP], kind="stable").reset_index(drop=True)

    def scan(
        self,
        start: TimeBound = None,
        end: TimeBound = None,
        *,
        bbox: BBox | None = None,
        rows_per_piece: int = 2_000_000,
    ) -> Iterator[pd.DataFrame]:
        """`read` one piece at a time (`pieces`): whole tracks in bounded memory."""
        for piece in self.pieces(start, end, rows_per_piece=rows_per_piece):
            yield self.read(start, end, bbox=bbox, buckets=piece.buckets, part=piece.part)

    def to_dask(
        self,
        start: TimeBound = None,
        end: TimeBound = None,
        *,
        bbox: BBox | None = None,
        rows_per_piece: int = 2_000_000,
    ) -> dd.DataFrame:
        """A lazy Dask DataFrame of `read`, one partition per piece (whole tracks per partition).

        Needs the ``dask`` extra (``pip install 'vesselscreen[dask]'``).
        """
        from vesselscreen.screening.distributed import require_dask

        dask_dataframe = require_dask()
        pieces = self.pieces(start, end, rows_per_piece=rows_per_piece)
        meta = conform(pd.DataFrame(), ARCHIVE_DTYPES)
        if not pieces:
            frame: dd.DataFrame = dask_dataframe.from_pandas(meta, npartitions=1)
            return frame
        return cast(
            "dd.DataFrame",
            dask_dataframe.from_map(
                _read_piece,
                pieces,
                path=str(self.path),
                start=start,
                end=end,
                bbox=bbox,
                meta=meta,
                enforce_metadata=False,
            ),
        )


def _read_piece(
    piece: Piece, *, path: str, start: TimeBound, end: TimeBound, bbox: BBox | None
) -> pd.DataFrame:
    """One piece of an archive (a task of `Archive.to_dask`: a module function, so it pickles)."""
    return Archive(path).read(start, end, bbox=bbox, buckets=piece.buckets, part=piece.part)
