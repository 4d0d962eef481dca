"""The identity timeline: which identity each MMSI broadcast, when, and when it changed.

:func:`identity_timeline` turns a positions frame into two frames:

``intervals`` (one row per MMSI per run of one identity, in time order):
``mmsi`` · ``imo`` · ``name`` · ``call_sign`` · ``ship_type`` · ``flag`` (ISO2 from
the MMSI's MID: who assigned the number, not proof of the flag) · ``first_seen``,
``last_seen`` (UTC) · ``n_positions``. An interval ends where any of ``imo``,
``name``, ``call_sign`` or ``ship_type`` changes; a missing value continues the last
one broadcast (AIS static data is sent every few minutes, positions every few
seconds). Join it to events on ``mmsi`` and ``first_seen <= time <= last_seen``.

``changes`` (one row per change, in time order): ``kind`` · ``time`` (first report of
the new identity) · ``mmsi`` · ``imo`` · ``field`` · ``before`` · ``after`` ·
``detail``. The kinds:

- ``reflagged``: an IMO number seen under a new MMSI whose MID gives another flag;
- ``new_mmsi``: an IMO number seen under a new MMSI of the same flag;
- ``imo_change``: an MMSI broadcasting a different IMO number than before (MMSI reuse
  after a sale, or spoofing when it alternates);
- ``name_change`` and ``call_sign_change``: an MMSI broadcasting a new name or call
  sign (both values present).

>>> positions = pd.DataFrame({
...     "mmsi": [273345000, 273345000, 422012300],
...     "timestamp": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"], utc=True),
...     "imo": [9187629, 9187629, 9187629], "name": ["OCEAN", "OCEAN", "SEA STAR"],
...     "call_sign": ["UBAB2", "UBAB2", "9BXY"], "ship_type": [80, 80, 80]})
>>> timeline = identity_timeline(positions)
>>> timeline.intervals[["mmsi", "name", "flag", "n_positions"]].values.tolist()
[[273345000, 'OCEAN', 'RU', 2], [422012300, 'SEA STAR', 'IR', 1]]
>>> timeline.changes[["kind", "mmsi", "before", "after"]].to_dict("records")
[{'kind': 'reflagged', 'mmsi': 422012300, 'before': '273345000', 'after': '422012300'}]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from vesselscreen._sorting import vessel_time_order
from vesselscreen.errors import ReferenceTimeError, SchemaError
from vesselscreen.identifiers import mmsi_flags, normalize_name
from vesselscreen.schema import (
    CHANGE,
    CHANGE_DTYPES,
    IDENTITY,
    INTERVAL,
    INTERVAL_DTYPES,
    POSITION,
    empty_frame,
)

__all__ = [
    "CHANGE",
    "CHANGE_DTYPES",
    "INTERVAL",
    "INTERVAL_DTYPES",
    "IdentityTimeline",
    "identity_intervals",
    "identity_timeline",
    "imo_changes",
    "mmsi_changes",
    "timeline_of_intervals",
]


_TRACKED: Final = (INTERVAL.IMO, INTERVAL.NAME, INTERVAL.CALL_SIGN, INTERVAL.SHIP_TYPE)


@dataclass(frozen=True)
class IdentityTimeline:
    """The identity intervals of every MMSI and the changes between them (see the module)."""

    intervals: pd.DataFrame
    changes: pd.DataFrame

    @cached_property
    def identities(self) -> pd.DataFrame:
        """The distinct identities (mmsi, imo, name, call sign) broadcast, each over all its intervals.

        Screening matches these rows: one row per identity, with ``first_seen``/``last_seen``
        (the first and last report of any of its intervals), ``n_positions``, ``flag`` (from
        the MMSI's MID) and ``name_key`` (the normalised name).

        >>> positions = pd.DataFrame({"mmsi": [273345000] * 3,
        ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"], utc=True),
        ...     "name": ["OCEAN", None, "OCEAN"]})
        >>> identity_timeline(positions).identities[["mmsi", "name", "n_positions"]].values.tolist()
        [[273345000, 'OCEAN', 3]]
        """
        keys = [INTERVAL.MMSI, INTERVAL.IMO, INTERVAL.NAME, INTERVAL.CALL_SIGN]
        grouped = self.intervals.groupby(keys, dropna=False, sort=True, observed=True)
        out = grouped.agg(
            **{
                IDENTITY.FIRST_SEEN: (INTERVAL.FIRST_SEEN, "min"),
                IDENTITY.LAST_SEEN: (INTERVAL.LAST_SEEN, "max"),
                IDENTITY.N_POSITIONS: (INTERVAL.N_POSITIONS, "sum"),
                IDENTITY.SHIP_TYPE: (INTERVAL.SHIP_TYPE, "last"),
            }
        ).reset_index()
        # each distinct name normalised once (names repeat over a vessel's identities)
        codes, names = pd.factorize(out[INTERVAL.NAME].astype("string"))  # a missing name: -1
        name_keys = np.array([*(normalize_name(name) for name in names.tolist()), None], dtype=object)
        out[IDENTITY.NAME_KEY] = pd.array(name_keys[codes], dtype="string")
        out[IDENTITY.FLAG] = mmsi_flags(out[INTERVAL.MMSI].astype("Int64"))
        out[IDENTITY.N_POSITIONS] = out[IDENTITY.N_POSITIONS].astype("int64")
        types = {INTERVAL.MMSI: "Int64", INTERVAL.IMO: "Int64", IDENTITY.SHIP_TYPE: "Int16"}
        return out.astype(types).reset_index(drop=True)

    def of_mmsi(self, mmsi: int) -> pd.DataFrame:
        """The intervals of one MMSI, in time order."""
        return self.intervals[self.intervals[INTERVAL.MMSI] == mmsi].reset_index(drop=True)

    def of_imo(self, imo: int) -> pd.DataFrame:
        """Every interval in which some MMSI broadcast this IMO number, in time order."""
        rows = self.intervals[self.intervals[INTERVAL.IMO] == imo]
        return rows.sort_values(INTERVAL.FIRST_SEEN, kind="stable").reset_index(drop=True)


def _in_time_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows by MMSI and time; rows sharing both by content, so input order never matters."""
    order = vessel_time_order(
        frame[[INTERVAL.MMSI, POSITION.TIMESTAMP, *_TRACKED]], INTERVAL.MMSI, POSITION.TIMESTAMP
    )
    if (order == np.arange(len(order))).all():
        return frame.reset_index(drop=True)  # already in order (screening hands over a sorted track)
    return frame.take(order).reset_index(drop=True)


def _intervals(positions: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            INTERVAL.MMSI: positions[POSITION.MMSI].astype("Int64"),
            POSITION.TIMESTAMP: positions[POSITION.TIMESTAMP],
            **{column: positions[column] if column in positions.columns else pd.NA for column in _TRACKED},
        }
    )
    frame = frame.astype({c: INTERVAL_DTYPES[c] for c in _TRACKED})
    timed = frame[INTERVAL.MMSI].notna() & frame[POSITION.TIMESTAMP].notna()
    if not timed.all():  # a screening's rows are all timed: no copy of them then
        frame = frame[timed]
        if frame.empty:
            return empty_frame(INTERVAL_DTYPES)
    frame = _in_time_order(frame)
    mmsi = frame[INTERVAL.MMSI].to_numpy(dtype=np.int64)
    n = len(frame)
    new_mmsi = np.ones(n, dtype=bool)
    new_mmsi[1:] = mmsi[1:] != mmsi[:-1]
    vessel = np.cumsum(new_mmsi) - 1  # 0, 1, ... per MMSI
    first_row = np.flatnonzero(new_mmsi)
    changed = new_mmsi.copy()
    reported: dict[str, npt.NDArray[np.int64] | None] = {}  # None: on every row
    for column in _TRACKED:
        # a missing value continues the last one the MMSI broadcast (static data is sparse), so
        # the identity can only change at a row that reports the field: one that differs
        # from the MMSI's previous report of it, or is its first
        values = frame[column]
        present = values.notna().to_numpy(dtype=bool)
        if present.all():  # reported on every row (MarineCadastre repeats static data)
            reported[column] = None
            said_all = values.to_numpy(dtype=np.int64) if values.dtype.kind in "iu" else values.array
            changed[1:] |= np.asarray(said_all[1:] != said_all[:-1], dtype=bool)  # first rows changed already
            continue
        rows = reported[column] = np.flatnonzero(present)
        if len(rows) == 0:
            continue
        if values.dtype.kind in "iu":  # numbers compare as plain integers (the NAs are not among rows)
            said = values.to_numpy(dtype=np.int64, na_value=0)[rows]
        else:
            said = values.array.take(rows)
        differs = np.ones(len(rows), dtype=bool)
        differs[1:] = np.asarray(said[1:] != said[:-1], dtype=bool)
        differs[1:] |= vessel[rows[1:]] != vessel[rows[:-1]]
        changed[rows[differs]] = True
    start = np.flatnonzero(changed)
    end = np.append(start[1:], n) - 1
    ts = frame[POSITION.TIMESTAMP]
    intervals = pd.DataFrame({INTERVAL.MMSI: frame[INTERVAL.MMSI].take(start).to_numpy()})
    for column in _TRACKED:
        # the MMSI's last report of the field at or before the interval's first row, if any
        at = reported[column]
        if at is None:  # reported on every row: the interval's first row says it
            intervals[column] = frame[column].array.take(start)
            continue
        rows = np.append(-1, at)  # -1: no report yet
        source = rows[np.searchsorted(rows, start, side="right") - 1]
        source = np.where(source >= first_row[vessel[start]], source, -1)
        intervals[column] = frame[column].array.take(source, allow_fill=True)  # -1: NA
    intervals[INTERVAL.FIRST_SEEN] = ts.array.take(start)  # not to_numpy: that makes a Timestamp a row
    intervals[INTERVAL.LAST_SEEN] = ts.array.take(end)
    intervals[INTERVAL.N_POSITIONS] = end - start + 1
    intervals[INTERVAL.FLAG] = mmsi_flags(intervals[INTERVAL.MMSI])
    out = intervals[list(INTERVAL_DTYPES)].astype(INTERVAL_DTYPES)
    return out.reset_index(drop=True)


def _text(values: pd.Series) -> pd.Series:
    return values.astype("string")


def mmsi_changes(intervals: pd.DataFrame) -> list[pd.DataFrame]:
    """Name, call sign and IMO changes between consecutive intervals of one MMSI (frames of CHANGE rows)."""
    if not intervals[INTERVAL.MMSI].duplicated().any():  # one interval per MMSI: nothing changed
        return []
    previous = intervals.groupby(INTERVAL.MMSI, sort=False).shift()
    same_mmsi = intervals[INTERVAL.MMSI].eq(intervals[INTERVAL.MMSI].shift()).fillna(False).astype(bool)
    parts = []
    for column, kind in (
        (INTERVAL.IMO, "imo_change"),
        (INTERVAL.NAME, "name_change"),
        (INTERVAL.CALL_SIGN, "call_sign_change"),
    ):
        before, after = previous[column], intervals[column]
        changed = same_mmsi & before.notna() & after.notna() & (before != after).fillna(False).astype(bool)
        if not changed.any():
            continue
        rows = intervals[changed]
        parts.append(
            pd.DataFrame(
                {
                    CHANGE.KIND: kind,
                    CHANGE.TIME: rows[INTERVAL.FIRST_SEEN],
                    CHANGE.MMSI: rows[INTERVAL.MMSI],
                    CHANGE.IMO: rows[INTERVAL.IMO],
                    CHANGE.FIELD: column,
                    CHANGE.BEFORE: _text(before[changed]),
                    CHANGE.AFTER: _text(after[changed]),
                    CHANGE.DETAIL: "MMSI "
                    + _text(rows[INTERVAL.MMSI])
                    + f" changed {column} from "
                    + _text(before[changed])
                    + " to "
                    + _text(after[changed]),
                }
            )
        )
    return parts


def imo_changes(intervals: pd.DataFrame) -> list[pd.DataFrame]:
    """An IMO number appearing under another MMSI than in its previous interval (frames of CHANGE rows)."""
    with_imo = intervals[intervals[INTERVAL.IMO].notna()]
    if not with_imo[INTERVAL.IMO].duplicated().any():  # each IMO in one interval: it never moved
        return []
    ordered = with_imo.sort_values([INTERVAL.IMO, INTERVAL.FIRST_SEEN], kind="stable")
    # the interval before each, where it carries the same IMO: did the number move to another MMSI?
    imo = ordered[INTERVAL.IMO].to_numpy(dtype=np.int64)
    mmsi = ordered[INTERVAL.MMSI].to_numpy(dtype=np.int64)
    at = np.flatnonzero((imo[1:] == imo[:-1]) & (mmsi[1:] != mmsi[:-1])) + 1
    if not len(at):
        return []
    rows = ordered.iloc[at]
    # the few moves are worded one by one: a dozen Series operations would cost more
    after, before = _said(rows), _said(ordered.iloc[at - 1])
    kind = ["reflagged" if a.flag != b.flag else "new_mmsi" for a, b in zip(after, before, strict=True)]
    detail = [
        f"IMO {a.imo} moved from MMSI {b.mmsi} ({_or(b.flag, '?')}, {_or(b.name, 'no name')}) "
        f"to MMSI {a.mmsi} ({_or(a.flag, '?')}, {_or(a.name, 'no name')})"
        for a, b in zip(after, before, strict=True)
    ]
    return [
        pd.DataFrame(
            {
                CHANGE.KIND: np.array(kind),
                CHANGE.TIME: rows[INTERVAL.FIRST_SEEN],
                CHANGE.MMSI: rows[INTERVAL.MMSI],
                CHANGE.IMO: rows[INTERVAL.IMO],
                CHANGE.FIELD: INTERVAL.MMSI,
                CHANGE.BEFORE: pd.array([str(b.mmsi) for b in before], dtype="string"),
                CHANGE.AFTER: pd.array([str(a.mmsi) for a in after], dtype="string"),
                CHANGE.DETAIL: pd.array(detail, dtype="string"),
            },
            index=rows.index,
        )
    ]


@dataclass(frozen=True)
class _Said:
    """What an interval broadcast, for the words of a change (``None``: not broadcast)."""

    imo: int | None
    mmsi: int
    flag: str | None
    name: str | None


def _or(value: str | None, missing: str) -> str:
    return missing if value is None else value


def _said(intervals: pd.DataFrame) -> list[_Said]:
    def plain(column: str) -> list[Any]:
        return [None if pd.isna(v) else v for v in intervals[column].tolist()]

    return [
        _Said(imo, mmsi, flag, name)
        for imo, mmsi, flag, name in zip(
            plain(INTERVAL.IMO), plain(INTERVAL.MMSI), plain(INTERVAL.FLAG), plain(INTERVAL.NAME), strict=True
        )
    ]


def identity_timeline(positions: pd.DataFrame) -> IdentityTimeline:
    """The identity intervals and changes of a positions frame (see the module docstring).

    Needs ``mmsi`` and ``timestamp`` (UTC-aware); ``imo``, ``name``, ``call_sign`` and
    ``ship_type`` are used when present. Rows without an MMSI or a time are ignored.
    Vectorised: one sort, group-wise forward fill and run detection, no loop per row.
    """
    return timeline_of_intervals(identity_intervals(positions))


def identity_intervals(positions: pd.DataFrame) -> pd.DataFrame:
    """The ``intervals`` of :func:`identity_timeline` alone: a function of each MMSI's rows.

    On a partition of vessels it gives those vessels' intervals of the whole frame, so a
    distributed screening builds them per partition and joins them with
    :func:`timeline_of_intervals`.
    """
    missing = [c for c in (POSITION.MMSI, POSITION.TIMESTAMP) if c not in positions.columns]
    if missing:
        raise SchemaError(f"positions frame: missing columns {missing}")
    if not isinstance(positions[POSITION.TIMESTAMP].dtype, pd.DatetimeTZDtype):
        raise ReferenceTimeError("positions frame", "timestamps must be timezone-aware UTC")
    if positions.empty:
        return empty_frame(INTERVAL_DTYPES)
    return _intervals(positions)


def timeline_of_intervals(intervals: pd.DataFrame) -> IdentityTimeline:
    """The timeline of identity intervals (``INTERVAL_DTYPES``, sorted by MMSI then time): the
    changes between them are found here, across MMSIs (an IMO number moving to a new MMSI)."""
    if intervals.empty:
        return IdentityTimeline(empty_frame(INTERVAL_DTYPES), empty_frame(CHANGE_DTYPES))
    parts = mmsi_changes(intervals) + imo_changes(intervals)
    if parts:
        changes = pd.concat(parts, ignore_index=True).astype(CHANGE_DTYPES)
        changes = changes.sort_values([CHANGE.TIME, CHANGE.MMSI, CHANGE.KIND], kind="stable")
        changes = changes.reset_index(drop=True)
    else:
        changes = empty_frame(CHANGE_DTYPES)
    return IdentityTimeline(intervals=intervals, changes=changes)
