"""Loitering: a vessel moving slowly for hours away from ports, as when meeting a ship with no AIS.

A loitering spell is a run of consecutive positions of one MMSI, each slower than
``LoiteringConfig.max_sog_kn`` (2 kn) and farther than ``min_port_distance_m`` from every
port, with no silence longer than ``max_gap_h``, lasting at least ``min_duration_h`` (4 h)
from its first position to its last (GFW's loitering). A position with no reported speed
is judged by its implied speed from the previous position.

>>> import pandas as pd
>>> t0 = pd.Timestamp("2024-03-01", tz="UTC")
>>> track = pd.DataFrame({"mmsi": [273000001] * 6, "lat": [40.0] * 6, "lon": [51.0] * 6,
...     "sog": [1.0] * 6, "timestamp": [t0 + pd.Timedelta(hours=h) for h in range(6)]})
>>> spell = loitering(track).iloc[0]
>>> str(spell.duration), float(spell.median_sog), int(spell.n_positions)
('0 days 05:00:00', 1.0, 6)
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from vesselscreen.events._common import (
    HOUR_NS,
    BoolArray,
    IntArray,
    check_config,
    spell_fields,
    spell_rows,
    spells,
)
from vesselscreen.events.config import LoiteringConfig
from vesselscreen.events.track import BASE_COLUMNS, Track
from vesselscreen.geo.ports import PortIndex
from vesselscreen.schema import LOITERING, LOITERING_DTYPES, POSITION, conform, empty_frame

__all__ = ["loitering"]

_REQUIRED: Final = (*BASE_COLUMNS, POSITION.SOG)


def loitering(
    positions: pd.DataFrame | Track,
    ports: pd.DataFrame | PortIndex | None = None,
    config: LoiteringConfig | None = None,
) -> pd.DataFrame:
    """Every loitering spell: one row per spell, in ``schema.LOITERING_DTYPES``.

    Args:
        positions: canonical POSITION frame (or a `vesselscreen.events.Track`); needs ``mmsi``,
            ``timestamp`` (timezone-aware), ``lat``, ``lon`` and ``sog`` (knots); ``imo`` and
            ``name`` are used when present.
        ports: ports table, `vesselscreen.geo.PortIndex`, or ``None`` for the bundled gazetteer.
        config: thresholds; `LoiteringConfig` defaults otherwise.

    Returns:
        Spells sorted by ``mmsi`` and ``start``: median position and speed, the distance sailed
        during the spell, and the number of positions.
    """
    config = check_config(config, LoiteringConfig)
    return detect_loitering(Track.of(positions, ports, required=_REQUIRED), config)


def _long_spells(
    track: Track, slow: BoolArray, breaks: BoolArray, min_duration_ns: float
) -> tuple[IntArray, IntArray]:
    """First and last rows of the spells of ``slow`` rows lasting ``min_duration_ns``."""
    first, last = spells(slow, breaks)
    keep = track.ts[last] - track.ts[first] >= min_duration_ns
    return first[keep], last[keep]


def detect_loitering(track: Track, config: LoiteringConfig) -> pd.DataFrame:
    """`loitering` on a track (the screening context calls this once)."""
    if track.empty:
        return empty_frame(LOITERING_DTYPES)
    sog = track.sog
    speed = np.where(np.isfinite(sog), sog, track.implied_speed_kn())
    slow = speed < config.max_sog_kn  # NaN is not slow
    breaks = track.new_vessel | (track.dt_prev > config.max_gap_h * HOUR_NS)
    min_duration = config.min_duration_h * HOUR_NS
    first, last = _long_spells(track, slow, breaks, min_duration)
    if config.min_port_distance_m > 0 and len(first):
        # near a port cuts a spell short: only the rows of spells long enough without that
        # question are asked it, and the pieces of each are measured again
        rows, _ = spell_rows(first, last)
        slow = np.zeros(len(track), dtype=bool)
        slow[rows] = True
        slow &= ~track.near_port(config.min_port_distance_m, rows=slow)
        first, last = _long_spells(track, slow, breaks, min_duration)
    if len(first) == 0:
        return empty_frame(LOITERING_DTYPES)
    duration = track.ts[last] - track.ts[first]
    rows, spell = spell_rows(first, last)
    # the step into a spell's first position is travel before the spell
    step = track.dist_prev[rows]
    step[np.cumsum(last - first + 1) - (last - first + 1)] = 0.0
    per_run = pd.DataFrame(
        {"lat": track.lat[rows], "lon": track.lon[rows], "speed": speed[rows], "step": step}
    ).groupby(spell, sort=True)
    medians = per_run[["lat", "lon", "speed"]].median()
    out = pd.DataFrame(
        {
            **spell_fields(track, first, last, duration),
            LOITERING.LAT: medians["lat"].to_numpy(),
            LOITERING.LON: medians["lon"].to_numpy(),
            LOITERING.MEDIAN_SOG: medians["speed"].to_numpy(),
            LOITERING.DISTANCE_M: per_run["step"].sum().to_numpy(),
            LOITERING.N_POSITIONS: last - first + 1,
        }
    )
    return conform(out, LOITERING_DTYPES)
