"""Stops: where a vessel stood still, in port or at sea.

A vessel is stopped, with GFW's hysteresis, from a report at or below
``StopConfig.stop_speed_kn`` (0.2 kn) until one at or above ``resume_speed_kn`` (0.5 kn);
a report in between, or with no speed, keeps the current state. A stop is a run of
stopped positions with no silence longer than ``max_gap_h``; it starts at its first
position and ends at its last, and is reported when it lasts ``min_duration_h``. Its
location is the median position, and ``port_id`` the port whose circle (or polygon)
contains that location, NA for a stop at sea: the port-less stops that `voyages` lists.

>>> import pandas as pd
>>> t0 = pd.Timestamp("2024-03-01", tz="UTC")
>>> track = pd.DataFrame({"mmsi": [273000001] * 4, "lat": [40.0] * 4, "lon": [51.0] * 4,
...     "sog": [8.0, 0.1, 0.3, 6.0], "timestamp": [t0 + pd.Timedelta(hours=h) for h in range(4)]})
>>> stop = stops(track).iloc[0]
>>> str(stop.start), str(stop.duration), stop.port_id
('2024-03-01 01:00:00+00:00', '0 days 01:00:00', <NA>)
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from vesselscreen.events._common import HOUR_NS, check_config, hysteresis, spell_fields, spell_rows, spells
from vesselscreen.events.config import StopConfig
from vesselscreen.events.track import BASE_COLUMNS, Track
from vesselscreen.geo.ports import PortIndex
from vesselscreen.schema import PORT, POSITION, STOP, STOP_DTYPES, conform, empty_frame

__all__ = ["stops"]

_REQUIRED: Final = (*BASE_COLUMNS, POSITION.SOG)


def stops(
    positions: pd.DataFrame | Track,
    ports: pd.DataFrame | PortIndex | None = None,
    config: StopConfig | None = None,
) -> pd.DataFrame:
    """Every stop of at least ``config.min_duration_h``: one row per stop, in ``schema.STOP_DTYPES``.

    Args:
        positions: canonical POSITION frame (or a `vesselscreen.events.Track`); needs ``mmsi``,
            ``timestamp`` (timezone-aware), ``lat``, ``lon`` and ``sog`` (knots); ``imo`` and
            ``name`` are used when present.
        ports: ports table, `vesselscreen.geo.PortIndex`, or ``None`` for the bundled gazetteer.
        config: thresholds; `StopConfig` defaults otherwise.

    Returns:
        Stops sorted by ``mmsi`` and ``start``; ``port_id`` NA for stops outside every port.

    >>> stops(pd.DataFrame({"mmsi": [1]}))
    Traceback (most recent call last):
    ...
    vesselscreen.errors.SchemaError: positions: missing columns ['timestamp', 'lat', 'lon', 'sog']
    """
    config = check_config(config, StopConfig)
    return detect_stops(Track.of(positions, ports, required=_REQUIRED), config)


def detect_stops(track: Track, config: StopConfig) -> pd.DataFrame:
    """`stops` on a track."""
    if track.empty:
        return empty_frame(STOP_DTYPES)
    sog = track.sog
    breaks = track.new_vessel | (track.dt_prev > config.max_gap_h * HOUR_NS)
    stopped = hysteresis(sog <= config.stop_speed_kn, sog >= config.resume_speed_kn, breaks)
    first, last = spells(stopped, breaks)
    duration = track.ts[last] - track.ts[first]
    keep = duration >= config.min_duration_h * HOUR_NS
    if not keep.any():
        return empty_frame(STOP_DTYPES)
    first, last, duration = first[keep], last[keep], duration[keep]
    rows, spell = spell_rows(first, last)  # the long stops' rows alone
    where = pd.DataFrame({"lat": track.lat[rows], "lon": track.lon[rows]}).groupby(spell, sort=True).median()
    lat = where["lat"].to_numpy()
    lon = where["lon"].to_numpy()
    index = track.ports
    inside, _ = index.within(lat, lon)
    out = pd.DataFrame(
        {
            **spell_fields(track, first, last, duration),
            STOP.LAT: lat,
            STOP.LON: lon,
            STOP.PORT_ID: index.ports[PORT.PORT_ID].array.take(inside, allow_fill=True),  # -1: NA
            STOP.N_POSITIONS: last - first + 1,
        }
    )
    return conform(out, STOP_DTYPES)
