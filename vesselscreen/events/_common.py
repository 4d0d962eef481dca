"""Shared machinery of the detectors: array helpers over sorted tracks, the cached port index.

On a `vesselscreen.events.Track` (sorted by vessel and time), per-vessel quantities are
plain array arithmetic; these helpers are the few steps that need a group-wise scan.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import cache
from typing import TYPE_CHECKING, Final, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from vesselscreen._runs import concatenated_ranges
from vesselscreen.errors import ConfigError
from vesselscreen.geo.ports import DEFAULT_RADIUS_M, PortIndex
from vesselscreen.schema import POSITION, STOP

if TYPE_CHECKING:
    from vesselscreen.events.track import Track

HOUR_NS: Final = 3_600_000_000_000

C = TypeVar("C")
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def run_start(groups: npt.NDArray[np.integer]) -> IntArray:
    """For each row, the first row of its run of equal consecutive ``groups``.

    >>> run_start(np.array([7, 7, 3, 7])).tolist()
    [0, 0, 2, 3]
    """
    n = len(groups)
    start = np.ones(n, dtype=bool)
    start[1:] = groups[1:] != groups[:-1]
    return np.asarray(np.maximum.accumulate(np.where(start, np.arange(n), 0)), dtype=np.int64)


def ffill(values: FloatArray, groups: npt.NDArray[np.integer], starts: IntArray | None = None) -> FloatArray:
    """Forward-fill NaN within runs of equal consecutive ``groups``.

    ``starts``: each row's run's first row (`run_start`), if the caller has it (several fills over
    one grouping find the runs once).

    >>> ffill(np.array([1.0, np.nan, np.nan, np.nan]), np.array([1, 1, 2, 2])).tolist()
    [1.0, 1.0, nan, nan]
    """
    n = len(values)
    if n == 0:
        return np.asarray(values, dtype=np.float64)
    row = np.arange(n)
    if starts is None:
        first = np.ones(n, dtype=bool)
        first[1:] = groups[1:] != groups[:-1]
    else:
        first = starts == row
    # each row takes the value of the last row at or before it that is a value or starts a run
    # (a NaN there stays NaN): one scan, with no second one for the runs
    source = np.where(first | ~np.isnan(values), row, 0)
    np.maximum.accumulate(source, out=source)
    return np.asarray(values[source], dtype=np.float64)


def search_within(
    values: IntArray,
    lo: IntArray,
    hi: IntArray,
    targets: IntArray,
    *,
    side: str = "left",
    as_float: bool = False,
) -> IntArray:
    """Per target, `numpy.searchsorted` of it in ``values[lo:hi]`` (ascending there), as a
    position in ``values``: a bisection over all targets at once, so many short sorted runs
    of one array (a vessel's times) are searched without a key per row. ``as_float``
    compares in float64.

    >>> values = np.array([5, 7, 9, 1, 3])
    >>> search_within(values, np.array([0, 0, 3]), np.array([3, 3, 5]), np.array([7, 7, 2]),
    ...               side="right").tolist()
    [2, 2, 4]
    """
    lo = np.array(lo, dtype=np.int64)
    hi = np.array(hi, dtype=np.int64)
    key = targets.astype(np.float64) if as_float else targets
    while True:
        active = np.flatnonzero(lo < hi)
        if not len(active):
            return lo
        mid = (lo[active] + hi[active]) // 2
        at = values[mid].astype(np.float64) if as_float else values[mid]
        right = at <= key[active] if side == "right" else at < key[active]
        lo[active[right]] = mid[right] + 1
        hi[active[~right]] = mid[~right]


def hysteresis(on: BoolArray, off: BoolArray, breaks: BoolArray) -> BoolArray:
    """State that switches on where ``on``, off where ``off``, and holds in between.

    Starts off at each row of ``breaks`` (a new vessel, a long silence) unless that row is
    ``on``; ``on`` wins where both are set.

    >>> hysteresis(np.array([1, 0, 0, 0], bool), np.array([0, 0, 1, 0], bool), np.array([1, 0, 0, 0], bool))
    array([ True,  True, False, False])
    """
    n = len(on)
    if n == 0:
        return np.zeros(0, dtype=bool)
    # each row's state is the kind of the last row at or before it that decides (on, off, or a
    # break): one scan, with no fill per group
    decides = on | off | breaks
    decides[0] = True
    last = np.maximum.accumulate(np.where(decides, np.arange(n), 0))
    return np.asarray(on[last], dtype=np.bool_)


def spells(active: BoolArray, breaks: BoolArray) -> tuple[IntArray, IntArray]:
    """First and last row of each run of consecutive ``active`` rows; a run also ends before a
    row of ``breaks`` (a new vessel or a long silence starts a new run).

    >>> first, last = spells(np.array([1, 1, 0, 1, 1], bool), np.array([1, 0, 0, 0, 1], bool))
    >>> first.tolist(), last.tolist()
    ([0, 3, 4], [1, 3, 4])
    """
    continues = np.zeros(len(active), dtype=bool)  # the row carries on the run of the row before it
    continues[1:] = active[1:] & active[:-1] & ~breaks[1:]
    first = np.flatnonzero(active & ~continues)
    carried = np.zeros(len(active), dtype=bool)  # the next row carries on this row's run
    carried[:-1] = continues[1:]
    last = np.flatnonzero(active & ~carried)
    return np.asarray(first, dtype=np.int64), np.asarray(last, dtype=np.int64)


def spell_rows(first: IntArray, last: IntArray) -> tuple[IntArray, IntArray]:
    """The rows of the spells ``first``..``last`` in order, and each one's spell (0, 1, ...).

    >>> rows, spell = spell_rows(np.array([2, 7]), np.array([4, 7]))
    >>> rows.tolist(), spell.tolist()
    ([2, 3, 4, 7], [0, 0, 0, 1])
    """
    length = last - first + 1
    spell = np.repeat(np.arange(len(first)), length)
    rows = concatenated_ranges(first, length)
    return np.asarray(rows, dtype=np.int64), np.asarray(spell, dtype=np.int64)


def runs(active: BoolArray, breaks: BoolArray) -> IntArray:
    """Number the runs of consecutive ``active`` rows (1, 2, ...; 0 where inactive).

    A run also ends where ``breaks`` is set (a new vessel or a long silence starts a new run).

    >>> runs(np.array([1, 1, 0, 1, 1], bool), np.array([1, 0, 0, 0, 1], bool)).tolist()
    [1, 1, 0, 2, 3]
    """
    prev = np.zeros(len(active), dtype=bool)
    prev[1:] = active[:-1]
    start = active & (breaks | ~prev)
    return np.asarray(np.where(active, np.cumsum(start, dtype=np.int64), 0), dtype=np.int64)


@cache
def _bundled_index(default_radius_m: float) -> PortIndex:
    return PortIndex(None, default_radius_m=default_radius_m)


_TABLE_INDEXES: OrderedDict[tuple[int, float], PortIndex] = OrderedDict()
_TABLE_CACHE_SIZE: Final = 4


def port_index(
    ports: pd.DataFrame | PortIndex | None, default_radius_m: float = DEFAULT_RADIUS_M
) -> PortIndex:
    """A PortIndex from a table, an index, or ``None`` (the bundled gazetteer).

    Built once per gazetteer: the bundled one once per process, a table once per content
    (the last few tables are kept, keyed by a hash of their values), an index as it is.

    >>> port_index(None) is port_index(None)
    True
    """
    if isinstance(ports, PortIndex):
        return ports
    if ports is None:
        return _bundled_index(default_radius_m)
    if not isinstance(ports, pd.DataFrame):
        raise ConfigError(f"ports must be a DataFrame, a PortIndex or None, got {type(ports).__name__}")
    try:
        content = int(pd.util.hash_pandas_object(ports, index=False).sum())
    except TypeError:  # unhashable cells: build without caching
        return PortIndex(ports, default_radius_m=default_radius_m)
    key = (hash((content, tuple(map(str, ports.columns)), len(ports))), default_radius_m)
    if key in _TABLE_INDEXES:
        _TABLE_INDEXES.move_to_end(key)
        return _TABLE_INDEXES[key]
    index = PortIndex(ports, default_radius_m=default_radius_m)
    _TABLE_INDEXES[key] = index
    if len(_TABLE_INDEXES) > _TABLE_CACHE_SIZE:
        _TABLE_INDEXES.popitem(last=False)
    return index


def check_config(config: C | None, kind: type[C]) -> C:
    """``config`` or the default ``kind()``; a `ConfigError` for anything else."""
    if config is None:
        return kind()
    if not isinstance(config, kind):
        raise ConfigError(f"config must be a {kind.__name__}, got {type(config).__name__}")
    return config


def to_utc(ns: IntArray) -> pd.DatetimeIndex:
    """ns since the epoch as UTC timestamps."""
    return pd.to_datetime(ns, unit="ns", utc=True)


def spell_fields(track: Track, first: IntArray, last: IntArray, duration: IntArray) -> dict[str, object]:
    """The columns every spell event (a stop, a loitering spell) starts with, under the names
    `schema.STOP` and `schema.LOITERING` share: the vessel, the identity it last reported
    during the spell, its start, end and duration (ns). ``first``/``last``: the spells' rows."""
    return {
        STOP.MMSI: track.mmsi[first],
        STOP.IMO: track.reported_between(POSITION.IMO, first, last),
        STOP.NAME: track.reported_between(POSITION.NAME, first, last),
        STOP.START: to_utc(track.ts[first]),
        STOP.END: to_utc(track.ts[last]),
        STOP.DURATION: pd.to_timedelta(duration, unit="ns"),
    }
