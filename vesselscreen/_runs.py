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
    sizes = _counts(size)
    # no temporaries kept alive across the big allocations: fresh memory costs page faults
    positions: IntArray = np.arange(int(sizes.sum()), dtype=np.int64) - np.repeat(
        np.cumsum(sizes, dtype=np.int64) - sizes, sizes
    )
    return positions


def concatenated_ranges(start: npt.ArrayLike, size: npt.ArrayLike) -> IntArray:
    """``start[i] .. start[i] + size[i] - 1`` for each run, concatenated (``np.concatenate`` of
    the ``np.arange`` of each, in one pass).

    >>> concatenated_ranges([5, 0, 9], [2, 0, 1]).tolist()
    [5, 6, 9]
    """
    sizes = _counts(size)
    shift = _counts(start) - (np.cumsum(sizes, dtype=np.int64) - sizes)  # signed: int64 results
    ranges: IntArray = np.arange(int(sizes.sum()), dtype=np.int64) + np.repeat(shift, sizes)
    return ranges


def _counts(values: npt.ArrayLike) -> npt.NDArray[np.signedinteger]:
    """``values`` as a signed integer array, not copied when it is one (sums and running totals
    are taken in 64 bits, so 32-bit counts do not overflow; unsigned ones would mix with them
    into floats, so they are cast)."""
    array = np.asarray(values)
    return array if array.dtype.kind == "i" else array.astype(np.int64)
