"""One ordering of positions for every stage: by vessel, then time, then content.

Rows that share a vessel and a time (duplicate receptions, or two reports in one second)
are ordered by their content, so no result ever depends on the order rows arrived in.
Only those rows are sorted by content; the rest is one integer sort, or none when the
frame is in order already (readers hand over frames sorted by vessel and time).

>>> import pandas as pd
>>> frame = pd.DataFrame({"mmsi": [2, 1, 1], "t": [5, 7, 7], "name": ["C", "B", "A"]})
>>> frame.take(vessel_time_order(frame, "mmsi", "t"))["name"].tolist()
['A', 'B', 'C']
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api.extensions import ExtensionArray

from vesselscreen.schema import POSITION

__all__ = ["CONTENT_COLUMNS", "by_vessel_then_time", "tied_rows", "vessel_time_order"]

CONTENT_COLUMNS: Final = (
    POSITION.MMSI,
    POSITION.TIMESTAMP,
    POSITION.LAT,
    POSITION.LON,
    POSITION.SOG,
    POSITION.IMO,
    POSITION.NAME,
    POSITION.CALL_SIGN,
    POSITION.SHIP_TYPE,
    POSITION.DRAUGHT,
    POSITION.TRANSCEIVER,
    POSITION.LENGTH,
)
"""The columns screening orders positions by (`vesselscreen.events.Track` keeps them): rows
that share a vessel and a time are ordered by these, in this order. A reader that hands over
its ties in this order spares the screening a copy of every row."""

_GROUP = "__tie_group__"


def vessel_time_order(frame: pd.DataFrame, mmsi: str, time: str) -> npt.NDArray[np.int64]:
    """Row positions that sort ``frame`` by ``mmsi``, ``time`` and then all its columns.

    ``mmsi`` and ``time`` must have no missing values; the other columns sort with missing
    values last.
    """
    vessel = frame[mmsi].to_numpy(dtype=np.int64)
    stamp = (
        frame[time].to_numpy(dtype="datetime64[ns]").view(np.int64)
        if frame[time].dtype.kind == "M"
        else (frame[time].to_numpy(dtype=np.int64))
    )
    n = len(frame)
    if n < 2:
        return np.arange(n, dtype=np.int64)
    step_v, step_t = np.diff(vessel), np.diff(stamp)
    same_vessel = step_v == 0
    if ((step_v > 0) | (same_vessel & (step_t >= 0))).all():
        order = np.arange(n, dtype=np.int64)
        tie = same_vessel & (step_t == 0)
    else:
        order = by_vessel_then_time(vessel, stamp)
        tie = (np.diff(vessel[order]) == 0) & (np.diff(stamp[order]) == 0)
    if not tie.any():
        return order
    if _in_content_order(frame, order, np.flatnonzero(tie)):  # as readers hand them over, or all alike
        return order
    at = tied_rows(tie)
    # a tied run starts where a member is not tied to the member before it
    starts = np.ones(len(at), dtype=bool)
    starts[1:] = (at[1:] != at[:-1] + 1) | ~tie[at[1:] - 1]
    group = np.cumsum(starts)
    tied = frame.take(order[at]).reset_index(drop=True)
    tied[_GROUP] = group
    by_content = tied.sort_values([_GROUP, *frame.columns], kind="mergesort", na_position="last")
    order[at] = order[at][by_content.index.to_numpy()]
    return order


def _in_content_order(
    frame: pd.DataFrame, order: npt.NDArray[np.int64], pairs: npt.NDArray[np.int64]
) -> bool:
    """Whether each tied row ``order[pairs[i] + 1]`` sorts at or after the row before it
    (``order[pairs[i]]``) by the frame's columns in turn, missing values last: then sorting
    the ties by content (a stable sort) would leave them as they are. Column by column, and
    only the pairs still undecided: ties usually differ, or are told apart, in the first few."""
    before, after = order[pairs], order[pairs + 1]
    for column in frame.columns:
        values = frame[column].array
        x, y = values.take(before), values.take(after)
        x_missing, y_missing = np.asarray(pd.isna(x), dtype=bool), np.asarray(pd.isna(y), dtype=bool)
        try:
            with np.errstate(invalid="ignore"):
                lower, higher = _flags(x < y), _flags(x > y)
        except TypeError:  # values without an order of their own (unordered categories, mixed
            return False  # objects): the sort decides, as before
        # a missing value sorts after every present one
        if ((higher & ~y_missing) | (x_missing & ~y_missing)).any():
            return False
        tied = ~(lower | (~x_missing & y_missing))
        if not tied.any():
            return True
        before, after = before[tied], after[tied]
    return True


def _flags(compared: npt.NDArray[np.bool_] | ExtensionArray) -> npt.NDArray[np.bool_]:
    """A comparison's result as booleans, missing (a comparison with a missing value) as False."""
    if isinstance(compared, np.ndarray):
        return compared.astype(bool, copy=False)
    return np.asarray(compared.to_numpy(dtype=bool, na_value=False), dtype=bool)


def tied_rows(tie: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """The rows of the runs that ``tie`` (``tie[i]``: row ``i + 1`` shares its key with row ``i``)
    joins, in order.

    >>> tied_rows(np.array([False, True, True, False])).tolist()
    [1, 2, 3]
    """
    member = np.zeros(len(tie) + 1, dtype=bool)
    member[1:] |= tie
    member[:-1] |= tie
    return np.asarray(np.flatnonzero(member), dtype=np.int64)


def by_vessel_then_time(vessel: npt.NDArray[np.int64], stamp: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The stable order by ``vessel`` then ``stamp`` (ties in input order), as ``np.lexsort``.

    Feeds come in time order, so usually only a stable sort by vessel is left, and MMSIs
    fit 32 bits: two stable sorts of 16-bit halves (low, then high) order them. NumPy sorts
    16-bit keys stably with a radix sort, linear in the rows: three to four times faster
    than ``lexsort`` on a day of AIS, however many vessels it has.

    >>> by_vessel_then_time(np.array([7, 5, 7, 5]), np.array([1, 2, 0, 2])).tolist()
    [1, 3, 2, 0]
    """
    by_time = None if bool((np.diff(stamp) >= 0).all()) else np.argsort(stamp, kind="stable")
    keys = vessel if by_time is None else vessel[by_time]
    if len(keys) and (int(keys.min()) < 0 or int(keys.max()) >= 1 << 32):
        return np.asarray(np.lexsort((stamp, vessel)), dtype=np.int64)
    low = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    order = low[np.argsort((keys[low] >> 16).astype(np.uint16), kind="stable")]
    return np.asarray(order if by_time is None else by_time[order], dtype=np.int64)
