"""Backfilling the snapshot store from dated copies of a list you already keep.

A list without dates (OFAC's legacy ``sdn.csv``) is dated only by the store's history,
and the store only learns going forward. Importing the copies you archived, each with
the time it was downloaded, gives that history a past: every copy becomes an
observation at its time (see :mod:`vesselscreen.lists.store`), in any order.

Three ways to say when each copy is from:

- one file and its time: :func:`import_file` (``vesselscreen lists import FILE --as-of``);
- a folder of files dated by their names: :func:`import_folder`; the first date in a
  name is used (:data:`NAME_DATE`): ``YYYY-MM-DD`` or ``YYYYMMDD``, optionally followed
  by ``T`` and ``HHMM``, ``HH-MM``, ``HH:MM`` or with seconds, optionally ``Z``, always
  UTC; a date alone means 00:00 UTC. E.g. ``sdn_2024-09-11.csv``,
  ``SDN-20240911T0600Z.CSV``;
- a manifest CSV with columns ``path``, ``source``, ``retrieved_at`` (and optionally
  ``format``): :func:`import_manifest`. Relative paths are relative to the manifest;
  ``retrieved_at`` is ISO 8601 with an offset (``2024-09-11T06:00Z``) or a date.

Each file is read alone (an OFAC ``sdn.csv`` copy without its ``alt.csv``/``add.csv``),
parsed and checked as a download would be, and refused with a
:class:`~vesselscreen.errors.VesselScreenError` if it is empty, not a list, dated in the
future, or implausibly smaller than the copy before it.

>>> date_from_name("sdn_2024-09-11.csv").isoformat()
'2024-09-11T00:00:00+00:00'
>>> date_from_name("SDN-20240911T0600Z.CSV").isoformat()
'2024-09-11T06:00:00+00:00'
>>> date_from_name("sdn.csv") is None
True
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Final, Literal

from vesselscreen.errors import ConfigError, FormatError, InputError, SourceNotFoundError, VesselScreenError
from vesselscreen.lists._download import DEFAULT_MAX_BYTES
from vesselscreen.lists.fetch import SOURCES, ListSpec, _parse
from vesselscreen.lists.store import RawFile, SnapshotInfo, SnapshotStore, _observed

__all__ = [
    "MANIFEST_COLUMNS",
    "NAME_DATE",
    "DatedCopy",
    "ImportResult",
    "date_from_name",
    "folder_copies",
    "import_copies",
    "import_file",
    "import_folder",
    "import_manifest",
    "manifest_copies",
    "parse_time",
]

NAME_DATE: Final = re.compile(
    r"(?<!\d)(?P<y>\d{4})-?(?P<m>\d{2})-?(?P<d>\d{2})"
    r"(?:T(?P<H>\d{2})[-:]?(?P<M>\d{2})(?:[-:]?(?P<S>\d{2}))?Z?)?(?!\d)"
)
"""The date (and optional UTC time) in a file name: see the module docstring."""

MANIFEST_COLUMNS: Final = ("path", "source", "retrieved_at")
"""Required columns of a manifest CSV (``format`` is optional)."""


@dataclass(frozen=True, slots=True)
class DatedCopy:
    """One file to import: which source it is a copy of, and when it was current."""

    path: Path
    source: str
    retrieved_at: datetime
    format: str | None = None


@dataclass(frozen=True, slots=True)
class ImportResult:
    """One imported copy: where from, which source, its time, and the snapshot it now belongs to.

    ``status``: ``"added"`` (new content, a new snapshot) or ``"seen"`` (content the
    store already had: one more dated observation of that snapshot).
    """

    path: Path
    source: str
    retrieved_at: datetime
    status: Literal["added", "seen"]
    snapshot: SnapshotInfo

    def summary(self) -> str:
        """One line, e.g. ``2024-09-11 06:00Z ofac_sdn sdn_2024-09-11.csv: new snapshot #2 (...)``."""
        s = self.snapshot
        what = "new snapshot" if self.status == "added" else "same content as snapshot"
        return (
            f"{self.retrieved_at:%Y-%m-%d %H:%M}Z {self.source} {self.path.name}: {what} #{s.id} "
            f"({s.vessels} vessels, {s.entities} entities, sha256 {s.sha256[:12]})"
        )


def parse_time(text: str, *, what: str = "time") -> datetime:
    """An ISO 8601 time with an offset (``Z`` allowed), or a date meaning 00:00 UTC.

    >>> parse_time("2024-09-11T06:00Z").isoformat(), parse_time("2024-09-11").isoformat()
    ('2024-09-11T06:00:00+00:00', '2024-09-11T00:00:00+00:00')
    """
    value = text.strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise ConfigError(f"{what}: not an ISO 8601 date or time: {text!r}") from exc
    if moment.tzinfo is None:
        raise ConfigError(f"{what}: {text!r} needs a UTC offset (e.g. {value}Z)")
    return moment.astimezone(UTC)


def date_from_name(name: str) -> datetime | None:
    """The UTC time a file name carries (:data:`NAME_DATE`), or ``None`` if it has none."""
    found = NAME_DATE.search(name)
    if found is None:
        return None
    parts = {key: int(value) if value else 0 for key, value in found.groupdict().items()}
    try:
        return datetime(parts["y"], parts["m"], parts["d"], parts["H"], parts["M"], parts["S"], tzinfo=UTC)
    except ValueError:
        return None


def _spec(source: str, location: str, format: str | None) -> ListSpec:
    base = SOURCES.get(source)
    spec = replace(base, url=location, companions={}) if base is not None else ListSpec(source, location)
    return replace(spec, format=format) if format is not None else spec


def _when(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return _observed(value)  # the store's rule: aware, not in the future
    return _observed(datetime.combine(value, datetime.min.time(), tzinfo=UTC))


def import_file(
    store: SnapshotStore,
    path: str | Path,
    *,
    source: str,
    retrieved_at: date | datetime,
    format: str | None = None,
    min_fraction: float = 0.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ImportResult:
    """Import one dated copy of ``source`` into ``store`` as observed at ``retrieved_at``.

    ``retrieved_at`` is an aware datetime (naive ones and times in the future are
    refused) or a date (00:00 UTC). ``format`` as in
    :func:`~vesselscreen.lists.load_watchlist` (default: the registry's for a built-in
    source, else sniffed). ``min_fraction`` as in :meth:`SnapshotStore.add`. A file
    larger than ``max_bytes`` is refused.
    """
    when = _when(retrieved_at)
    file = Path(path)
    location = str(file.resolve())
    try:
        size = file.stat().st_size
        if size > max_bytes:
            raise InputError(location, f"{size:,} bytes, over the size cap of {max_bytes:,} bytes")
        data = file.read_bytes()
    except FileNotFoundError as exc:
        raise SourceNotFoundError(str(file), "no such file") from exc
    except IsADirectoryError as exc:
        raise SourceNotFoundError(str(file), "is a directory, not a file") from exc
    except OSError as exc:
        raise InputError(str(file), f"cannot be read: {exc.strerror or exc}") from exc
    raw = RawFile("main", location, data)
    watchlist = _parse(_spec(source, location, format), [raw], when)
    known = {s.id for s in store.snapshots(source)}
    info = store.add(watchlist, [raw], retrieved_at=when, min_fraction=min_fraction)
    return ImportResult(file, source, when.astimezone(UTC), "seen" if info.id in known else "added", info)


def _files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    except FileNotFoundError as exc:
        raise SourceNotFoundError(str(folder), "no such folder") from exc
    except NotADirectoryError as exc:
        raise SourceNotFoundError(str(folder), "not a folder") from exc


def folder_copies(folder: str | Path, *, source: str, format: str | None = None) -> list[DatedCopy]:
    """The files of ``folder`` (not hidden ones, not sub-folders) dated by their names, oldest first.

    A file without a date in its name is refused (all of them named at once).
    """
    base = Path(folder)
    files = _files(base)
    dated = [(date_from_name(p.name), p) for p in files]
    undated = [p.name for when, p in dated if when is None]
    if undated:
        raise ConfigError(
            f"{base}: no date in the name of {', '.join(undated)}; name copies like sdn_2024-09-11.csv "
            "or sdn_20240911T0600Z.csv, or list them in a manifest (path, source, retrieved_at)"
        )
    if not files:
        raise ConfigError(f"{base}: no files to import")
    return _ordered(DatedCopy(p, source, when, format) for when, p in dated if when is not None)


def manifest_copies(manifest: str | Path) -> list[DatedCopy]:
    """The files a manifest CSV lists (``path``, ``source``, ``retrieved_at``[, ``format``]), oldest first.

    Every row is checked before anything is returned, and all problems are reported at once.
    """
    where = Path(manifest)
    try:
        text = where.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise SourceNotFoundError(str(where), "no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(where), f"cannot be read: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in MANIFEST_COLUMNS if name not in header]
    if missing:
        raise FormatError(str(where), f"a manifest needs the columns {', '.join(MANIFEST_COLUMNS)}; "
                                      f"missing: {', '.join(missing)}")  # fmt: skip
    copies: list[DatedCopy] = []
    problems: list[str] = []
    for line, row in enumerate(reader, start=2):
        cells = {(k or "").strip(): (v or "").strip() for k, v in row.items() if isinstance(v, str | None)}
        if not any(cells.values()):
            continue
        if not cells.get("path") or not cells.get("source"):
            problems.append(f"line {line}: path and source are required")
            continue
        try:
            when = parse_time(cells.get("retrieved_at", ""), what=f"line {line} retrieved_at")
        except ConfigError as exc:
            problems.append(str(exc))
            continue
        path = Path(cells["path"])
        copies.append(DatedCopy(path if path.is_absolute() else where.parent / path, cells["source"], when,
                                cells.get("format") or None))  # fmt: skip
    if problems:
        raise FormatError(str(where), "; ".join(problems))
    if not copies:
        raise FormatError(str(where), "the manifest lists no files")
    return _ordered(copies)


def _ordered(copies: Iterable[DatedCopy]) -> list[DatedCopy]:
    """Oldest first; two copies of one source at the same time are refused."""
    out = sorted(copies, key=lambda c: (c.retrieved_at, c.source, str(c.path)))
    for a, b in itertools.pairwise(out):
        if (a.source, a.retrieved_at) == (b.source, b.retrieved_at):
            raise ConfigError(
                f"{a.path.name} and {b.path.name} are both {a.source} at "
                f"{a.retrieved_at:%Y-%m-%d %H:%M:%S}Z: give each copy its own time"
            )
    return out


def import_copies(
    store: SnapshotStore,
    copies: Iterable[DatedCopy],
    *,
    min_fraction: float = 0.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[ImportResult]:
    """Import each copy (oldest first); every one is attempted, then the first failure is raised.

    Later failures are attached to it as notes; the copies that succeeded stay imported.
    """
    results: list[ImportResult] = []
    failures: list[VesselScreenError] = []
    for copy in _ordered(copies):
        try:
            results.append(import_file(store, copy.path, source=copy.source, retrieved_at=copy.retrieved_at,
                                       format=copy.format, min_fraction=min_fraction,
                                       max_bytes=max_bytes))  # fmt: skip
        except VesselScreenError as exc:
            failures.append(exc)
    if failures:
        first = failures[0]
        for other in failures[1:]:
            first.add_note(f"also failed: {other}")
        raise first
    return results


def import_folder(
    store: SnapshotStore,
    folder: str | Path,
    *,
    source: str,
    format: str | None = None,
    min_fraction: float = 0.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[ImportResult]:
    """Import every file of ``folder`` dated by its name (:func:`folder_copies`, :func:`import_copies`)."""
    copies = folder_copies(folder, source=source, format=format)
    return import_copies(store, copies, min_fraction=min_fraction, max_bytes=max_bytes)


def import_manifest(
    store: SnapshotStore,
    manifest: str | Path,
    *,
    min_fraction: float = 0.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[ImportResult]:
    """Import the files a manifest lists (:func:`manifest_copies`, :func:`import_copies`)."""
    return import_copies(store, manifest_copies(manifest), min_fraction=min_fraction, max_bytes=max_bytes)
