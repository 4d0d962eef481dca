"""The shared machinery of the streaming detectors: per-vessel state, the chunk of settled rows.

A streaming detector sees a feed as a sequence of `Chunk` s: the rows of this feed that
cleaning has settled (their artefact status can no longer change), sorted by vessel and
time, each with its step from the vessel's previous settled row, whichever chunk that was
in. It keeps, per vessel, the state its batch counterpart carries from row to row (a
hysteresis, an open run and its aggregates) in a `State`: numpy columns indexed by the
vessel's slot (`Slots`), so a chunk is processed with array operations, whatever the
number of vessels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final

import numpy as np
import pandas as pd

from vesselscreen.events._common import BoolArray, FloatArray, IntArray
from vesselscreen.events.track import implied_speed_kn, impossible_steps_between
from vesselscreen.geo.ports import PortIndex, PortProximity
from vesselscreen.limits import MotionLimits
from vesselscreen.schema import POSITION, empty_frame

__all__ = [
    "NEVER",
    "Chunk",
    "Slots",
    "State",
    "ffill_from",
    "group_last",
    "kahan_running",
    "kahan_sums",
    "last_marked",
    "run_ids",
]

NEVER: Final = np.iinfo(np.int64).min
"""An integer time that is before every time (no row yet)."""


_EMPTY: dict[int, pd.DataFrame] = {}


def none(dtypes: Mapping[str, str]) -> pd.DataFrame:
    """An empty frame of these columns (`vesselscreen.schema.empty_frame`, built once per schema:
    a feed asks for many, and building one costs milliseconds)."""
    key = id(dtypes)
    if key not in _EMPTY:
        _EMPTY[key] = empty_frame(dtypes)
    return _EMPTY[key].copy(deep=False)


class Slots:
    """A slot (0, 1, ...) for every MMSI seen, in order of first sight."""

    def __init__(self) -> None:
        self._index: pd.Index = pd.Index(np.empty(0, dtype=np.int64))
        self.mmsi = np.empty(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.mmsi)

    def of(self, mmsi: IntArray) -> IntArray:
        """The slots of ``mmsi`` (any order, repeats allowed); new MMSIs get new slots."""
        where = self._index.get_indexer(pd.Index(mmsi))
        unseen = where < 0
        if unseen.any():
            # new MMSIs take slots in order of first sight
            self.mmsi = np.concatenate((self.mmsi, pd.unique(np.asarray(mmsi)[unseen]).astype(np.int64)))
            self._index = pd.Index(self.mmsi)
            where = self._index.get_indexer(pd.Index(mmsi))
        return np.asarray(where, dtype=np.int64)

    def known(self, mmsi: IntArray) -> IntArray:
        """The slots of ``mmsi`` (-1 for an MMSI never seen)."""
        return np.asarray(self._index.get_indexer(pd.Index(mmsi)), dtype=np.int64)


class State:
    """Named per-vessel columns (numpy arrays indexed by slot) that grow with the slots.

    ``State({"inside": (bool, False), "since": (np.int64, NEVER)})``; ``state["inside"]``
    is the column, sized for every slot given to `grow` so far.
    """

    def __init__(self, fields: Mapping[str, tuple[Any, Any]]) -> None:
        self._fields = dict(fields)
        self._columns: dict[str, np.ndarray] = {
            name: np.full(0, fill, dtype=dtype) for name, (dtype, fill) in self._fields.items()
        }
        self.size = 0

    def grow(self, size: int) -> None:
        """Make room for slots up to ``size - 1`` (new slots get each field's default)."""
        if size <= self.size:
            return
        capacity = len(next(iter(self._columns.values()))) if self._columns else 0
        if size > capacity:
            new_capacity = max(size, 2 * capacity, 64)
            for name, (dtype, fill) in self._fields.items():
                column = np.full(new_capacity, fill, dtype=dtype)
                column[:capacity] = self._columns[name]
                self._columns[name] = column
        self.size = size

    def __getitem__(self, name: str) -> np.ndarray:
        return self._columns[name]

    def reset(self, slots: IntArray, names: tuple[str, ...] | None = None) -> None:
        """Put ``slots`` back to the defaults (of ``names``, or every field)."""
        for name in names or tuple(self._fields):
            self._columns[name][slots] = self._fields[name][1]


def ffill_from(values: FloatArray, groups: IntArray, first: BoolArray, carried: FloatArray) -> FloatArray:
    """Forward-fill NaN within runs of equal ``groups``; a run whose ``first`` row is NaN starts
    from ``carried`` (per row, read at the first rows only): the state a vessel carried in.

    >>> ffill_from(np.array([np.nan, 2.0, np.nan]), np.array([1, 1, 1]), np.array([True, False, False]),
    ...            np.array([5.0, 0.0, 0.0])).tolist()
    [5.0, 2.0, 2.0]
    """
    from vesselscreen.events._common import ffill

    seeded = np.where(first & np.isnan(values), carried, values)
    return ffill(np.asarray(seeded, dtype=np.float64), groups)


def last_marked(marked: BoolArray, first: BoolArray) -> IntArray:
    """For each row, the last row at or before it in its vessel's run where ``marked``; -1 if none
    (``first`` marks each run's first row; runs are contiguous).

    >>> last_marked(np.array([True, False, False, True]), np.array([True, False, True, False])).tolist()
    [0, 0, -1, 3]
    """
    n = len(marked)
    last = np.maximum.accumulate(np.where(marked, np.arange(n), -1)) if n else np.empty(0, dtype=np.int64)
    begins = np.maximum.accumulate(np.where(first, np.arange(n), 0)) if n else last
    return np.asarray(np.where(last >= begins, last, -1), dtype=np.int64)


def choose(mask: BoolArray, chosen: np.ndarray, otherwise: np.ndarray | None) -> np.ndarray:
    """``chosen`` where ``mask``, else ``otherwise`` (``None``: missing), as an object array."""
    out = np.full(len(mask), None, dtype=object) if otherwise is None else np.array(otherwise, dtype=object)
    out[mask] = np.asarray(chosen, dtype=object)[mask]
    return out


def run_ids(starts: BoolArray, active: BoolArray) -> IntArray:
    """Number runs (1, 2, ...) that begin where ``starts``; 0 where not ``active``."""
    return np.asarray(np.where(active, np.cumsum(starts, dtype=np.int64), 0), dtype=np.int64)


def group_last(
    values: np.ndarray, present: BoolArray, ids: IntArray, count: int
) -> tuple[np.ndarray, BoolArray]:
    """Per run id (1..count): the last ``values`` where ``present`` (and whether there was one)."""
    rows = np.flatnonzero(present & (ids > 0))
    out = np.empty(count + 1, dtype=values.dtype)
    found = np.zeros(count + 1, dtype=bool)
    # later rows overwrite earlier ones: the last present row of each run wins
    out[ids[rows]] = values[rows]
    found[ids[rows]] = True
    return out[1:], found[1:]


def kahan_sums(
    values: FloatArray, ids: IntArray, count: int, start_sum: FloatArray, start_comp: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Compensated sums per run id (1..count), row by row in order, from a carried (sum, compensation).

    The same arithmetic as pandas' grouped sum (Kahan summation, in row order), so a sum
    carried over several chunks equals the batch detector's sum of the same values.
    """
    total, comp, _, _ = kahan_running(values, ids, count, start_sum, start_comp)
    return total, comp


def kahan_running(
    values: FloatArray, ids: IntArray, count: int, start_sum: FloatArray, start_comp: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """`kahan_sums`, and the running (sum, compensation) after each row (NaN outside runs)."""
    total = np.asarray(start_sum, dtype=np.float64).copy()
    comp = np.asarray(start_comp, dtype=np.float64).copy()
    row_total = np.full(len(ids), np.nan)
    row_comp = np.full(len(ids), np.nan)
    rows = np.flatnonzero(ids > 0)
    if len(rows) == 0:
        return total, comp, row_total, row_comp
    run = ids[rows] - 1
    # rank of each row within its run: rows of one run are contiguous and in order
    first = np.concatenate(([True], run[1:] != run[:-1]))
    start_of = np.maximum.accumulate(np.where(first, np.arange(len(rows)), 0))
    rank = np.arange(len(rows)) - start_of
    order = np.argsort(rank, kind="stable")
    bounds = np.searchsorted(rank[order], np.arange(rank.max() + 2))
    with np.errstate(invalid="ignore"):
        for r in range(rank.max() + 1):  # one pass per position in the longest run
            pick = order[bounds[r] : bounds[r + 1]]
            k, value = run[pick], values[rows[pick]]
            y = value - comp[k]
            t = total[k] + y
            comp[k] = np.where(np.isnan(t - total[k] - y), 0.0, t - total[k] - y)
            total[k] = t
            row_total[rows[pick]] = t
            row_comp[rows[pick]] = comp[k]
    return total, comp, row_total, row_comp


@dataclass(eq=False)
class Chunk:
    """The rows of one feed that cleaning settled, sorted by vessel and time, with their steps.

    ``frame`` holds the track columns (index 0..n-1); arrays as in
    `vesselscreen.events.Track`, except that steps continue across chunks: ``start`` marks a
    vessel's first row ever (where a batch track has ``new_vessel``), ``first`` its first row
    in this chunk, ``dt_prev``/``dist_prev`` the step from its previous settled row (in this
    chunk or an earlier one; 0 at ``start``). ``slot`` is each row's vessel slot; ``carried``
    the last non-null ``imo`` / ``name`` / ``draught`` at or before each row, across chunks.
    """

    frame: pd.DataFrame
    slot: IntArray
    mmsi: IntArray
    ts: IntArray
    lat: FloatArray
    lon: FloatArray
    sog: FloatArray
    start: BoolArray
    dt_prev: IntArray
    dist_prev: FloatArray
    ports: PortIndex
    limits: MotionLimits
    prev_ts: IntArray
    prev_lat: FloatArray
    prev_lon: FloatArray
    prev_sog: FloatArray
    carried: dict[str, np.ndarray] = field(default_factory=dict)
    prev_carried: dict[str, np.ndarray] = field(default_factory=dict)
    """The carried values at each row's previous row (for a vessel's first row in the chunk,
    what the vessel carried in; ``None`` at its start)."""

    def __len__(self) -> int:
        return len(self.mmsi)

    @cached_property
    def first(self) -> BoolArray:
        """A vessel's first row in this chunk."""
        out = np.ones(len(self), dtype=bool)
        out[1:] = self.mmsi[1:] != self.mmsi[:-1]
        return out

    @cached_property
    def last(self) -> BoolArray:
        """A vessel's last row in this chunk."""
        out = np.ones(len(self), dtype=bool)
        out[:-1] = self.mmsi[:-1] != self.mmsi[1:]
        return out

    @cached_property
    def group(self) -> IntArray:
        """A number per vessel of the chunk (1, 2, ...)."""
        return np.asarray(np.cumsum(self.first, dtype=np.int64), dtype=np.int64)

    @cached_property
    def last_row_of(self) -> IntArray:
        """For each row, its vessel's last row in the chunk."""
        ends = np.flatnonzero(self.last)
        return np.asarray(ends[self.group - 1], dtype=np.int64)

    @cached_property
    def vessel_slots(self) -> IntArray:
        """The slot of each vessel of the chunk, in chunk order."""
        return np.asarray(self.slot[self.first], dtype=np.int64)

    @cached_property
    def implied_speed(self) -> FloatArray:
        """As `Track.implied_speed_kn`: kn over the step into each row; NaN at a vessel's start."""
        return implied_speed_kn(self.dt_prev, self.dist_prev, self.start)

    @cached_property
    def impossible_step(self) -> BoolArray:
        """As `Track.impossible_step`."""
        return impossible_steps_between(self.dt_prev, self.dist_prev, self.start, self.limits)

    @cached_property
    def proximity(self) -> PortProximity:
        return PortProximity(self.ports, self.lat, self.lon)

    def near_port(self, max_distance_m: float) -> BoolArray:
        cache: dict[float, BoolArray] = self.__dict__.setdefault("_near_cache", {})
        if max_distance_m not in cache:
            cache[max_distance_m] = self.proximity.any_within(max_distance_m)
        return cache[max_distance_m]

    @cached_property
    def port_within(self) -> IntArray:
        return self.proximity.ports_within()

    def present(self, column: str) -> BoolArray:
        """Whether each row reported ``column`` itself."""
        return self._column(column)[1]

    def values(self, column: str) -> np.ndarray:
        """``column`` as an object array (missing values as ``pd.NA``); read, not written."""
        return self._column(column)[0]

    def _column(self, column: str) -> tuple[np.ndarray, BoolArray]:
        # several detectors read the same columns of a chunk: each is converted once
        cache: dict[str, tuple[np.ndarray, BoolArray]] = self.__dict__.setdefault("_column_cache", {})
        if column not in cache:
            series = self.frame[column]
            cache[column] = (
                np.asarray(series.astype(object).to_numpy(), dtype=object),
                np.asarray(series.notna().to_numpy(dtype=bool), dtype=np.bool_),
            )
        return cache[column]


IMO: Final = POSITION.IMO
NAME: Final = POSITION.NAME
DRAUGHT: Final = POSITION.DRAUGHT
