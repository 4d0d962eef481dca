"""The :class:`Watchlist`: listed vessels and parties as frames, with where they came from.

A watchlist is two frames and their provenance:

- ``vessels``: one row per listed vessel per list, columns ``schema.WATCHLIST``
  (``imo``/``mmsi`` Int64, ``flag`` and ``former_flags`` ISO 3166-1 alpha-2,
  ``listed_on``/``delisted_on`` midnight-UTC timestamps or NaT, list columns hold
  Python lists of str, never ``None``);
- ``entities``: listed parties that are not vessels (companies, individuals,
  aircraft...), columns ``schema.ENTITY``;
- ``snapshot``: which sources were read, from where, when, and the SHA-256 of their bytes;
- ``reports``: one :class:`~vesselscreen.ingest.IngestReport` per file read: its records,
  accepted, rejected (with reasons and lines) and merged (into which entry), and the
  values flagged; :meth:`Watchlist.summary` sums them up in one line.

>>> import pandas as pd
>>> wl = Watchlist.from_frames(pd.DataFrame({"name": ["PORT OLYA-3"], "flag": ["RU"]}), source="demo")
>>> len(wl), wl.vessels.loc[0, "entry_id"], wl.vessels.loc[0, "aliases"]
(1, 'demo:1', [])
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from vesselscreen.ingest import IngestReport
from vesselscreen.schema import (
    ENTITY,
    ENTITY_DTYPES,
    LIST,
    WATCHLIST,
    WATCHLIST_DTYPES,
    conform,
    empty_frame,
)

__all__ = ["SourceSnapshot", "Watchlist", "WatchlistSnapshot"]


class SourceSnapshot(BaseModel):
    """One source read into a watchlist: what, from where, when, and a hash of its bytes.

    ``retrieved_at`` must be timezone-aware and is stored in UTC.

    >>> from datetime import datetime, timezone, timedelta
    >>> s = SourceSnapshot(source="ofac_sdn", format="ofac_csv", location="sdn.csv",
    ...                    retrieved_at=datetime(2024, 5, 3, 14, tzinfo=timezone(timedelta(hours=2))),
    ...                    sha256="0" * 64, vessels=80, entities=60)
    >>> s.retrieved_at.isoformat()
    '2024-05-03T12:00:00+00:00'
    """

    model_config = ConfigDict(frozen=True)

    source: str
    format: str
    location: str
    retrieved_at: AwareDatetime
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    vessels: int = Field(ge=0)
    entities: int = Field(ge=0)

    @field_validator("retrieved_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


class WatchlistSnapshot(BaseModel):
    """The sources a watchlist was built from; :attr:`id` names the combination of contents.

    >>> WatchlistSnapshot().id
    'e3b0c44298fc'
    """

    model_config = ConfigDict(frozen=True)

    sources: tuple[SourceSnapshot, ...] = ()

    @property
    def id(self) -> str:
        """12 hex characters derived from the sorted source hashes.

        The same list contents give the same id whenever and from wherever they were
        read, and in whatever order the sources were combined.
        """
        joined = "".join(sorted(s.sha256 for s in self.sources))
        return hashlib.sha256(joined.encode("ascii")).hexdigest()[:12]


def _lists_not_none(frame: pd.DataFrame, dtypes: Mapping[str, str]) -> pd.DataFrame:
    """Replace missing cells of list columns by empty lists (so code can always iterate them)."""
    out = frame.copy()
    for name, dtype in dtypes.items():
        if dtype == LIST:
            out[name] = pd.Series([_as_list(value) for value in out[name]], index=out.index, dtype=object)
    return out


def _as_list(value: object) -> list[str]:
    if isinstance(value, list | tuple | np.ndarray):  # arrays: lists after a Parquet round trip
        return [str(v) for v in value]
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return []
    return [str(value)]


class Watchlist:
    """Listed vessels (``vessels``) and other listed parties (``entities``), with provenance.

    Build one with :func:`vesselscreen.lists.load_watchlist`, a format reader, or
    :meth:`from_frames`. Frames passed to the constructor are conformed to
    ``WATCHLIST_DTYPES`` / ``ENTITY_DTYPES`` (missing columns added as NA, extra columns
    kept after them) and re-indexed from 0.

    Treat ``vessels`` and ``entities`` as read-only: to change a list, edit a copy and build
    a new Watchlist from it. Screening keeps the work it derives from these frames
    (normalised names, identifier sets) for as long as the frame objects live, and notices
    a change of length or columns, not an edited cell.
    """

    __slots__ = ("entities", "reports", "snapshot", "vessels")

    vessels: pd.DataFrame
    entities: pd.DataFrame
    snapshot: WatchlistSnapshot
    reports: tuple[IngestReport, ...]

    def __init__(
        self,
        vessels: pd.DataFrame,
        entities: pd.DataFrame | None = None,
        *,
        snapshot: WatchlistSnapshot | None = None,
        reports: Iterable[IngestReport] = (),
    ) -> None:
        self.vessels = _lists_not_none(
            conform(vessels.reset_index(drop=True), WATCHLIST_DTYPES), WATCHLIST_DTYPES
        )
        ent = empty_frame(ENTITY_DTYPES) if entities is None else entities.reset_index(drop=True)
        self.entities = _lists_not_none(conform(ent, ENTITY_DTYPES), ENTITY_DTYPES)
        self.snapshot = snapshot if snapshot is not None else WatchlistSnapshot()
        self.reports = tuple(reports)

    @classmethod
    def from_frames(
        cls,
        vessels: pd.DataFrame,
        entities: pd.DataFrame | None = None,
        *,
        source: str = "custom",
        location: str = "<frames>",
        retrieved_at: datetime | None = None,
    ) -> Watchlist:
        """A watchlist from frames built in code.

        Missing ``source`` cells get ``source``; missing ``entry_id`` cells get
        ``"<source>:<row number>"`` (1-based, per frame). The snapshot hash is taken over
        the frames' CSV rendering, so equal frames give equal snapshot ids.

        >>> import pandas as pd
        >>> wl = Watchlist.from_frames(pd.DataFrame({"name": ["ARTAVIL"], "imo": [9187629]}))
        >>> wl.vessels[["entry_id", "source", "name", "imo"]].to_dict("records")
        [{'entry_id': 'custom:1', 'source': 'custom', 'name': 'ARTAVIL', 'imo': 9187629}]
        """
        frames = {"vessels": vessels, "entities": entities}
        filled: dict[str, pd.DataFrame] = {}
        for kind, frame in frames.items():
            if frame is None:
                continue
            dtypes = WATCHLIST_DTYPES if kind == "vessels" else ENTITY_DTYPES
            # WATCHLIST and ENTITY share these two column names
            source_col, id_col = WATCHLIST.SOURCE, WATCHLIST.ENTRY_ID
            out = conform(frame.reset_index(drop=True), dtypes)
            out[source_col] = out[source_col].fillna(source)
            row_numbers = pd.Series(range(1, len(out) + 1), index=out.index).astype("string")
            out[id_col] = out[id_col].fillna(out[source_col] + ":" + row_numbers)
            if kind == "entities":
                out[ENTITY.ENTITY_TYPE] = out[ENTITY.ENTITY_TYPE].fillna("entity")
            filled[kind] = out
        wl = cls(filled["vessels"], filled.get("entities"))
        rendered = wl.vessels.to_csv(index=False) + "\n" + wl.entities.to_csv(index=False)
        snap = SourceSnapshot(
            source=source,
            format="frames",
            location=location,
            retrieved_at=retrieved_at or datetime.now(UTC),
            sha256=hashlib.sha256(rendered.encode("utf-8")).hexdigest(),
            vessels=len(wl.vessels),
            entities=len(wl.entities),
        )
        wl.snapshot = WatchlistSnapshot(sources=(snap,))
        return wl

    @classmethod
    def concat(cls, watchlists: Iterable[Watchlist]) -> Watchlist:
        """One watchlist holding every entry of ``watchlists``, in order, with their sources.

        Entries keep their ``entry_id`` and ``source``; nothing is de-duplicated (the same
        vessel on two lists is two entries, which is what screening should report).

        >>> import pandas as pd
        >>> a = Watchlist.from_frames(pd.DataFrame({"name": ["A"]}), source="a")
        >>> b = Watchlist.from_frames(pd.DataFrame({"name": ["B"]}), source="b")
        >>> Watchlist.concat([a, b]).vessels["entry_id"].tolist()
        ['a:1', 'b:1']
        """
        items = list(watchlists)
        vessels = [w.vessels for w in items if len(w.vessels)]
        entities = [w.entities for w in items if len(w.entities)]
        return cls(
            pd.concat(vessels, ignore_index=True) if vessels else empty_frame(WATCHLIST_DTYPES),
            pd.concat(entities, ignore_index=True) if entities else empty_frame(ENTITY_DTYPES),
            snapshot=WatchlistSnapshot(sources=tuple(s for w in items for s in w.snapshot.sources)),
            reports=tuple(r for w in items for r in w.reports),
        )

    def __len__(self) -> int:
        """The number of listed vessels."""
        return len(self.vessels)

    def summary(self) -> str:
        """One line: what the watchlist holds and the accounts of every file read into it.

        ``records == accepted + rejected + merged`` over all files; ``flagged`` counts values
        kept but flagged (an invalid IMO, an unknown country, a line not in UTF-8...).

        >>> import vesselscreen as vs
        >>> vs.load_watchlist(b"entry_id,name\\nA,TIFON\\nA,TIFON II\\nB,\\n").summary()
        '1 vessels, 0 entities from custom: 3 records in 1 file, 1 accepted, 1 rejected, 1 merged, 0 flagged'
        """
        reports = self.reports
        names = ", ".join(dict.fromkeys(s.source for s in self.snapshot.sources)) or "no source"
        files = f"{len(reports)} file" + ("s" if len(reports) != 1 else "")
        return (
            f"{len(self.vessels)} vessels, {len(self.entities)} entities from {names}: "
            f"{sum(r.records for r in reports)} records in {files}, "
            f"{sum(r.accepted for r in reports)} accepted, {sum(r.rejected for r in reports)} rejected, "
            f"{sum(r.merged for r in reports)} merged, "
            f"{sum(sum(r.warnings.values()) for r in reports)} flagged"
        )

    def __repr__(self) -> str:
        """E.g. ``<Watchlist 80 vessels, 60 entities from ofac_sdn (snapshot 1a2b3c4d5e6f)>``.

        >>> Watchlist(empty_frame(WATCHLIST_DTYPES))
        <Watchlist 0 vessels, 0 entities from no source (snapshot e3b0c44298fc)>
        """
        names = ", ".join(dict.fromkeys(s.source for s in self.snapshot.sources)) or "no source"
        return (
            f"<Watchlist {len(self.vessels)} vessels, {len(self.entities)} entities "
            f"from {names} (snapshot {self.snapshot.id})>"
        )

    def _repr_html_(self) -> str:
        """Notebook display: snapshot id, sources (with hashes), counts and the first rows."""
        from vesselscreen.report.html import watchlist_html

        return watchlist_html(self)
