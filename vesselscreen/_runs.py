"""Index arithmetic over runs of rows, without a Python loop per run.

Stages that expand "run ``i`` has ``size[i]`` members" into one row per member (a port's
grid cells, an event's candidate rows, a step's grid instants) share these two idioms;
per-vessel work over a long track cuts it between vessels with `vessel_slices`.

>>> concatenated_ranges(np.array([10, 3]), np.array([2, 3])).tolist()
[10, 11, 3, 4, 5]
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt

__all__ = ["concatenated_ranges", "positions_in_runs", "vessel_slices"]

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


def vessel_slices(mmsi: npt.NDArray[np.integer], rows: int) -> list[tuple[int, int]] | None:
    """``(start, stop)`` of consecutive slices of rows sorted by vessel, each of whole vessels and
    at least ``rows`` long (the last may be shorter); ``None`` when ``mmsi`` is not sorted, as a
    vessel that comes back later could not be worked on by slices.

    Per-vessel work over a long day, done a slice at a time, keeps its temporaries small enough
    to be reused from the allocator's free lists and the caches: touching fresh memory is what
    costs most on a million rows (on this project's 2-core VM, 0.2-5 ms a megabyte).

    >>> vessel_slices(np.array([1, 1, 2, 2, 2, 3]), 3)
    [(0, 5), (5, 6)]
    >>> vessel_slices(np.array([2, 1]), 1) is None
    True
    """
    count = len(mmsi)
    if not bool((mmsi[1:] >= mmsi[:-1]).all()):
        return None
    starts = np.flatnonzero(mmsi[1:] != mmsi[:-1]) + 1  # each vessel's first row, past the first
    bounds = [0]
    while bounds[-1] < count:  # a slice ends where the first vessel begins at least ``rows`` on
        at = int(np.searchsorted(starts, bounds[-1] + max(rows, 1)))
        bounds.append(int(starts[at]) if at < len(starts) else count)
    return list(itertools.pairwise(bounds))


def _counts(values: npt.ArrayLike) -> npt.NDArray[np.signedinteger]:
    """``values`` as a signed integer array, not copied when it is one (sums and running totals
    are taken in 64 bits, so 32-bit counts do not overflow; unsigned ones would mix with them
    into floats, so they are cast)."""
    array = np.asarray(values)
    return array if array.dtype.kind == "i" else array.astype(np.int64)
