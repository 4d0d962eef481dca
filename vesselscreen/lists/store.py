"""The snapshot store: a versioned local history of every list fetched, in one SQLite file.

Each snapshot keeps what a compliance officer needs to prove later what a list said:
its source name, URL, format, when it was retrieved, the SHA-256 of its bytes, the raw
files themselves (LZMA-compressed) with their HTTP validators (ETag, Last-Modified),
and the parsed entries (vessels and entities, stored as Parquet).

From that history the store answers:

- :meth:`SnapshotStore.watchlist`: what was listed on a given day (the latest snapshot
  of each source retrieved on or before it);
- :meth:`SnapshotStore.diff`: which vessels were added, removed or changed between two
  snapshots, field by field;
- :meth:`SnapshotStore.entry_history`: when each entry was first and last seen.

``first_seen``/``last_seen`` are the times *this store* first and last saw an entry, not
legal listing dates. They fill ``listed_on`` only when a list gives no date (OFAC's
legacy CSV) and the entry was absent from an earlier snapshot of the same source, and
they fill ``delisted_on`` with the day of the first snapshot that no longer has it.

The database uses WAL journaling, and every write is one ``BEGIN IMMEDIATE``
transaction with a busy timeout, so two processes updating at once lose nothing. A
snapshot that fails validation is never written, so the last good one stays current.

>>> import tempfile, pandas as pd
>>> from vesselscreen.lists import Watchlist
>>> store = SnapshotStore(tempfile.mkdtemp() + "/lists.sqlite3")
>>> wl = Watchlist.from_frames(pd.DataFrame({"name": ["ARTAVIL"], "imo": [9187629]}), source="mine")
>>> info = store.add(wl, [RawFile("main", "mine.csv", b"name,imo\\nARTAVIL,9187629\\n")])
>>> info.id, info.source, info.vessels
(1, 'mine', 1)
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
from typing import Final, Literal, TypeVar

import numpy as np
import pandas as pd
import platformdirs
from pydantic import AwareDatetime, BaseModel, ConfigDict

from vesselscreen.errors import ConfigError, InputError
from vesselscreen.lists._io import sha256_of
from vesselscreen.lists.watchlist import SourceSnapshot, Watchlist, WatchlistSnapshot
from vesselscreen.schema import ENTITY_DTYPES, LIST, WATCHLIST, WATCHLIST_DTYPES

__all__ = [
    "SCHEMA_VERSION",
    "STORE_ENV",
    "RawFile",
    "SnapshotDiff",
    "SnapshotInfo",
    "SnapshotStore",
    "StoreError",
    "default_store_path",
]

SCHEMA_VERSION: Final = 1
"""Version of the database layout this code writes (kept in the ``schema_version`` table)."""

STORE_ENV: Final = "VESSELSCREEN_STORE"
"""Environment variable that overrides the default store path."""

FIRST_SEEN: Final = "first_seen"
LAST_SEEN: Final = "last_seen"

_APP: Final = "vesselscreen"
_FILENAME: Final = "snapshots.sqlite3"
_COMPRESSION: Final = "xz"
_VESSEL: Final = "vessel"
_ENTITY: Final = "entity"

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
"""

_T = TypeVar("_T")


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
    """What the store knows about one snapshot (without its entries).

    ``retrieved_at`` is when the content was downloaded; ``checked_at`` is the last time
    the publisher confirmed it was still current (a 304 or identical bytes).
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


class SnapshotStore:
    """A SQLite database of list snapshots (see the module docstring).

    ``path`` defaults to :func:`default_store_path`; its folder is created. ``timeout``
    is how many seconds a write waits for another process holding the database.

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

    def _initialise(self) -> None:
        with self._connect() as con:
            con.execute("PRAGMA journal_mode = WAL")
        with self._write() as con:
            tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables and "schema_version" not in tables:
                raise StoreError(str(self.path), "an SQLite database, but not a vesselscreen snapshot store")
            # executescript() would COMMIT first; run the statements inside this transaction
            for statement in filter(str.strip, _SCHEMA.split(";")):
                con.execute(statement)
            version = con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
            if version is None:
                con.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
            elif version > SCHEMA_VERSION:
                raise StoreError(
                    str(self.path),
                    f"written by a newer vesselscreen (schema version {version}; this one reads up to "
                    f"{SCHEMA_VERSION}): upgrade vesselscreen",
                )

    # ------------------------------------------------------------------ writing

    def add(
        self, watchlist: Watchlist, files: Sequence[RawFile] = (), *, min_fraction: float = 0.0
    ) -> SnapshotInfo:
        """Store ``watchlist`` (one source) and its raw ``files`` as a new snapshot; return it.

        Content identical to the source's latest snapshot (same SHA-256) adds nothing: that
        snapshot's ``checked_at`` is updated and it is returned. With ``min_fraction`` > 0,
        a watchlist with fewer entries (vessels + entities) than that fraction of the latest
        snapshot's is refused with :class:`~vesselscreen.errors.InputError` and nothing is
        written; the check runs inside the write transaction, so it compares with what
        another process may just have stored.
        """
        sources = watchlist.snapshot.sources
        if len(sources) != 1:
            raise ConfigError(f"a snapshot holds exactly one source; this watchlist has {len(sources)}")
        snap = sources[0]
        main = next((f for f in files if f.role == "main"), files[0] if files else None)
        url = main.url if main is not None else snap.location
        blobs = (_to_parquet(watchlist.vessels), _to_parquet(watchlist.entities))
        packed = [(f, sha256_of([f.data]), _compress(f.data)) for f in files]  # slow part: outside the lock
        total = len(watchlist.vessels) + len(watchlist.entities)
        with self._write() as con:
            latest = self._latest(con, snap.source)
            if latest is not None and latest.sha256 == snap.sha256:
                con.execute(
                    "UPDATE snapshots SET checked_at = ? WHERE id = ?",
                    (_iso(max(snap.retrieved_at, latest.checked_at)), latest.id),
                )
                return self._info(con, latest.id)
            if latest is not None and total < min_fraction * (latest.vessels + latest.entities):
                raise InputError(
                    url,
                    f"implausible list: {total} entries where the last snapshot #{latest.id} "
                    f"({latest.retrieved_at:%Y-%m-%d %H:%M}Z) had {latest.vessels + latest.entities} "
                    f"(the minimum is {min_fraction:.0%} of that); not stored, snapshot #{latest.id} kept",
                )
            retrieved = _iso(snap.retrieved_at)
            cursor = con.execute(
                "INSERT INTO snapshots (source, format, url, retrieved_at, checked_at, sha256, size, vessels,"
                " entities, vessels_parquet, entities_parquet) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (snap.source, snap.format, url, retrieved, retrieved, snap.sha256,
                 sum(len(f.data) for f in files), len(watchlist.vessels), len(watchlist.entities), *blobs),
            )  # fmt: skip
            snapshot_id = cursor.lastrowid
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
            assert snapshot_id is not None  # an INSERT always sets it
            return self._info(con, snapshot_id)

    def mark_checked(self, snapshot_id: int, at: datetime | None = None) -> SnapshotInfo:
        """Record that the publisher confirmed snapshot ``snapshot_id`` is current (e.g. HTTP 304)."""
        with self._write() as con:
            self._info(con, snapshot_id)  # raises for an unknown id
            con.execute("UPDATE snapshots SET checked_at = ? WHERE id = ?", (_iso(at or _now()), snapshot_id))
            return self._info(con, snapshot_id)

    # ------------------------------------------------------------------ reading

    def snapshots(self, source: str | None = None) -> list[SnapshotInfo]:
        """Every snapshot (of ``source`` if given), by source, then oldest first."""
        where, args = ("WHERE source = ?", (source,)) if source is not None else ("", ())
        with self._connect() as con:
            rows = con.execute(
                f"SELECT {_INFO_COLUMNS} FROM snapshots {where} ORDER BY source, retrieved_at, id", args
            ).fetchall()
        return [_row_info(row) for row in rows]

    def sources(self) -> list[str]:
        """The sources that have at least one snapshot, sorted."""
        with self._connect() as con:
            return [row[0] for row in con.execute("SELECT DISTINCT source FROM snapshots ORDER BY source")]

    def latest(self, source: str) -> SnapshotInfo | None:
        """The most recently retrieved snapshot of ``source``, or ``None`` if there is none."""
        with self._connect() as con:
            return self._latest(con, source)

    def info(self, snapshot_id: int) -> SnapshotInfo:
        """Snapshot ``snapshot_id``; an unknown id raises :class:`~vesselscreen.errors.ConfigError`."""
        with self._connect() as con:
            return self._info(con, snapshot_id)

    def files(self, snapshot_id: int) -> list[RawFile]:
        """The raw files of a snapshot, decompressed, exactly as they were downloaded."""
        with self._connect() as con:
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
        """The watchlist of one snapshot, with ``listed_on``, ``first_seen``, ``last_seen`` from history."""
        with self._connect() as con:
            return self._materialise(con, self._info(con, snapshot_id), include_delisted=False)

    def watchlist(
        self,
        as_of: date | datetime | None = None,
        *,
        sources: Sequence[str] | None = None,
        include_delisted: bool = False,
    ) -> Watchlist:
        """What was listed on ``as_of``: the latest snapshot of each source retrieved on or before it.

        ``as_of`` is a date (the whole UTC day counts), an aware datetime, or ``None`` for
        the latest snapshots. ``sources`` limits the sources (default: every source with a
        snapshot by then); a named source without one raises :class:`StoreError`.

        With ``include_delisted``, entries that earlier snapshots had and the chosen one no
        longer has are kept too, as last seen, with ``delisted_on`` set to the day of the
        first snapshot without them (unless the list itself gave a date): screening AIS
        from before that day still finds them designated.

        Every row gets ``first_seen`` and ``last_seen`` (when this store saw the entry; not
        legal dates) after the schema columns.
        """
        cutoff = _cutoff(as_of)
        chosen: dict[str, SnapshotInfo] = {}
        for info in self.snapshots():
            if cutoff is None or info.retrieved_at <= cutoff:
                chosen[info.source] = info  # ordered oldest first: the last one wins
        wanted = list(dict.fromkeys(sources)) if sources is not None else sorted(chosen)
        when = "" if as_of is None else f" retrieved on or before {as_of.isoformat()}"
        missing = [name for name in wanted if name not in chosen]
        if missing or not wanted:
            what = ", ".join(map(repr, missing)) if missing else "any source"
            raise StoreError(str(self.path), f"no snapshot of {what}{when}")
        with self._connect() as con:
            return Watchlist.concat(
                self._materialise(con, chosen[name], include_delisted=include_delisted) for name in wanted
            )

    def entry_history(
        self, source: str | None = None, *, as_of: date | datetime | None = None
    ) -> pd.DataFrame:
        """When each entry was first and last seen, per source, from the snapshots up to ``as_of``.

        Columns: ``source``, ``kind`` (``vessel``/``entity``), ``entry_id``, ``first_seen``,
        ``last_seen`` (retrieval times of the first and last snapshot that had the entry),
        ``listed`` (in the source's latest snapshot), ``delisted_at`` (retrieval time of
        the first snapshot after ``last_seen``, NaT while listed).
        """
        cutoff = _cutoff(as_of)
        with self._connect() as con:
            names = [source] if source is not None else [row[0] for row in con.execute(
                "SELECT DISTINCT source FROM snapshots ORDER BY source")]  # fmt: skip
            frames = [self._history(con, name, cutoff).assign(source=name) for name in names]
        columns = ["source", "kind", WATCHLIST.ENTRY_ID, FIRST_SEEN, LAST_SEEN, "listed", "delisted_at"]
        if not frames:
            return self._history_frame([]).assign(source=pd.Series(dtype="string"))[columns]
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
        with self._connect() as con:
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

    def _latest(self, con: sqlite3.Connection, source: str) -> SnapshotInfo | None:
        row = con.execute(
            f"SELECT {_INFO_COLUMNS} FROM snapshots WHERE source = ?"
            " ORDER BY retrieved_at DESC, id DESC LIMIT 1",
            (source,),
        ).fetchone()
        return None if row is None else _row_info(row)

    def _frames(self, con: sqlite3.Connection, info: SnapshotInfo) -> tuple[pd.DataFrame, pd.DataFrame]:
        row = con.execute(
            "SELECT vessels_parquet, entities_parquet FROM snapshots WHERE id = ?", (info.id,)
        ).fetchone()
        try:
            wl = Watchlist(_from_parquet(row[0]), _from_parquet(row[1]))
        except (OSError, ValueError) as exc:
            raise StoreError(str(self.path), f"the entries of snapshot #{info.id} are corrupted") from exc
        return wl.vessels, wl.entities

    @staticmethod
    def _history_frame(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
        frame = pd.DataFrame(rows, columns=["kind", WATCHLIST.ENTRY_ID, FIRST_SEEN, LAST_SEEN])
        frame["kind"] = frame["kind"].astype("string")
        frame[WATCHLIST.ENTRY_ID] = frame[WATCHLIST.ENTRY_ID].astype("string")
        for name in (FIRST_SEEN, LAST_SEEN):
            frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601").astype(
                "datetime64[ns, UTC]"
            )
        return frame

    def _history(self, con: sqlite3.Connection, source: str, cutoff: datetime | None) -> pd.DataFrame:
        limit = _iso(cutoff) if cutoff is not None else "9999"
        rows = con.execute(
            "SELECT e.kind, e.entry_id, MIN(s.retrieved_at), MAX(s.retrieved_at) FROM entries e"
            " JOIN snapshots s ON s.id = e.snapshot_id WHERE s.source = ? AND s.retrieved_at <= ?"
            " GROUP BY e.kind, e.entry_id",
            (source, limit),
        ).fetchall()
        frame = self._history_frame(rows)
        found = con.execute(
            "SELECT DISTINCT retrieved_at FROM snapshots WHERE source = ? AND retrieved_at <= ?"
            " ORDER BY retrieved_at",
            (source, limit),
        ).fetchall()
        times = pd.to_datetime([row[0] for row in found], utc=True, format="ISO8601").astype(
            "datetime64[ns, UTC]"
        )
        latest = times[-1] if len(times) else pd.NaT
        frame["listed"] = (frame[LAST_SEEN] == latest).astype("boolean")
        # the first snapshot after last_seen is when the store first saw the entry gone
        position = np.searchsorted(times.to_numpy(), frame[LAST_SEEN].to_numpy(), side="right")
        after = pd.Series(times, dtype="datetime64[ns, UTC]").reindex(position)
        frame["delisted_at"] = pd.Series(after.to_numpy(), index=frame.index, dtype="datetime64[ns, UTC]")
        return frame

    def _materialise(
        self, con: sqlite3.Connection, info: SnapshotInfo, *, include_delisted: bool
    ) -> Watchlist:
        """One snapshot's watchlist with history columns; optionally plus entries gone since."""
        history = self._history(con, info.source, info.retrieved_at)
        first_snapshot = pd.Timestamp(history[FIRST_SEEN].min()) if len(history) else None
        vessels, entities = self._frames(con, info)
        frames = {_VESSEL: [vessels], _ENTITY: [entities]}
        if include_delisted:
            gone = history.loc[history[LAST_SEEN] < info.retrieved_at]
            rows = con.execute(
                f"SELECT {_INFO_COLUMNS} FROM snapshots WHERE source = ? ORDER BY retrieved_at, id",
                (info.source,),
            ).fetchall()
            # keyed by nanoseconds since the epoch, as LAST_SEEN holds them
            by_time = {pd.Timestamp(i.retrieved_at).value: i for i in map(_row_info, rows)}
            last_seen = gone[LAST_SEEN].astype("int64")
            for moment in last_seen.unique():
                old_vessels, old_entities = self._frames(con, by_time[int(moment)])
                group = gone.loc[last_seen == moment]
                for kind, old in ((_VESSEL, old_vessels), (_ENTITY, old_entities)):
                    ids = group.loc[group["kind"] == kind, WATCHLIST.ENTRY_ID]
                    frames[kind].append(old.loc[old[WATCHLIST.ENTRY_ID].isin(ids)])
        out = {}
        for kind, parts in frames.items():
            frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
            out[kind] = _with_history(frame, history.loc[history["kind"] == kind], first_snapshot)
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


def _with_history(
    frame: pd.DataFrame, history: pd.DataFrame, first_snapshot: pd.Timestamp | None
) -> pd.DataFrame:
    """Add first_seen/last_seen; fill missing listed_on/delisted_on from them (see module docstring)."""
    seen = history[[WATCHLIST.ENTRY_ID, FIRST_SEEN, LAST_SEEN, "delisted_at"]].drop_duplicates(
        WATCHLIST.ENTRY_ID
    )
    merged = frame.merge(seen, on=WATCHLIST.ENTRY_ID, how="left", validate="many_to_one")
    delisted = merged.pop("delisted_at").dt.floor("D").set_axis(frame.index)
    out = merged.set_axis(frame.index)
    # an entry in the source's first snapshot was listed at some unknown earlier time
    first = out[FIRST_SEEN]
    later = first > first_snapshot if first_snapshot is not None else pd.Series(False, index=first.index)
    appeared = first.where(later).dt.floor("D")
    out[WATCHLIST.LISTED_ON] = out[WATCHLIST.LISTED_ON].fillna(appeared)
    if WATCHLIST.DELISTED_ON in out:  # entities have no delisted_on column
        out[WATCHLIST.DELISTED_ON] = out[WATCHLIST.DELISTED_ON].fillna(delisted)
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
