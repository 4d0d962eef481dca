"""AIS gaps: every silence of a vessel long enough to matter, and which of them look deliberate.

A gap is the time between two consecutive positions of one MMSI when it is at least
``GapConfig.min_gap_h`` (6 h). Each gap carries the last position before and the first
after, its duration, the great-circle distance between them and the implied speed.

* ``dark``: the gap lasts at least ``dark_gap_h`` (12 h) and starts away from port (the last
  position before it is farther than ``dark_min_port_distance_m`` from every port). A
  ship that falls silent at berth is not hiding; one that falls silent at sea may be.
* ``impossible_speed``: the distance cannot be covered in the time at the track's
  `vesselscreen.MotionLimits` ``max_speed_kn`` (50 kn): the
  positions on one side of the gap are not the vessel's (spoofing, or two ships sharing
  an MMSI).
* ``start_port_id``/``end_port_id``: a port within ``dark_min_port_distance_m`` of the
  position before/after the gap (the nearest), else NA.
* ``draught_start``/``draught_end``: the last draught reported at or before the gap and the
  first reported at or after it (NaN when the input has none): a change means cargo moved
  while the ship was silent (see `vesselscreen.events.spoofing`).

>>> import pandas as pd
>>> t0 = pd.Timestamp("2024-03-01", tz="UTC")
>>> track = pd.DataFrame({"mmsi": [273000001] * 3, "lat": [40.0, 40.1, 41.0], "lon": [51.0] * 3,
...     "timestamp": [t0, t0 + pd.Timedelta("1h"), t0 + pd.Timedelta("15h")]})
>>> gap = gaps(track).iloc[0]
>>> str(gap.duration), round(gap.distance_m), round(float(gap.implied_speed_kn), 2), bool(gap.dark)
('0 days 14:00:00', 100076, 3.86, True)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vesselscreen.events._common import HOUR_NS, FloatArray, IntArray, check_config, to_utc
from vesselscreen.events.config import GapConfig
from vesselscreen.events.track import Track
from vesselscreen.geo.ports import PortIndex
from vesselscreen.limits import M_PER_NM
from vesselscreen.schema import GAP, GAP_DTYPES, PORT, POSITION, conform, empty_frame

__all__ = ["gaps"]


def gaps(
    positions: pd.DataFrame | Track,
    ports: pd.DataFrame | PortIndex | None = None,
    config: GapConfig | None = None,
) -> pd.DataFrame:
    """Every AIS gap of at least ``config.min_gap_h``: one row per gap, in ``schema.GAP_DTYPES``.

    Args:
        positions: canonical POSITION frame (or a `vesselscreen.events.Track`); needs ``mmsi``,
            ``timestamp`` (timezone-aware), ``lat`` and ``lon``; ``imo``, ``name`` and ``draught``
            are used when present. Not modified. Rows with no MMSI, time or valid position are
            ignored.
        ports: ports table, `vesselscreen.geo.PortIndex`, or ``None`` for the bundled gazetteer.
        config: thresholds; `GapConfig` defaults otherwise.

    Returns:
        Gaps sorted by ``mmsi`` and ``start``; ``imo``/``name`` are the last non-null values the
        vessel broadcast up to the gap.

    Raises:
        SchemaError: a required column is missing, timestamps are naive, or a column cannot be cast.
        ConfigError: ``config`` is not a `GapConfig`.

    >>> gaps(pd.DataFrame({"mmsi": [1]}))
    Traceback (most recent call last):
    ...
    vesselscreen.errors.SchemaError: positions: missing columns ['timestamp', 'lat', 'lon']
    """
    config = check_config(config, GapConfig)
    return detect_gaps(Track.of(positions, ports), config)


def _draught_around(track: Track, before: IntArray, after: IntArray) -> tuple[FloatArray, FloatArray]:
    """The last draught reported at or before each ``before`` row and the first at or after each
    ``after`` row, by the same vessel (NaN if none): a search per gap, not a fill of the track."""
    draught = track.floats(POSITION.DRAUGHT)
    reported = np.flatnonzero(~np.isnan(draught))
    if len(reported) == 0:
        return np.full(len(before), np.nan), np.full(len(after), np.nan)
    vessel_first = np.flatnonzero(track.new_vessel)
    vessel_end = np.append(vessel_first[1:], len(track))
    vessel = np.searchsorted(vessel_first, after, side="right") - 1  # before and after: one vessel's rows
    at = np.searchsorted(reported, before, side="right") - 1
    source = reported[np.maximum(at, 0)]
    start = np.where((at >= 0) & (source >= vessel_first[vessel]), draught[source], np.nan)
    at = np.searchsorted(reported, after, side="left")
    source = reported[np.minimum(at, len(reported) - 1)]
    end = np.where((at < len(reported)) & (source < vessel_end[vessel]), draught[source], np.nan)
    return np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)


def detect_gaps(track: Track, config: GapConfig) -> pd.DataFrame:
    """`gaps` on a track (the screening context calls this once)."""
    if track.empty:
        return empty_frame(GAP_DTYPES)
    after = np.flatnonzero(~track.new_vessel & (track.dt_prev >= config.min_gap_h * HOUR_NS))
    if len(after) == 0:
        return empty_frame(GAP_DTYPES)
    before = after - 1
    index = track.ports
    lat = np.concatenate([track.lat[before], track.lat[after]])
    lon = np.concatenate([track.lon[before], track.lon[after]])
    near, _ = index.nearest(lat, lon, max_distance_m=config.dark_min_port_distance_m)
    port_id = index.ports[PORT.PORT_ID].array.take(near, allow_fill=True)  # -1: NA
    n = len(after)
    draught_start, draught_end = _draught_around(track, before, after)

    duration = track.dt_prev[after]
    hours = duration / HOUR_NS
    distance = track.dist_prev[after]
    speed = distance / M_PER_NM / hours
    out = pd.DataFrame(
        {
            GAP.MMSI: track.mmsi[after],
            GAP.IMO: track.carried(POSITION.IMO, before).to_numpy(),
            GAP.NAME: track.carried(POSITION.NAME, before).to_numpy(),
            GAP.START: to_utc(track.ts[before]),
            GAP.END: to_utc(track.ts[after]),
            GAP.DURATION: pd.to_timedelta(duration, unit="ns"),
            GAP.START_LAT: track.lat[before],
            GAP.START_LON: track.lon[before],
            GAP.END_LAT: track.lat[after],
            GAP.END_LON: track.lon[after],
            GAP.DISTANCE_M: distance,
            GAP.IMPLIED_SPEED_KN: speed,
            GAP.START_PORT_ID: port_id[:n],
            GAP.END_PORT_ID: port_id[n:],
            GAP.DRAUGHT_START: draught_start,
            GAP.DRAUGHT_END: draught_end,
            GAP.DARK: (duration >= config.dark_gap_h * HOUR_NS) & (near[:n] < 0),
            GAP.IMPOSSIBLE_SPEED: speed > track.limits.max_speed_kn,
        }
    )
    return conform(out, GAP_DTYPES)
