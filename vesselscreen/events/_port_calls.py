"""Port calls: when a vessel entered a port area, stopped there, and left.

The rules follow Global Fishing Watch's port-visit pipeline (``pipe-anchorages``,
``create_in_out_events.py`` / ``create_port_visits.py``) with a point-and-radius gazetteer
in place of GFW's anchorage points:

* **In port**, with hysteresis: a position within a port's ``radius_m`` enters it (the
  nearest such port); the vessel stays in until a position lies farther than
  ``radius_m + exit_margin_m`` from that port (GFW: entry within 3 km, exit beyond 4 km).
* **Visit**: a run of in-port positions of one MMSI at one port; arrival is its first
  position, departure its last. A silence longer than ``max_gap_h`` ends a visit (the
  next position starts afresh); shorter silences inside the port are bridged.
* **Stopped**, with hysteresis: speed at or below 0.2 kn starts a stop, at or above 0.5 kn
  ends it (GFW). A silence of at least ``port_gap_h`` (4 h, GFW's "port gap") inside a
  visit counts like a stop: ships at berth often fall silent.
* **Port call**: a visit with a stop or a port gap, whose time spent stopped or silent
  adds up to at least ``min_duration_h``.
* **Confidence** (GFW's levels): 4 = stop/gap seen with both the entry from outside and
  the exit to outside; 3 = stop/gap with one of them; 2 = stop/gap only (the track starts
  or ends in port, or a long silence cuts it). GFW's level 1 (entry/exit without a stop)
  is not a port call, so calls have confidence 2 to 4.

>>> import pandas as pd
>>> t0 = pd.Timestamp("2024-08-29 00:00", tz="UTC")
>>> track = pd.DataFrame({
...     "mmsi": pd.array([273999001] * 4, dtype="Int64"),
...     "timestamp": [t0, t0 + pd.Timedelta("1h"), t0 + pd.Timedelta("5h"), t0 + pd.Timedelta("6h")],
...     "lat": [36.90, 36.783, 36.783, 36.90], "lon": [53.35] * 4, "sog": [9.0, 0.0, 0.1, 9.0],
...     "imo": pd.array([None] * 4, dtype="Int64"), "name": ["PORT OLYA 3"] * 4})
>>> calls = port_calls(track)
>>> call = calls.iloc[0]
>>> call.port_id, call.port_name, str(call.arrival), str(call.duration), int(call.confidence)
('IRAMD', 'Bandar Amirabad', '2024-08-29 01:00:00+00:00', '0 days 04:00:00', 4)
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from vesselscreen.events._common import HOUR_NS, check_config, latest
from vesselscreen.events.config import PortCallConfig
from vesselscreen.events.track import BASE_COLUMNS, Track
from vesselscreen.geo.ports import PortIndex
from vesselscreen.schema import PORT, PORT_CALL, PORT_CALL_DTYPES, POSITION, conform, empty_frame

__all__ = ["PortCallConfig", "port_calls"]

_REQUIRED: Final = (*BASE_COLUMNS, POSITION.SOG, POSITION.IMO, POSITION.NAME)


def port_calls(
    positions: pd.DataFrame | Track,
    ports: pd.DataFrame | PortIndex | None = None,
    config: PortCallConfig | None = None,
) -> pd.DataFrame:
    """Detect port calls in a positions frame: one row per call, in ``schema.PORT_CALL_DTYPES``.

    Args:
        positions: canonical POSITION frame, or a `vesselscreen.events.Track` of one; needs
            ``mmsi``, ``timestamp`` (timezone-aware), ``lat``, ``lon``, ``sog`` (knots), ``imo``
            and ``name``. Not modified. Rows with no MMSI, time or valid position cannot be
            placed and are ignored.
        ports: a ports table (``schema.PORT`` columns; see
            `vesselscreen.geo.validate_ports`), a prebuilt `vesselscreen.geo.PortIndex`,
            or ``None`` for the bundled gazetteer (a `Track` carries its own).
        config: thresholds; `PortCallConfig` defaults otherwise.

    Returns:
        Calls sorted by ``mmsi`` and ``arrival``: ``port_id``, ``port_name`` and ``country`` from
        the gazetteer; ``imo`` and ``name`` as the vessel broadcast them during the call (last
        non-null value); ``arrival``/``departure`` the first and last in-port position;
        ``duration`` their difference; ``confidence`` 2-4 (see the module docs);
        ``n_positions`` the positions in the visit.

    Raises:
        SchemaError: a required column is missing, the timestamps are naive, or a column
            cannot be cast to its canonical dtype; or the ports table is invalid.

    >>> port_calls(pd.DataFrame(columns=["mmsi", "timestamp"]))
    Traceback (most recent call last):
    ...
    vesselscreen.errors.SchemaError: positions: missing columns ['lat', 'lon', 'sog', 'imo', 'name']
    """
    config = check_config(config, PortCallConfig)
    track = Track.of(positions, ports, required=_REQUIRED, default_radius_m=config.default_radius_m)
    return detect_port_calls(track, config)


def detect_port_calls(track: Track, config: PortCallConfig) -> pd.DataFrame:
    """`port_calls` on a track (the screening context calls this once)."""
    index = track.ports
    if track.empty or len(index) == 0:
        return empty_frame(PORT_CALL_DTYPES)
    mmsi, ts, lat, lon, sog = track.mmsi, track.ts, track.lat, track.lon, track.sog
    n = len(track)
    rows = np.arange(n)
    dt_prev = track.dt_prev

    # A row "resets" when it starts a vessel or follows a silence longer than max_gap: no
    # state (port, in/out, stopped) carries across it. States with hysteresis below hold the
    # value of the last row that decided them (a running maximum of row numbers), from the
    # start of their run on.
    reset = track.new_vessel | (dt_prev > int(config.max_gap_h * HOUR_NS))
    segment_start = np.maximum.accumulate(np.where(reset, rows, 0))

    # In-port state: entry (a port circle holds the row) sets it; beyond the current port's
    # exit distance clears it.
    entry_port = track.port_within
    entered = entry_port >= 0
    last_entry = latest(entered, segment_start)
    current_pos = np.where(last_entry >= 0, entry_port[last_entry], -1)
    del last_entry  # full-length intermediates go as soon as they are used (3M rows: 24 MB each)
    # the exit distance matters only where no entry circle holds the row: test those rows alone
    # (a row with no current port is outside, one in an entry circle inside: both decide)
    between = np.flatnonzero(~entered & (current_pos >= 0))
    stays = index.within_limit(
        lat[between], lon[between], current_pos[between], index.radius_m + config.exit_margin_m
    )
    decides = np.ones(n, dtype=bool)
    decides[between[stays]] = False
    del between, stays
    # a segment's first row always decides: no row looks back past it
    inside = entered[np.maximum.accumulate(np.where(decides, rows, 0))]
    del decides, entered

    # Visits: runs of inside rows of one segment at one port.
    visit_start = inside.copy()
    visit_start[1:] &= reset[1:] | ~inside[:-1] | (current_pos[1:] != current_pos[:-1])
    if not inside.any():
        return empty_frame(PORT_CALL_DTYPES)

    # Stop state with hysteresis, within each visit.
    stop_decided = (sog <= config.stop_speed_kn) | (sog >= config.resume_speed_kn)
    last_speed = latest(stop_decided, np.maximum.accumulate(np.where(visit_start, rows, 0)))
    stopped = inside & (last_speed >= 0) & (sog[last_speed] <= config.stop_speed_kn)
    del stop_decided, last_speed

    # Time to the next row of the same visit: counts as dwell when stopped or a port gap.
    dt_next = np.zeros(n, dtype=np.int64)
    dt_next[:-1] = dt_prev[1:]
    next_same = np.zeros(n, dtype=bool)
    next_same[:-1] = inside[:-1] & inside[1:] & ~visit_start[1:]
    port_gap = next_same & (dt_next >= int(config.port_gap_h * HOUR_NS))
    dwell = np.where(next_same & (stopped | port_gap), dt_next, 0)
    del dt_next, next_same
    next_reset = np.ones(n, dtype=bool)
    next_reset[:-1] = reset[1:]

    # visits are runs of consecutive rows: reduce each run by its first row, no group-by
    first = np.flatnonzero(visit_start)
    last = np.append(first[1:] - 1, n - 1)
    last = np.minimum(last, first + np.add.reduceat(inside.astype(np.int64), first) - 1)
    count = last - first + 1
    stopped_any = np.logical_or.reduceat(stopped, first)
    gap_any = np.logical_or.reduceat(port_gap, first)
    dwell_sum = np.add.reduceat(dwell, first)  # dwell is 0 outside visits
    entry_seen = ~reset[first]
    exit_seen = ~next_reset[last]
    is_call = (stopped_any | gap_any) & (dwell_sum >= config.min_duration_h * HOUR_NS)
    if not is_call.any():
        return empty_frame(PORT_CALL_DTYPES)

    last_rows = last[is_call]
    gazetteer = index.ports
    port_pos = current_pos[first[is_call]]
    calls = pd.DataFrame(
        {
            PORT_CALL.MMSI: mmsi[first[is_call]],
            PORT_CALL.IMO: track.reported_between(POSITION.IMO, first[is_call], last_rows),
            PORT_CALL.NAME: track.reported_between(POSITION.NAME, first[is_call], last_rows),
            PORT_CALL.PORT_ID: gazetteer[PORT.PORT_ID].to_numpy()[port_pos],
            PORT_CALL.PORT_NAME: gazetteer[PORT.PORT_NAME].to_numpy()[port_pos],
            PORT_CALL.COUNTRY: gazetteer[PORT.COUNTRY].to_numpy()[port_pos],
            PORT_CALL.ARRIVAL: pd.to_datetime(ts[first[is_call]], unit="ns", utc=True),
            PORT_CALL.DEPARTURE: pd.to_datetime(ts[last[is_call]], unit="ns", utc=True),
            PORT_CALL.CONFIDENCE: 2 + entry_seen[is_call].astype(int) + exit_seen[is_call].astype(int),
            PORT_CALL.N_POSITIONS: count[is_call],
        }
    )
    calls[PORT_CALL.DURATION] = calls[PORT_CALL.DEPARTURE] - calls[PORT_CALL.ARRIVAL]
    calls = calls.sort_values([PORT_CALL.MMSI, PORT_CALL.ARRIVAL, PORT_CALL.PORT_ID], kind="mergesort")
    return conform(calls.reset_index(drop=True), PORT_CALL_DTYPES)
