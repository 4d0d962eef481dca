"""Index arithmetic over runs of rows, without a Python loop per run.

Stages that expand "run ``i`` has ``size[i]`` members" into one row per member (a port's
grid cells, an event's candidate rows, a step's grid instants) share these two idioms.

>>> concatenated_ranges(np.array([10, 3]), np.array([2, 3])).tolist()
[10, 11, 3, 4, 5]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["concatenated_ranges", "positions_in_runs"]

IntArray = npt.NDArray[np.int64]


def positions_in_runs(size: npt.ArrayLike) -> IntArray:
    """Each member's position within its run: ``0 .. size[i] - 1`` for each run, concatenated.

    >>> positions_in_runs([2, 0, 3]).tolist()
    [0, 1, 0, 1, 2]
    """
    sizes = np.asarray(size, dtype=np.int64)
    ends = np.cumsum(sizes)
    total = int(ends[-1]) if len(ends) else 0
    return np.arange(total, dtype=np.int64) - np.repeat(ends - sizes, sizes)


def concatenated_ranges(start: npt.ArrayLike, size: npt.ArrayLike) -> IntArray:
    """``start[i] .. start[i] + size[i] - 1`` for each run, concatenated (``np.concatenate`` of
    the ``np.arange`` of each, in one pass).

    >>> concatenated_ranges([5, 0, 9], [2, 0, 1]).tolist()
    [5, 6, 9]
    """
    starts = np.asarray(start, dtype=np.int64)
    sizes = np.asarray(size, dtype=np.int64)
    ends = np.cumsum(sizes)
    total = int(ends[-1]) if len(ends) else 0
    ranges: IntArray = np.arange(total, dtype=np.int64) + np.repeat(starts - (ends - sizes), sizes)
    return ranges
