"""The snapshot store: a versioned local history of every list fetched, in one SQLite file.

Each snapshot keeps what a compliance officer needs to prove later what a list said:
its source name, URL, format, the SHA-256 of its bytes, the raw files themselves
(LZMA-compressed) with their HTTP validators (ETag, Last-Modified), and the parsed
entries (vessels and entities, stored as Parquet). Each distinct content is stored
once per source; every time a copy of it is seen (downloaded, confirmed by an HTTP 304,
or imported from an archive with its date) is an **observation** at that time. The
ordered observations of a source are its history, whatever order they were added in.

From that history the store answers:

- :meth:`SnapshotStore.watchlist`: what was listed at a given time (the content of
  each source's latest observation on or before it);
- :meth:`SnapshotStore.diff`: which vessels were added, removed or changed between two
  snapshots, field by field;
- :meth:`SnapshotStore.entry_history`: when each entry was first and last seen, and
  the observations either side of its listing and delisting.

``first_seen``/``last_seen`` are the times *this store* first and last saw an entry, not
legal listing dates. Where a list gives no date (OFAC's legacy CSV), the observations
bound it: an entry absent from one observation and present in the next was listed
between the two days, so ``listed_not_before`` is the day of the last observation
without it and ``listed_on`` the day of the first with it. An entry present in the
source's first observation keeps both empty (listed at some unknown earlier time).
Delistings likewise: ``delisted_not_before`` is the day of the last observation with the
entry, ``delisted_on`` the day of the first without it.

The database uses WAL journaling, and every write is one ``BEGIN IMMEDIATE``
transaction with a busy timeout, so two processes updating at once lose nothing; a store
at the current layout is opened and read without taking the write lock. A snapshot that
fails validation is never written, so the last good one stays current.

>>> import tempfile, pandas as pd
>>> from datetime import UTC, datetime
>>> from vesselscreen.lists import Watchlist
>>> store = SnapshotStore(tempfile.mkdtemp() + "/lists.sqlite3")
>>> wl = Watchlist.from_frames(pd.DataFrame({"name": ["ARTAVIL"], "imo": [9187629]}), source="mine")
>>> info = store.add(wl, [RawFile("main", "mine.csv", b"name,imo\\nARTAVIL,9187629\\n")],
...                  retrieved_at=datetime(2024, 5, 3, 12, tzinfo=UTC))
>>> info.id, info.source, info.vessels, f"{info.retrieved_at:%Y-%m-%d}"
(1, 'mine', 1, '2024-05-03')
>>> store.watchlist().vessels["name"].tolist()
['ARTAVIL']
"""

from __future__ import annotations

import io
import lzma
import os
import sqlite3
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import monotonic, sleep
from typing import Final, Literal

import numpy as np
import pandas as pd
import platformdirs
from pydantic import AwareDatetime, BaseModel, ConfigDict

from vesselscreen.errors import ConfigError, InputError
from vesselscreen.lists._io import sha256_of
from vesselscreen.lists.watchlist import SourceSnapshot, Watchlist, WatchlistSnapshot
from vesselscreen.schema import ENTITY_DTYPES, LIST, WATCHLIST, WATCHLIST_DTYPES

__all__ = [
    "APPEARED_AT",
    "DELISTED_AT",
    "FIRST_SEEN",
    "LAST_ABSENT",
    "LAST_SEEN",
    "SCHEMA_VERSION",
    "STORE_ENV",
    "RawFile",
    "SnapshotDiff",
    "SnapshotInfo",
    "SnapshotStore",
    "StoreError",
    "default_store_path",
]

SCHEMA_VERSION: Final = 2
"""Version of the database layout this code writes (kept in the ``schema_version`` table).

1: snapshots, files, entries. 2: adds ``observations`` (every dated sighting of a content).
"""

STORE_ENV: Final = "VESSELSCREEN_STORE"
"""Environment variable that overrides the default store path."""

FIRST_SEEN: Final = "first_seen"
"""History column: the first observation that had the entry."""
LAST_SEEN: Final = "last_seen"
"""History column: the last observation that had the entry."""
LAST_ABSENT: Final = "last_absent"
"""History column: the last observation without the entry before its latest stretch of presence."""
APPEARED_AT: Final = "appeared_at"
"""History column: the first observation of the entry's latest stretch of presence."""
DELISTED_AT: Final = "delisted_at"
"""History column: the first observation without the entry after ``last_seen`` (NaT while listed)."""

_APP: Final = "vesselscreen"
_FILENAME: Final = "snapshots.sqlite3"
_COMPRESSION: Final = "xz"
_WAL_RETRY_S: Final = 0.05
"""Seconds between attempts to switch a store another process holds to write-ahead logging."""
_VESSEL: Final = "vessel"
_ENTITY: Final = "entity"
_UTC_NS: Final = "datetime64[ns, UTC]"

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    format TEXT NOT NULL,
    url TEXT NOT NULL,
    retrieved_at TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    vessels INTEGER NOT NULL,
    entities INTEGER NOT NULL,
    vessels_parquet BLOB NOT NULL,
    entities_parquet BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS snapshots_by_source ON snapshots (source, retrieved_at);
CREATE INDEX IF NOT EXISTS snapshots_by_content ON snapshots (source, sha256);
CREATE TABLE IF NOT EXISTS files (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    role TEXT NOT NULL,
    url TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    compression TEXT NOT NULL,
    data BLOB NOT NULL,
    etag TEXT,
    last_modified TEXT,
    PRIMARY KEY (snapshot_id, role)
);
CREATE TABLE IF NOT EXISTS entries (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    kind TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, kind, entry_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entries_by_entry ON entries (kind, entry_id);
CREATE TABLE IF NOT EXISTS observations (
    source TEXT NOT NULL,
    observed_at TEXT NOT NULL,
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    PRIMARY KEY (source, observed_at)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS observations_by_snapshot ON observations (snapshot_id);
"""

# version 1 kept two dates per snapshot; both were observations of its content
_MIGRATE_1_TO_2: Final = (
    "INSERT OR IGNORE INTO observations (source, observed_at, snapshot_id)"
    " SELECT source, retrieved_at, id FROM snapshots",
    "INSERT OR IGNORE INTO observations (source, observed_at, snapshot_id)"
    " SELECT source, checked_at, id FROM snapshots",
)


class StoreError(InputError):
    """The snapshot store cannot be used: not a database, corrupted, locked, or too new.

    Says which file: ``source`` is the database path.
    """


@dataclass(frozen=True, slots=True)
class RawFile:
    """One downloaded file of a snapshot, exactly as received, with its HTTP validators.

    ``role`` names the file within its source: ``"main"``, or ``"alt"``, ``"add"``,
    ``"comments"`` for OFAC's companion CSV files.
    """

    role: str
    url: str
    data: bytes
    etag: str | None = None
    last_modified: str | None = None


class SnapshotInfo(BaseModel):
    """What the store knows about one snapshot (one distinct content of a source).

    ``retrieved_at`` is the first observation of this content (when it was downloaded,
    or the date of an imported copy); ``checked_at`` is the last one (a later download
    of identical bytes, a 304, or a later dated copy).
    """

    model_config = ConfigDict(frozen=True)

    id: int
    source: str
    format: str
    url: str
    retrieved_at: AwareDatetime
    checked_at: AwareDatetime
    sha256: str
    size: int
    vessels: int
    entities: int


@dataclass(frozen=True, slots=True)
class SnapshotDiff:
    """Entries added, removed and changed between snapshot ``a`` and snapshot ``b``.

    ``added`` and ``removed`` are rows of the vessels (or entities) frame; ``changed``
    has one row per changed field: ``entry_id``, ``name``, ``field``, ``old``, ``new``.
    """

    a: SnapshotInfo
    b: SnapshotInfo
    kind: str
    added: pd.DataFrame
    removed: pd.DataFrame
    changed: pd.DataFrame

    def summary(self) -> str:
        """One line, e.g. ``ofac_sdn #1 -> #2: 10 vessels added, 0 removed, 1 changed``."""
        changed = self.changed[WATCHLIST.ENTRY_ID].nunique()
        return (
            f"{self.a.source} #{self.a.id} ({self.a.retrieved_at:%Y-%m-%d %H:%M}Z) -> "
            f"#{self.b.id} ({self.b.retrieved_at:%Y-%m-%d %H:%M}Z): {len(self.added)} {self.kind} added, "
            f"{len(self.removed)} removed, {changed} changed"
        )


def default_store_path() -> Path:
    """``$VESSELSCREEN_STORE`` if set, else ``snapshots.sqlite3`` in the per-user data directory.

    >>> default_store_path().name
    'snapshots.sqlite3'
    """
    override = os.environ.get(STORE_ENV)
    if override:
        return Path(override)
    return platformdirs.user_data_path(_APP, appauthor=False) / _FILENAME


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    # one fixed width and offset, so text order is time order in SQL
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _observed(moment: object, what: str = "retrieved_at") -> datetime:
    """An observation time: aware, not in the future, in UTC."""
    if not isinstance(moment, datetime):
        raise ConfigError(f"{what} must be a datetime with a timezone, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ConfigError(f"{what} needs a timezone (e.g. {moment.isoformat()}+00:00): {moment}")
    when = moment.astimezone(UTC)
    if when > _now():
        raise ConfigError(f"{what} {when:%Y-%m-%d %H:%M}Z is in the future")
    return when


def _cutoff(as_of: date | datetime | None) -> datetime | None:
    """The last instant that counts: end of the day for a date, the instant for an aware datetime."""
    if as_of is None:
        return None
    if isinstance(as_of, datetime):
        if as_of.tzinfo is None:
            raise ConfigError(f"as_of needs a timezone (e.g. {as_of.isoformat()}+00:00) or a date")
        return as_of.astimezone(UTC)
    return datetime.combine(as_of + timedelta(days=1), time(), tzinfo=UTC) - timedelta(microseconds=1)


def _compress(data: bytes) -> bytes:
    # preset 1: about 2x smaller than zlib on list XML at a similar speed
    return lzma.compress(data, preset=1)


def _decompress(data: bytes, compression: str) -> bytes:
    if compression == "xz":
        return lzma.decompress(data)
    if compression == "zlib":
        return zlib.decompress(data)
    if compression == "none":
        return data
    raise ValueError(f"unknown compression {compression!r}")


def _to_parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    try:
        frame.to_parquet(buffer, index=False)
    except (TypeError, ValueError, NotImplementedError):  # pyarrow's errors derive from these
        # extra per-format columns of mixed Python types: keep them as text
        extra = [c for c in frame.columns if frame[c].dtype == object and c not in _LIST_COLUMNS]
        buffer = io.BytesIO()
        frame.astype(dict.fromkeys(extra, "string")).to_parquet(buffer, index=False)
    return buffer.getvalue()


_LIST_COLUMNS: Final = frozenset(
    name for dtypes in (WATCHLIST_DTYPES, ENTITY_DTYPES) for name, dtype in dtypes.items() if dtype == LIST
)


def _from_parquet(blob: bytes) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(blob))


def _times(values: Sequence[str]) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(list(values), utc=True, format="ISO8601"), dtype=_UTC_NS)


class SnapshotStore:
    """A SQLite database of list snapshots (see the module docstring).

    ``path`` defaults to :func:`default_store_path`; its folder is created. ``timeout``
    is how many seconds a write waits for another process holding the database.
    Opening a store at the current layout, and reading it, never waits for writers.

    A file that is not a SQLite database, a corrupted one, or one written by a newer
    vesselscreen raises :class:`StoreError` naming the file.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, timeout: float = 60.0) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self.timeout = timeout
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(str(self.path), f"cannot create the store's folder: {exc}") from exc
        if not self._current():
            self._initialise()

    def __repr__(self) -> str:
        """E.g. ``<SnapshotStore /home/me/.local/share/vesselscreen/snapshots.sqlite3>``."""
        return f"<SnapshotStore {self.path}>"

    # ------------------------------------------------------------------ connections

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            con = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(str(self.path), f"cannot open the snapshot store: {exc}") from exc
        try:
            con.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            con.execute("PRAGMA foreign_keys = ON")
            yield con
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from exc
        finally:
            con.close()

    def _error(self, exc: sqlite3.DatabaseError) -> StoreError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            message = f"busy: another process held the snapshot store for more than {self.timeout:g} s"
        elif "not a database" in text or "malformed" in text or "encrypted" in text:
            message = f"not a usable snapshot store (corrupted or not an SQLite database: {text})"
        else:
            message = f"snapshot store error: {text}"
        return StoreError(str(self.path), message)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken up front so concurrent writers queue instead of failing."""
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: a consistent view across several queries, without the write lock."""
        with self._connect() as con:
            con.execute("BEGIN DEFERRED")
            try:
                yield con
            finally:
                con.execute("ROLLBACK")

    def _check_tables(self, con: sqlite3.Connection) -> int | None:
        """The layout version, ``None`` for an empty database; refuses foreign and newer ones."""
        tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return None
        if "schema_version" not in tables:
            raise StoreError(str(self.path), "an SQLite database, but not a vesselscreen snapshot store")
        version = con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
        if version is not None and version > SCHEMA_VERSION:
            raise StoreError(
                str(self.path),
                f"written by a newer vesselscreen (schema version {version}; this one reads up to "
                f"{SCHEMA_VERSION}): upgrade vesselscreen",
            )
        return int(version) if version is not None else None

    def _current(self) -> bool:
        """True when the database exists at this layout: then nothing needs the write lock."""
        try:
            if self.path.stat().st_size == 0:
                return False
        except OSError:
            return False
        with self._connect() as con:
            return self._check_tables(con) == SCHEMA_VERSION

    def _initialise(self) -> None:
        self._use_wal()
        with self._write() as con:
            version = self._check_tables(con)
            # executescript() would COMMIT first; run the statements inside this transaction
            for statement in filter(str.strip, _SCHEMA.split(";")):
                con.execute(statement)
            if version is not None and version < 2:
                for statement in _MIGRATE_1_TO_2:
                    con.execute(statement)
            if version != SCHEMA_VERSION:
                con.execute("DELETE FROM schema_version")
                con.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))

    def _use_wal(self) -> None:
        """Switch the database to write-ahead logging (readers never wait for a writer).

        The switch needs the database to itself, and SQLite answers "locked" at once rather
        than waiting when another process holds it (two processes creating one store), so
        it is retried until ``timeout``; a database in WAL mode already is left alone.
        """
        deadline = monotonic() + self.timeout
        while True:
            try:
                with self._connect() as con:
                    if con.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                        con.execute("PRAGMA journal_mode = WAL")
                return
            except StoreError as exc:
                if not exc.message.startswith("busy") or monotonic() > deadline:
                    raise
                sleep(_WAL_RETRY_S)

    # ------------------------------------------------------------------ writing

    def add(
        self,
        watchlist: Watchlist,
        files: Sequence[RawFile] = (),
        *,
        retrieved_at: datetime | None = None,
        min_fraction: float = 0.0,
    ) -> SnapshotInfo:
        """Record ``watchlist`` (one source) and its raw ``files`` as observed at ``retrieved_at``.

        ``retrieved_at`` (default: the watchlist's own ``retrieved_at``) must be
        timezone-aware and not in the future; a dated copy from an archive can be added
        at any time, in any order. Content the source already has (same SHA-256) is not
        stored again: the observation is added to that snapshot, which is returned. A
        different content at exactly the same time as an existing observation of the
        source raises :class:`~vesselscreen.errors.ConfigError`.

        With ``min_fraction`` > 0, new content with fewer vessels, or fewer other
        entries, than that fraction of the snapshot observed just before it is refused
        with :class:`~vesselscreen.errors.InputError` and nothing is written. The check
        runs inside the write transaction, so it compares with what another process may
        just have stored.
        """
        sources = watchlist.snapshot.sources
        if len(sources) != 1:
            raise ConfigError(f"a snapshot holds exactly one source; this watchlist has {len(sources)}")
        snap = sources[0]
        when = _observed(retrieved_at if retrieved_at is not None else snap.retrieved_at)
        main = next((f for f in files if f.role == "main"), files[0] if files else None)
        url = main.url if main is not None else snap.location
        at = _iso(when)
        with self._write() as con:
            taken = con.execute(
                "SELECT snapshot_id FROM observations WHERE source = ? AND observed_at = ?", (snap.source, at)
            ).fetchone()
            known = con.execute(
                "SELECT id FROM snapshots WHERE source = ? AND sha256 = ? ORDER BY id LIMIT 1",
                (snap.source, snap.sha256),
            ).fetchone()
            if taken is not None:
                if known is not None and taken[0] == known[0]:
                    return self._info(con, known[0])
                raise ConfigError(
                    f"{snap.source} already has another snapshot (#{taken[0]}) observed at "
                    f"{when:%Y-%m-%d %H:%M:%S}Z; two contents cannot both be current at one instant"
                )
            if known is not None:
                snapshot_id = int(known[0])
            else:
                before = self._observed_at(con, snap.source, at, strictly_before=True)
                if before is not None:
                    _check_plausible(
                        url, before, len(watchlist.vessels), len(watchlist.entities), min_fraction
                    )
                snapshot_id = self._insert(con, watchlist, files, snap, url, at)
            con.execute(
                "INSERT INTO observations (source, observed_at, snapshot_id) VALUES (?, ?, ?)",
                (snap.source, at, snapshot_id),
            )
            self._refresh_span(con, snapshot_id)
            return self._info(con, snapshot_id)

    def _insert(
        self,
        con: sqlite3.Connection,
        watchlist: Watchlist,
        files: Sequence[RawFile],
        snap: SourceSnapshot,
        url: str,
        at: str,
    ) -> int:
        blobs = (_to_parquet(watchlist.vessels), _to_parquet(watchlist.entities))
        packed = [(f, sha256_of([f.data]), _compress(f.data)) for f in files]
        cursor = con.execute(
            "INSERT INTO snapshots (source, format, url, retrieved_at, checked_at, sha256, size, vessels,"
            " entities, vessels_parquet, entities_parquet) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (snap.source, snap.format, url, at, at, snap.sha256, sum(len(f.data) for f in files),
             len(watchlist.vessels), len(watchlist.entities), *blobs),
        )  # fmt: skip
        snapshot_id = cursor.lastrowid
        assert snapshot_id is not None  # an INSERT always sets it
        con.executemany(
            "INSERT INTO files (snapshot_id, role, url, sha256, size, compression, data, etag,"
            " last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(snapshot_id, f.role, f.url, digest, len(f.data), _COMPRESSION, blob, f.etag,
              f.last_modified) for f, digest, blob in packed],
        )  # fmt: skip
        for kind, frame in ((_VESSEL, watchlist.vessels), (_ENTITY, watchlist.entities)):
            con.executemany(
                "INSERT OR IGNORE INTO entries (snapshot_id, kind, entry_id) VALUES (?, ?, ?)",
                ((snapshot_id, kind, entry) for entry in frame[WATCHLIST.ENTRY_ID].dropna().unique()),
            )
        return snapshot_id

    @staticmethod
    def _refresh_span(con: sqlite3.Connection, snapshot_id: int) -> None:
        """retrieved_at/checked_at: the first and last observation of the snapshot."""
        con.execute(
            "UPDATE snapshots SET"
            " retrieved_at = (SELECT MIN(observed_at) FROM observations WHERE snapshot_id = ?),"
            " checked_at = (SELECT MAX(observed_at) FROM observations WHERE snapshot_id = ?)"
            " WHERE id = ?",
            (snapshot_id, snapshot_id, snapshot_id),
        )

    def mark_checked(self, snapshot_id: int, at: datetime | None = None) -> SnapshotInfo:
        """Record that snapshot ``snapshot_id`` was current at ``at`` (default now; e.g. an HTTP 304)."""
        when = _iso(_observed(at if at is not None else _now(), "at"))
        with self._write() as con:
            info = self._info(con, snapshot_id)  # raises for an unknown id
            taken = con.execute(
                "SELECT snapshot_id FROM observations WHERE source = ? AND observed_at = ?",
                (info.source, when),
            ).fetchone()
            if taken is None:
                con.execute(
                    "INSERT INTO observations (source, observed_at, snapshot_id) VALUES (?, ?, ?)",
                    (info.source, when, snapshot_id),
                )
                self._refresh_span(con, snapshot_id)
            elif taken[0] != snapshot_id:
                raise ConfigError(f"{info.source} already has snapshot #{taken[0]} observed at {when}")
            return self._info(con, snapshot_id)

    # ------------------------------------------------------------------ reading

    def snapshots(self, source: str | None = None) -> list[SnapshotInfo]:
        """Every snapshot (of ``source`` if given), by source, then by first observation."""
        where, args = ("WHERE source = ?", (source,)) if source is not None else ("", ())
        with self._read() as con:
            rows = con.execute(
                f"SELECT {_INFO_COLUMNS} FROM snapshots {where} ORDER BY source, retrieved_at, id", args
            ).fetchall()
        return [_row_info(row) for row in rows]

    def observations(self, source: str | None = None) -> pd.DataFrame:
        """Every dated observation (of ``source`` if given): ``source``, ``observed_at``, ``snapshot_id``.

        Ordered by source, then time: the history the dates are derived from.
        """
        where, args = ("WHERE source = ?", (source,)) if source is not None else ("", ())
        with self._read() as con:
            rows = con.execute(
                f"SELECT source, observed_at, snapshot_id FROM observations {where}"
                " ORDER BY source, observed_at",
                args,
            ).fetchall()
        return pd.DataFrame(
            {
                "source": pd.Series([r[0] for r in rows], dtype="string"),
                "observed_at": pd.Series(_times([r[1] for r in rows]), dtype=_UTC_NS),
                "snapshot_id": pd.Series([r[2] for r in rows], dtype="int64"),
            }
        )

    def sources(self) -> list[str]:
        """The sources that have at least one snapshot, sorted."""
        with self._read() as con:
            return [row[0] for row in con.execute("SELECT DISTINCT source FROM snapshots ORDER BY source")]

    def latest(self, source: str) -> SnapshotInfo | None:
        """The snapshot of ``source``'s latest observation, or ``None`` if there is none."""
        with self._read() as con:
            return self._observed_at(con, source, None)

    def info(self, snapshot_id: int) -> SnapshotInfo:
        """Snapshot ``snapshot_id``; an unknown id raises :class:`~vesselscreen.errors.ConfigError`."""
        with self._read() as con:
            return self._info(con, snapshot_id)

    def files(self, snapshot_id: int) -> list[RawFile]:
        """The raw files of a snapshot, decompressed, exactly as they were downloaded."""
        with self._read() as con:
            self._info(con, snapshot_id)
            rows = con.execute(
                "SELECT role, url, compression, data, etag, last_modified, sha256 FROM files"
                " WHERE snapshot_id = ? ORDER BY rowid",
                (snapshot_id,),
            ).fetchall()
        out = []
        for role, url, compression, blob, etag, last_modified, digest in rows:
            try:
                data = _decompress(blob, compression)
            except (lzma.LZMAError, zlib.error, ValueError) as exc:
                raise StoreError(
                    str(self.path), f"snapshot #{snapshot_id} file {role!r} is corrupted"
                ) from exc
            if sha256_of([data]) != digest:
                raise StoreError(str(self.path), f"snapshot #{snapshot_id} file {role!r} fails its SHA-256")
            out.append(RawFile(role, url, data, etag, last_modified))
        return out

    def load(self, snapshot_id: int) -> Watchlist:
        """The watchlist of one snapshot, with dates from the history up to its last observation."""
        with self._read() as con:
            info = self._info(con, snapshot_id)
            return self._materialise(con, info, _iso(info.checked_at), include_delisted=False)

    def watchlist(
        self,
        as_of: date | datetime | None = None,
        *,
        sources: Sequence[str] | None = None,
        include_delisted: bool = False,
    ) -> Watchlist:
        """What was listed on ``as_of``: per source, the content of its latest observation by then.

        ``as_of`` is a date (the whole UTC day counts), an aware datetime, or ``None`` for
        the latest observations. ``sources`` limits the sources (default: every source
        observed by then); a named source without an observation raises :class:`StoreError`.

        Dates come from the observations up to ``as_of`` (see the module docstring):
        ``listed_on``, ``listed_not_before``, ``delisted_on``, ``delisted_not_before``
        where the list gives none. With ``include_delisted``, entries that earlier
        observations had and the chosen one no longer has are kept too, as last seen,
        with their delisting interval: screening AIS from before it still finds them
        designated. Use it (with ``as_of`` at the end of the AIS period, or the latest)
        when screening past AIS.

        Every row gets ``first_seen`` and ``last_seen`` (when this store saw the entry; not
        legal dates) after the schema columns.
        """
        cutoff = _cutoff(as_of)
        limit = _iso(cutoff) if cutoff is not None else None
        when = "" if as_of is None else f" retrieved on or before {as_of.isoformat()}"
        with self._read() as con:
            observed = con.execute(
                "SELECT DISTINCT source FROM observations WHERE observed_at <= ? ORDER BY source",
                (limit or "9999",),
            )
            names = list(dict.fromkeys(sources)) if sources is not None else [row[0] for row in observed]
            chosen = {name: self._observed_at(con, name, limit) for name in names}
            missing = [name for name, info in chosen.items() if info is None]
            if missing or not names:
                what = ", ".join(map(repr, missing)) if missing else "any source"
                raise StoreError(str(self.path), f"no snapshot of {what}{when}")
            parts = []
            for name in names:
                info = chosen[name]
                assert info is not None  # checked above
                at = self._last_observation(con, name, limit)
                parts.append(self._materialise(con, info, at, include_delisted=include_delisted))
        return Watchlist.concat(parts)

    def entry_history(
        self, source: str | None = None, *, as_of: date | datetime | None = None
    ) -> pd.DataFrame:
        """When each entry was seen, per source, from the observations up to ``as_of``.

        Columns: ``source``, ``kind`` (``vessel``/``entity``), ``entry_id``,
        ``first_seen``/``last_seen`` (first and last observation that had the entry),
        ``listed`` (in the source's latest observation), ``last_absent`` (the last
        observation without it before its latest stretch of presence; NaT if present
        since the source's first observation), ``appeared_at`` (the first observation of
        that stretch), ``delisted_at`` (the first observation without it after
        ``last_seen``; NaT while listed).
        """
        cutoff = _cutoff(as_of)
        limit = _iso(cutoff) if cutoff is not None else None
        with self._read() as con:
            names = [source] if source is not None else [row[0] for row in con.execute(
                "SELECT DISTINCT source FROM observations ORDER BY source")]  # fmt: skip
            frames = [self._history(con, name, limit).assign(source=name) for name in names]
        columns = ["source", "kind", WATCHLIST.ENTRY_ID, FIRST_SEEN, LAST_SEEN, "listed", LAST_ABSENT,
                   APPEARED_AT, DELISTED_AT]  # fmt: skip
        if not frames:
            return _empty_history().assign(source=pd.Series(dtype="string"))[columns]
        out = pd.concat(frames, ignore_index=True)
        out["source"] = out["source"].astype("string")
        return out[columns]

    def diff(self, a: int, b: int, *, kind: Literal["vessels", "entities"] = "vessels") -> SnapshotDiff:
        """Entries added, removed and changed from snapshot ``a`` to snapshot ``b`` (same source).

        Entries are matched on ``entry_id``; a field counts as changed when its value differs
        (two missing values are equal).
        """
        if kind not in ("vessels", "entities"):
            raise ConfigError(f"kind must be 'vessels' or 'entities', not {kind!r}")
        with self._read() as con:
            info_a, info_b = self._info(con, a), self._info(con, b)
            if info_a.source != info_b.source:
                raise ConfigError(
                    f"snapshots #{a} ({info_a.source}) and #{b} ({info_b.source}) are of different sources"
                )
            old, new = (self._frames(con, info)[0 if kind == "vessels" else 1] for info in (info_a, info_b))
        key = WATCHLIST.ENTRY_ID
        added = new.loc[~new[key].isin(old[key])].reset_index(drop=True)
        removed = old.loc[~old[key].isin(new[key])].reset_index(drop=True)
        return SnapshotDiff(info_a, info_b, kind, added, removed, _changed_fields(old, new))

    # ------------------------------------------------------------------ internals

    def _info(self, con: sqlite3.Connection, snapshot_id: int) -> SnapshotInfo:
        row = con.execute(f"SELECT {_INFO_COLUMNS} FROM snapshots WHERE id = ?", (snapshot_id,)).fetchone()
        if row is None:
            raise ConfigError(f"{self.path}: no snapshot #{snapshot_id}")
        return _row_info(row)

    def _observed_at(
        self, con: sqlite3.Connection, source: str, limit: str | None, *, strictly_before: bool = False
    ) -> SnapshotInfo | None:
        """The snapshot of the source's latest observation at or before ``limit`` (any, if ``None``)."""
        op = "<" if strictly_before else "<="
        row = con.execute(
            f"SELECT snapshot_id FROM observations WHERE source = ? AND observed_at {op} ?"
            " ORDER BY observed_at DESC LIMIT 1",
            (source, limit if limit is not None else "9999"),
        ).fetchone()
        return None if row is None else self._info(con, row[0])

    @staticmethod
    def _last_observation(con: sqlite3.Connection, source: str, limit: str | None) -> str:
        row = con.execute(
            "SELECT MAX(observed_at) FROM observations WHERE source = ? AND observed_at <= ?",
            (source, limit if limit is not None else "9999"),
        ).fetchone()
        return str(row[0])

    def _frames(self, con: sqlite3.Connection, info: SnapshotInfo) -> tuple[pd.DataFrame, pd.DataFrame]:
        row = con.execute(
            "SELECT vessels_parquet, entities_parquet FROM snapshots WHERE id = ?", (info.id,)
        ).fetchone()
        try:
            wl = Watchlist(_from_parquet(row[0]), _from_parquet(row[1]))
        except (OSError, ValueError) as exc:
            raise StoreError(str(self.path), f"the entries of snapshot #{info.id} are corrupted") from exc
        return wl.vessels, wl.entities

    def _runs(self, con: sqlite3.Connection, source: str, limit: str | None) -> pd.DataFrame:
        """Consecutive observations of one content, oldest first: ``snapshot_id``, ``first``, ``last``."""
        rows = con.execute(
            "SELECT observed_at, snapshot_id FROM observations WHERE source = ? AND observed_at <= ?"
            " ORDER BY observed_at",
            (source, limit if limit is not None else "9999"),
        ).fetchall()
        ids = np.array([r[1] for r in rows], dtype="int64")
        times = _times([r[0] for r in rows])
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if len(ids) else np.array([], dtype="int64")
        ends = np.r_[starts[1:] - 1, len(ids) - 1] if len(ids) else starts
        return pd.DataFrame(
            {
                "snapshot_id": ids[starts],
                "first": pd.Series(times[starts], dtype=_UTC_NS),
                "last": pd.Series(times[ends], dtype=_UTC_NS),
            }
        )

    def _history(self, con: sqlite3.Connection, source: str, limit: str | None) -> pd.DataFrame:
        """Per entry: first/last seen, listed now, and the observations around its latest listing."""
        runs = self._runs(con, source, limit)
        if runs.empty:
            return _empty_history().assign(
                last_run=pd.Series(dtype="int64"), run_snapshot=pd.Series(dtype="int64")
            )
        rows = con.execute(
            "SELECT e.kind, e.entry_id, e.snapshot_id FROM entries e JOIN (SELECT DISTINCT snapshot_id"
            " FROM observations WHERE source = ? AND observed_at <= ?) o ON o.snapshot_id = e.snapshot_id",
            (source, limit if limit is not None else "9999"),
        ).fetchall()
        entries = pd.DataFrame(rows, columns=["kind", WATCHLIST.ENTRY_ID, "snapshot_id"])
        # a content seen again after another one (a revert) is present in each of its runs
        present = entries.merge(runs[["snapshot_id"]].rename_axis("run").reset_index(), on="snapshot_id")
        # one integer per (kind, entry_id); factorizing the columns apart is 5x faster than a MultiIndex
        ids, _ = pd.factorize(present[WATCHLIST.ENTRY_ID])
        kinds, _ = pd.factorize(present["kind"])
        present["entry"] = ids * 2 + kinds
        present = present.sort_values(["entry", "run"], ascending=[True, False], kind="stable")
        groups = present.groupby("entry", sort=True)
        last_run = groups["run"].transform("max")
        # runs counted back from the last one while the entry stays present: its latest stretch
        in_stretch = (last_run - present["run"]) == groups.cumcount()
        per_entry = pd.DataFrame(
            {
                "kind": groups["kind"].first(),
                WATCHLIST.ENTRY_ID: groups[WATCHLIST.ENTRY_ID].first(),
                "first_run": groups["run"].min(),
                "last_run": groups["run"].max(),
                "stretch": in_stretch.groupby(present["entry"]).sum(),
            }
        )
        first = runs["first"].to_numpy()
        last = runs["last"].to_numpy()
        start = (per_entry["last_run"] - per_entry["stretch"] + 1).to_numpy()
        end = per_entry["last_run"].to_numpy()
        n_runs = len(runs)
        nat = np.datetime64("NaT", "ns")
        out = pd.DataFrame(
            {
                "kind": per_entry["kind"].astype("string").to_numpy(),
                WATCHLIST.ENTRY_ID: per_entry[WATCHLIST.ENTRY_ID].astype("string").to_numpy(),
                FIRST_SEEN: first[per_entry["first_run"].to_numpy()],
                LAST_SEEN: last[end],
                "listed": end == n_runs - 1,
                LAST_ABSENT: np.where(start > 0, last[np.maximum(start - 1, 0)], nat),
                APPEARED_AT: first[start],
                DELISTED_AT: np.where(end < n_runs - 1, first[np.minimum(end + 1, n_runs - 1)], nat),
                "last_run": end,
            }
        )
        for name in (FIRST_SEEN, LAST_SEEN, LAST_ABSENT, APPEARED_AT, DELISTED_AT):
            out[name] = pd.to_datetime(out[name], utc=True).astype(_UTC_NS)
        out["listed"] = out["listed"].astype("boolean")
        out["run_snapshot"] = runs["snapshot_id"].to_numpy()[end]  # the content of its last stretch
        return out

    def _materialise(
        self, con: sqlite3.Connection, info: SnapshotInfo, at: str, *, include_delisted: bool
    ) -> Watchlist:
        """One snapshot's watchlist with dates from the history up to ``at``; optionally plus entries gone."""
        history = self._history(con, info.source, at)
        vessels, entities = self._frames(con, info)
        frames = {_VESSEL: [vessels], _ENTITY: [entities]}
        if include_delisted:
            gone = history.loc[~history["listed"].astype(bool)]
            for snapshot_id in gone["run_snapshot"].unique():
                group = gone.loc[gone["run_snapshot"] == snapshot_id]
                old_vessels, old_entities = self._frames(con, self._info(con, int(snapshot_id)))
                for kind, old in ((_VESSEL, old_vessels), (_ENTITY, old_entities)):
                    ids = group.loc[group["kind"] == kind, WATCHLIST.ENTRY_ID]
                    frames[kind].append(old.loc[old[WATCHLIST.ENTRY_ID].isin(ids)])
        out = {}
        for kind, parts in frames.items():
            frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
            out[kind] = _with_history(frame, history.loc[history["kind"] == kind])
        snapshot = SourceSnapshot(
            source=info.source,
            format=info.format,
            location=info.url,
            retrieved_at=info.retrieved_at,
            sha256=info.sha256,
            vessels=len(vessels),
            entities=len(entities),
        )
        return Watchlist(out[_VESSEL], out[_ENTITY], snapshot=WatchlistSnapshot(sources=(snapshot,)))


_INFO_COLUMNS: Final = "id, source, format, url, retrieved_at, checked_at, sha256, size, vessels, entities"


def _row_info(row: tuple[object, ...]) -> SnapshotInfo:
    keys = [name.strip() for name in _INFO_COLUMNS.split(",")]
    return SnapshotInfo.model_validate(dict(zip(keys, row, strict=True)))


def _check_plausible(
    url: str, before: SnapshotInfo, vessels: int, entities: int, min_fraction: float
) -> None:
    """Vessels and other entries are judged on their own: a list can lose its ships and keep its parties."""
    short = [
        (f"{count} {what}", f"{had}")
        for what, count, had in (
            ("vessels", vessels, before.vessels),
            ("other entries", entities, before.entities),
        )
        if count < min_fraction * had
    ]
    if short:
        counts, had = (" and ".join(part) for part in zip(*short, strict=True))
        raise InputError(
            url,
            f"implausible list: {counts} where the last snapshot #{before.id} "
            f"({before.retrieved_at:%Y-%m-%d %H:%M}Z) had {had} (the minimum is {min_fraction:.0%} of "
            f"{'that' if len(short) == 1 else 'each'}); not stored, snapshot #{before.id} kept",
        )


def _empty_history() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kind": pd.Series(dtype="string"),
            WATCHLIST.ENTRY_ID: pd.Series(dtype="string"),
            **{name: pd.Series(dtype=_UTC_NS) for name in (FIRST_SEEN, LAST_SEEN)},
            "listed": pd.Series(dtype="boolean"),
            **{name: pd.Series(dtype=_UTC_NS) for name in (LAST_ABSENT, APPEARED_AT, DELISTED_AT)},
        }
    )


def _with_history(frame: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """Add first_seen/last_seen; fill missing listing and delisting dates from the observations."""
    seen = history[[WATCHLIST.ENTRY_ID, FIRST_SEEN, LAST_SEEN, LAST_ABSENT, APPEARED_AT, DELISTED_AT]]
    merged = frame.merge(seen.drop_duplicates(WATCHLIST.ENTRY_ID), on=WATCHLIST.ENTRY_ID, how="left",
                         validate="many_to_one")  # fmt: skip
    around = {name: merged.pop(name).dt.floor("D").set_axis(frame.index)
              for name in (LAST_ABSENT, APPEARED_AT, DELISTED_AT)}  # fmt: skip
    out = merged.set_axis(frame.index)
    # the list's own dates win; an entry present since the first observation stays undated
    undated = out[WATCHLIST.LISTED_ON].isna() & around[LAST_ABSENT].notna()
    out[WATCHLIST.LISTED_ON] = out[WATCHLIST.LISTED_ON].mask(undated, around[APPEARED_AT])
    out[WATCHLIST.LISTED_NOT_BEFORE] = out[WATCHLIST.LISTED_NOT_BEFORE].mask(undated, around[LAST_ABSENT])
    if WATCHLIST.DELISTED_ON in out:  # entities have no delisting columns
        gone = out[WATCHLIST.DELISTED_ON].isna() & around[DELISTED_AT].notna()
        out[WATCHLIST.DELISTED_ON] = out[WATCHLIST.DELISTED_ON].mask(gone, around[DELISTED_AT])
        out[WATCHLIST.DELISTED_NOT_BEFORE] = out[WATCHLIST.DELISTED_NOT_BEFORE].mask(
            gone, out[LAST_SEEN].dt.floor("D")
        )
    return out


def _changed_fields(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """One row per (entry, field) whose value differs between ``old`` and ``new``."""
    key = WATCHLIST.ENTRY_ID
    common = pd.Index(old[key]).intersection(pd.Index(new[key]))
    before = old.drop_duplicates(key).set_index(key).reindex(common)
    after = new.drop_duplicates(key).set_index(key).reindex(common)
    parts = []
    for column in dict.fromkeys([*before.columns, *after.columns]):
        a = before[column] if column in before else pd.Series(pd.NA, index=common, dtype=object)
        b = after[column] if column in after else pd.Series(pd.NA, index=common, dtype=object)
        # text renderings compare lists, NA and mixed dtypes uniformly
        differs = _text(a) != _text(b)
        if differs.any():
            parts.append(
                pd.DataFrame(
                    {
                        key: common[differs.to_numpy()],
                        WATCHLIST.NAME: after.loc[differs, WATCHLIST.NAME].to_numpy(),
                        "field": column,
                        "old": a[differs].astype(object).to_numpy(),
                        "new": b[differs].astype(object).to_numpy(),
                    }
                )
            )
    columns = [key, WATCHLIST.NAME, "field", "old", "new"]
    if not parts:
        return pd.DataFrame({name: pd.Series(dtype="string" if name != "old" and name != "new" else object)
                             for name in columns})  # fmt: skip
    out = pd.concat(parts, ignore_index=True)
    out = out.astype({key: "string", WATCHLIST.NAME: "string", "field": "string"})
    return out.sort_values([key], kind="stable").reset_index(drop=True)


def _text(values: pd.Series) -> pd.Series:
    # a sentinel for missing values: pandas' str dtype would turn them into NaN, and NaN != NaN
    return values.astype(object).astype(str).where(values.notna(), "\x00")
