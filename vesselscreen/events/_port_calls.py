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

from vesselscreen.events._common import HOUR_NS, BoolArray, FloatArray, IntArray, check_config
from vesselscreen.events.config import PortCallConfig
from vesselscreen.events.track import BASE_COLUMNS, Track
from vesselscreen.geo.ports import PortIndex
from vesselscreen.schema import PORT, PORT_CALL, PORT_CALL_DTYPES, POSITION, conform, empty_frame

__all__ = ["PortCallConfig", "port_calls"]

_REQUIRED: Final = (*BASE_COLUMNS, POSITION.SOG, POSITION.IMO, POSITION.NAME)


_FIRST_ROUND: Final = 16
"""Rows of each run that `_before_exit` tests first; each later round tests four times more."""


def _before_exit(
    index: PortIndex, lat: FloatArray, lon: FloatArray, rows: IntArray, port: IntArray, exit_margin_m: float
) -> BoolArray:
    """For runs of consecutive ``rows`` at one current ``port`` each, whether each row comes
    before its run's first row beyond the port's exit distance (``radius_m + exit_margin_m``).

    Only that first row matters (a vessel out of port stays out until it enters again), so
    rows are tested from each run's start in growing rounds until it is found: a vessel
    leaving port is past the exit distance within a few reports, and its hours at sea are
    never measured.
    """
    exit_m = index.radius_m + exit_margin_m
    starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1] + 1))) if len(rows) else rows
    ends = np.append(starts[1:], len(rows))
    exit_at = ends.copy()  # per run, the position in rows of its first row beyond (its end: none)
    tested = starts.copy()  # per run, the first position not tested yet
    width = _FIRST_ROUND
    pending = np.arange(len(starts))
    while len(pending):
        lo = tested[pending]
        count = np.minimum(ends[pending] - lo, width)
        total = np.cumsum(count)
        at = np.arange(int(total[-1])) + np.repeat(lo - (total - count), count)
        r = rows[at]
        beyond = np.flatnonzero(~index.within_limit(lat[r], lon[r], port[at], exit_m))
        # the first beyond row of each tested range (ranges are in order, so a search finds it)
        which = np.searchsorted(total, beyond, side="right")
        hit, first = np.unique(which, return_index=True)
        exit_at[pending[hit]] = at[beyond[first]]
        tested[pending] = lo + count
        left = np.ones(len(pending), dtype=bool)
        left[hit] = False
        pending = pending[left & (tested[pending] < ends[pending])]
        width *= 4
    position = np.arange(len(rows))
    run = np.repeat(np.arange(len(starts)), ends - starts)
    return np.asarray(position < exit_at[run], dtype=np.bool_)


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
    dt_prev = track.dt_prev

    # A row "resets" when it starts a vessel or follows a silence longer than max_gap: no
    # state (port, in/out, stopped) carries across it. A state with hysteresis is the value
    # of the last row that decided it: with rows numbered by a running count of deciding rows,
    # one read per row (cheaper than a fill or a running maximum of row numbers).
    reset = track.new_vessel | (dt_prev > int(config.max_gap_h * HOUR_NS))

    # In-port state: entry (a port circle holds the row) sets it; beyond the current port's
    # exit distance clears it. The current port: the last entry since the last reset.
    entry_port = track.port_within
    entered = entry_port >= 0
    marks = entered | reset
    current_pos = entry_port[np.flatnonzero(marks)][np.cumsum(marks) - 1]  # -1 at a reset not entering
    del marks  # full-length intermediates go as soon as they are used (3M rows: 24 MB each)
    # Rows in no entry circle come in runs, each after an entry (a reset that does not enter
    # has no current port): inside up to the run's first row beyond the exit distance.
    between = np.flatnonzero(~entered & (current_pos >= 0))
    inside = entered.copy()
    inside[between] = _before_exit(index, lat, lon, between, current_pos[between], config.exit_margin_m)
    del between, entered

    # Visits: runs of inside rows of one segment at one port, reduced on the inside rows alone.
    rows = np.flatnonzero(inside)
    del inside
    if not len(rows):
        return empty_frame(PORT_CALL_DTYPES)
    port = current_pos[rows]
    visit_start = reset[rows]
    visit_start[0] = True
    visit_start[1:] |= (rows[1:] != rows[:-1] + 1) | (port[1:] != port[:-1])

    # Stop state with hysteresis, within each visit (not stopped until a report says so).
    speed = sog[rows]
    stop_now = speed <= config.stop_speed_kn
    marks = stop_now | (speed >= config.resume_speed_kn) | visit_start
    stopped = stop_now[np.flatnonzero(marks)][np.cumsum(marks) - 1]
    del speed, marks

    # Time to the next row of the same visit: counts as dwell when stopped or a port gap.
    next_same = np.zeros(len(rows), dtype=bool)
    next_same[:-1] = ~visit_start[1:]
    dt_next = np.zeros(len(rows), dtype=np.int64)
    dt_next[:-1] = dt_prev[rows[1:]]
    port_gap = next_same & (dt_next >= int(config.port_gap_h * HOUR_NS))
    dwell = np.where(next_same & (stopped | port_gap), dt_next, 0)

    # visits are runs: reduce each by its first row, no group-by
    begin = np.flatnonzero(visit_start)
    end = np.append(begin[1:], len(rows)) - 1
    count = end - begin + 1
    stopped_any = np.logical_or.reduceat(stopped, begin)
    gap_any = np.logical_or.reduceat(port_gap, begin)
    dwell_sum = np.add.reduceat(dwell, begin)
    first, last = rows[begin], rows[end]
    entry_seen = ~reset[first]
    exit_seen = (last + 1 < n) & ~reset[np.minimum(last + 1, n - 1)]
    is_call = (stopped_any | gap_any) & (dwell_sum >= config.min_duration_h * HOUR_NS)
    if not is_call.any():
        return empty_frame(PORT_CALL_DTYPES)

    last_rows = last[is_call]
    gazetteer = index.ports
    port_pos = port[begin[is_call]]
    calls = pd.DataFrame(
        {
            PORT_CALL.MMSI: mmsi[first[is_call]],
            PORT_CALL.IMO: track.reported_between(POSITION.IMO, first[is_call], last_rows),
            PORT_CALL.NAME: track.reported_between(POSITION.NAME, first[is_call], last_rows),
            # taken from the columns as they are (to_numpy would make a string object per port)
            PORT_CALL.PORT_ID: gazetteer[PORT.PORT_ID].array.take(port_pos),
            PORT_CALL.PORT_NAME: gazetteer[PORT.PORT_NAME].array.take(port_pos),
            PORT_CALL.COUNTRY: gazetteer[PORT.COUNTRY].array.take(port_pos),
            PORT_CALL.ARRIVAL: pd.to_datetime(ts[first[is_call]], unit="ns", utc=True),
            PORT_CALL.DEPARTURE: pd.to_datetime(ts[last[is_call]], unit="ns", utc=True),
            PORT_CALL.CONFIDENCE: 2 + entry_seen[is_call].astype(int) + exit_seen[is_call].astype(int),
            PORT_CALL.N_POSITIONS: count[is_call],
        }
    )
    calls[PORT_CALL.DURATION] = calls[PORT_CALL.DEPARTURE] - calls[PORT_CALL.ARRIVAL]
    calls = calls.sort_values([PORT_CALL.MMSI, PORT_CALL.ARRIVAL, PORT_CALL.PORT_ID], kind="mergesort")
    return conform(calls.reset_index(drop=True), PORT_CALL_DTYPES)
