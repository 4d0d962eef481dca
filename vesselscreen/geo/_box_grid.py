"""Which boxes overlap which boxes, by a grid of arrays: the `PortIndex` box search without
one shapely geometry per query.

A shapely STRtree query needs a geometry per query box, and tens of thousands of short-lived
geometries (one per occupied cell of a day's positions) cost more to make than the search,
and wake Python's garbage collector. The ports' own boxes are few and fixed: bucketed once
by grid cell, they are matched to query boxes with sorted-array lookups. Boxes that span
too many cells (polar or continent-wide searches) are left to the caller's tree.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from vesselscreen._runs import concatenated_ranges, positions_in_runs

_GRID_DEG: Final = 0.25
"""Grid cells of 0.25 degree: a 10-40 km search box spans one to a few dozen cells, and a
cell holds a handful of the bundled gazetteer's 16,600 ports at most."""
_MAX_CELLS: Final = 64
"""A query box spanning more cells than this is not answered here (`BoxGrid.overlaps`)."""
_OFFSET: Final = 4 * round(180 / _GRID_DEG)
"""Added to cell rows and columns to keep them >= 0 (boxes reach to +-720 degrees at most:
the index's copies at +-360 plus a search width under 360)."""
_STRIDE: Final = 4 * _OFFSET

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def _cells(low: FloatArray, high: FloatArray) -> tuple[IntArray, IntArray]:
    """The first and last grid cell (row or column, offset) that ``low``..``high`` touches."""
    first = np.floor(low * (1 / _GRID_DEG)).astype(np.int64) + _OFFSET
    last = np.floor(high * (1 / _GRID_DEG)).astype(np.int64) + _OFFSET
    return first, last


class BoxGrid:
    """Boxes (xmin, ymin, xmax, ymax rows), each listed in every grid cell it touches.

    >>> grid = BoxGrid(np.array([[10.0, 50.0, 10.0, 50.0], [11.0, 51.0, 12.0, 52.0]]))
    >>> q, box, wide = grid.overlaps(*np.array([[9.9, 10.5], [49.9, 50.5], [10.1, 11.5], [50.1, 51.5]]))
    >>> q.tolist(), box.tolist(), wide.tolist()
    ([0, 1], [0, 1], [])
    """

    def __init__(self, bounds: npt.NDArray[np.float64]) -> None:
        self._bounds = np.ascontiguousarray(bounds, dtype=np.float64)
        xmin, ymin, xmax, ymax = self._bounds.T
        self._row0, row1 = _cells(ymin, ymax)
        self._col0, col1 = _cells(xmin, xmax)
        n_rows, n_cols = row1 - self._row0 + 1, col1 - self._col0 + 1
        count = n_rows * n_cols
        box = np.repeat(np.arange(len(count)), count)
        k = positions_in_runs(count)
        key = (self._row0[box] + k // n_cols[box]) * _STRIDE + self._col0[box] + k % n_cols[box]
        order = np.argsort(key, kind="stable")  # boxes ascending within a cell
        self._keys, first = np.unique(key[order], return_index=True)
        self._start = np.append(first, len(key)).astype(np.int64)
        self._box = box[order]

    def overlaps(
        self, xmin: FloatArray, ymin: FloatArray, xmax: FloatArray, ymax: FloatArray
    ) -> tuple[IntArray, IntArray, IntArray]:
        """(query, box) for every listed box whose bounds meet each query box's (edges included,
        as an STRtree query finds them), and the queries too wide to answer here."""
        row0, row1 = _cells(ymin, ymax)
        col0, col1 = _cells(xmin, xmax)
        n_cols = col1 - col0 + 1
        count = (row1 - row0 + 1) * n_cols
        finite = np.isfinite(xmin) & np.isfinite(ymin) & np.isfinite(xmax) & np.isfinite(ymax)
        fits = finite & (count <= _MAX_CELLS) & (count > 0)
        wide = np.flatnonzero(~fits)
        count = np.where(fits, count, 0)
        query = np.repeat(np.arange(len(count)), count)
        k = positions_in_runs(count)
        row = row0[query] + k // n_cols[query]
        col = col0[query] + k % n_cols[query]
        at = np.searchsorted(self._keys, row * _STRIDE + col)
        at = np.minimum(at, len(self._keys) - 1)
        hit = np.flatnonzero(self._keys[at] == row * _STRIDE + col) if len(self._keys) else at[:0]
        query, row, col, at = query[hit], row[hit], col[hit], at[hit]
        listed = self._start[at + 1] - self._start[at]
        box = self._box[concatenated_ranges(self._start[at], listed)]
        query, row, col = np.repeat(query, listed), np.repeat(row, listed), np.repeat(col, listed)
        b = self._bounds[box]
        meets = (
            (b[:, 0] <= xmax[query])
            & (b[:, 2] >= xmin[query])
            & (b[:, 1] <= ymax[query])
            & (b[:, 3] >= ymin[query])
            # a box listed in several cells the query spans counts once: in the first they share
            & (row == np.maximum(self._row0[box], row0[query]))
            & (col == np.maximum(self._col0[box], col0[query]))
        )
        return query[meets], box[meets], wide
