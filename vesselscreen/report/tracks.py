"""Vessel tracks for maps and GeoJSON: positions cut into segments at gaps, then simplified.

A track is drawn only where the vessel was seen: a silence longer than ``break_after``
(the screening's AIS-gap threshold, 6 h by default) ends a segment, so a ship that went
dark is never drawn as if it sailed a straight line; the gap itself is drawn apart (dashed).
Each segment is simplified with Douglas-Peucker to ``tolerance_deg`` degrees.

>>> import pandas as pd
>>> t = pd.to_datetime(["2024-09-01 00:00", "2024-09-01 01:00", "2024-09-01 02:00", "2024-09-03 00:00",
...                     "2024-09-03 01:00"], utc=True)
>>> ais = pd.DataFrame({"mmsi": pd.array([1] * 5, dtype="Int64"), "timestamp": t,
...                     "lat": [0.0, 0.0, 0.0, 1.0, 1.1], "lon": [0.0, 0.1, 0.2, 1.0, 1.0]})
>>> [seg.tolist() for seg in tracks(ais)[1]]  # two segments; the straight one loses its middle point
[[[0.0, 0.0], [0.2, 0.0]], [[1.0, 1.0], [1.0, 1.1]]]
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd
import shapely

from vesselscreen.schema import POSITION

__all__ = ["DEFAULT_BREAK_AFTER", "TRACK_TOLERANCE_DEG", "tracks"]

TRACK_TOLERANCE_DEG = 0.005
"""Douglas-Peucker tolerance of drawn and exported tracks: 0.005 degree, about 500 m.

Far below what a report map shows (tracks hundreds of km long) and above AIS position
noise, so a day at sea keeps its turns and loses its thousands of collinear points.
"""

DEFAULT_BREAK_AFTER = pd.Timedelta(hours=6)
"""A silence this long ends a segment: the AIS-gap threshold of ``GapConfig.min_gap_h`` (6 h)."""


def tracks(
    positions: pd.DataFrame,
    mmsis: Collection[int] | None = None,
    *,
    break_after: pd.Timedelta = DEFAULT_BREAK_AFTER,
    tolerance_deg: float = TRACK_TOLERANCE_DEG,
) -> dict[int, list[np.ndarray]]:
    """Per MMSI, the simplified segments of its track as ``(n, 2)`` arrays of (lon, lat).

    Positions without coordinates are skipped; a segment of a single position is kept as
    a one-row array (a ship seen once is still on the map).
    """
    frame = positions[[POSITION.MMSI, POSITION.TIMESTAMP, POSITION.LON, POSITION.LAT]].dropna()
    if mmsis is not None:
        frame = frame[frame[POSITION.MMSI].isin(list(mmsis))]
    if frame.empty:
        return {}
    frame = frame.sort_values([POSITION.MMSI, POSITION.TIMESTAMP], kind="stable")
    mmsi = frame[POSITION.MMSI].to_numpy(dtype="int64")
    time = frame[POSITION.TIMESTAMP].to_numpy(dtype="datetime64[ns]")
    new_segment = np.ones(len(frame), dtype=bool)
    new_segment[1:] = (mmsi[1:] != mmsi[:-1]) | ((time[1:] - time[:-1]) > break_after.to_timedelta64())
    segment = np.cumsum(new_segment) - 1
    coords = frame[[POSITION.LON, POSITION.LAT]].to_numpy(dtype="float64")
    starts = np.flatnonzero(new_segment)
    counts = np.diff(np.append(starts, len(frame)))
    lines = counts >= 2
    simplified: dict[int, np.ndarray] = {}
    if lines.any():
        keep = np.repeat(lines, counts)
        ids = np.unique(segment[keep], return_inverse=True)[1]
        geoms = shapely.simplify(shapely.linestrings(coords[keep], indices=ids), tolerance_deg)
        simplified = {int(s): shapely.get_coordinates(g) for s, g in zip(starts[lines], geoms, strict=True)}
    out: dict[int, list[np.ndarray]] = {}
    for seg_start in starts:  # in (mmsi, time) order
        seg = simplified.get(int(seg_start), coords[seg_start : seg_start + 1])
        out.setdefault(int(mmsi[seg_start]), []).append(seg)
    return out
