"""Voyages: the legs of a vessel between its port calls.

A voyage runs from the departure of one port call (`port_calls`) to the arrival of the
vessel's next call. A track that starts at sea gives a first leg with no origin (its
``departure`` is the first position seen), and one that ends at sea a last leg with no
destination (its ``arrival`` is the last position seen); a vessel with no port call has
no voyage. Each leg has the distance sailed (the sum of great-circle steps between its
positions, from the departure position to the arrival position), the longest silence
between two of its positions, and the stops on the way outside any port (`stops` with no
``port_id``): ships waiting at anchor off a port, drifting, or meeting another ship.

>>> import pandas as pd
>>> from vesselscreen.events import port_calls
>>> t0 = pd.Timestamp("2024-08-29", tz="UTC")
>>> def at(lat, lon, sog, h):
...     return {"lat": lat, "lon": lon, "sog": sog, "timestamp": t0 + pd.Timedelta(hours=h)}
>>> rows = [at(36.7833, 53.35, 0.0, 0), at(36.7833, 53.35, 0.0, 3), at(38.0, 52.0, 10.0, 12),
...         at(45.7833, 47.5333, 0.0, 60), at(45.7833, 47.5333, 0.0, 64)]
>>> track = pd.DataFrame(rows).assign(mmsi=273999001)
>>> leg = voyages(track).iloc[0]
>>> leg.origin_port_id, leg.destination_port_id, str(leg.departure), str(leg.arrival), round(leg.distance_m)
('IRAMD', 'RUOYA', '2024-08-29 03:00:00+00:00', '2024-08-31 12:00:00+00:00', 1121084)
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from vesselscreen.events._common import IntArray, check_config, search_within, to_utc
from vesselscreen.events._port_calls import detect_port_calls
from vesselscreen.events._stops import detect_stops
from vesselscreen.events.config import VoyageConfig
from vesselscreen.events.track import BASE_COLUMNS, Track
from vesselscreen.geo.ports import PortIndex
from vesselscreen.schema import (
    PORT_CALL,
    POSITION,
    STOP,
    VOYAGE,
    VOYAGE_DTYPES,
    conform,
    empty_frame,
)

__all__ = ["voyages"]

_REQUIRED: Final = (*BASE_COLUMNS, POSITION.SOG)
_START: Final = "_start"
_END: Final = "_end"


def _legs(calls: pd.DataFrame, first_ts: pd.Series, last_ts: pd.Series) -> pd.DataFrame:
    """One row per leg: mmsi, _start/_end (ns), origin and destination call columns (NA at sea)."""
    mmsi = calls[PORT_CALL.MMSI].to_numpy(dtype=np.int64)
    arrival = calls[PORT_CALL.ARRIVAL].to_numpy(dtype="datetime64[ns]").view(np.int64)
    departure = calls[PORT_CALL.DEPARTURE].to_numpy(dtype="datetime64[ns]").view(np.int64)
    first_call = np.concatenate(([True], mmsi[1:] != mmsi[:-1]))
    last_call = np.concatenate((mmsi[1:] != mmsi[:-1], [True]))
    n = len(calls)
    # leg "before call j" for every call j; its origin is call j-1 unless j is the vessel's first
    origin = np.where(first_call, -1, np.arange(n) - 1)
    head_start = first_ts.reindex(mmsi).to_numpy(dtype=np.int64)
    start = np.where(first_call, head_start, departure[np.maximum(origin, 0)])
    tail = np.flatnonzero(last_call)
    legs = pd.DataFrame(
        {
            VOYAGE.MMSI: np.concatenate((mmsi, mmsi[tail])),
            _START: np.concatenate((start, departure[tail])),
            _END: np.concatenate((arrival, last_ts.reindex(mmsi[tail]).to_numpy(dtype=np.int64))),
            "origin": np.concatenate((origin, tail)),
            "destination": np.concatenate((np.arange(n), np.full(len(tail), -1))),
        }
    )
    # a track that starts (ends) in port has no leg before (after) that call
    legs = legs[legs[_END] > legs[_START]]
    return legs.sort_values([VOYAGE.MMSI, _START], kind="mergesort").reset_index(drop=True)


def _last_leg_at(legs: pd.DataFrame, mmsi: IntArray, ts: IntArray) -> IntArray:
    """For each (mmsi, ts), the position in ``legs`` (sorted by mmsi, start) of the vessel's last
    leg starting at or before ``ts`` (the last of equal starts); -1 where there is none."""
    leg_mmsi = legs[VOYAGE.MMSI].to_numpy(dtype=np.int64)
    leg_start = legs[_START].to_numpy(dtype=np.int64)
    vessels = np.unique(leg_mmsi)
    code = np.searchsorted(vessels, mmsi)
    known = code < len(vessels)
    known[known] = vessels[code[known]] == mmsi[known]
    leg_code = np.searchsorted(vessels, leg_mmsi)
    base = min(int(leg_start.min()), int(ts.min())) if len(ts) else int(leg_start.min())
    top = max(int(leg_start.max()), int(ts.max())) if len(ts) else int(leg_start.max())
    span = top - base + 1
    if len(vessels) * span < 2**62:  # (vessel, time) as one integer key
        leg_key = leg_code * span + (leg_start - base)
        key = code * span + (ts - base)
    else:  # times too far apart for that: their ranks instead
        times = np.unique(np.concatenate((leg_start, ts)))
        leg_key = leg_code * len(times) + np.searchsorted(times, leg_start)
        key = code * len(times) + np.searchsorted(times, ts)
    pos = np.searchsorted(leg_key, key, side="right") - 1
    same = known & (pos >= 0)
    same[same] = leg_code[pos[same]] == code[same]
    return np.asarray(np.where(same, pos, -1), dtype=np.int64)


def _call_columns(calls: pd.DataFrame, which: np.ndarray, names: dict[str, str]) -> pd.DataFrame:
    """Columns ``names`` of the calls at positions ``which``, renamed; NA where ``which`` is -1."""
    rows = np.maximum(which, 0)
    none = pd.Series(which < 0)
    columns = {}
    for source, target in names.items():
        column = calls[source].take(rows).reset_index(drop=True)
        columns[target] = column.mask(none) if none.any() else column
    return pd.DataFrame(columns)


def _ends_by(leg: IntArray, end: IntArray, leg_end: IntArray) -> npt.NDArray[np.bool_]:
    """Whether each item with a leg (``leg`` >= 0) ends by its leg's end."""
    found = leg >= 0
    by = leg_end[np.maximum(leg, 0)]
    if found.all():
        return np.asarray(end <= by, dtype=np.bool_)
    # the join this replaces compared times in float64 once some item had no leg: so do we
    return np.asarray(found & (end.astype(np.float64) <= by.astype(np.float64)), dtype=np.bool_)


def _steps_of_legs(
    track: Track, legs: pd.DataFrame, leg_end: IntArray
) -> tuple[npt.NDArray[np.float64], IntArray, IntArray, IntArray]:
    """Per leg: metres sailed (the sum of its steps), its last row, its number of steps and its
    longest step (ns); zeros for a leg with no step."""
    n_legs = len(legs)
    leg_mmsi = legs[VOYAGE.MMSI].to_numpy(dtype=np.int64)
    leg_start = legs[_START].to_numpy(dtype=np.int64)
    ts = track.ts
    first = np.flatnonzero(track.new_vessel)
    vessel = np.minimum(np.searchsorted(track.mmsi[first], leg_mmsi), len(first) - 1)
    known = track.mmsi[first][vessel] == leg_mmsi
    # a step's first row ("from") runs over a vessel's rows but its last
    lo = np.where(known, first[vessel], 0)
    hi = np.where(known, np.append(first[1:], len(track))[vessel] - 1, 0)
    # the vessel's next leg takes the steps from its start on (the last of equal starts wins)
    next_same = np.zeros(n_legs, dtype=bool)
    next_same[:-1] = leg_mmsi[1:] == leg_mmsi[:-1]
    next_start = np.append(leg_start[1:], 0)
    from_lo = search_within(ts, lo, hi, leg_start)
    from_hi = np.where(next_same, search_within(ts, lo, hi, next_start), hi)
    from_hi = np.maximum(from_hi, from_lo)
    # the search this replaces compared times in float64 once some step had no leg: so do we
    spanned = int((from_hi - from_lo).sum())
    exact = spanned == len(track) - len(first)
    # steps into rows from_lo + 1 .. from_hi; those ending by the leg's end are a prefix of them
    stop = search_within(ts, from_lo + 1, from_hi + 1, leg_end, side="right", as_float=not exact)
    count = stop - (from_lo + 1)
    distance = np.zeros(n_legs, dtype=np.float64)
    last_row = np.zeros(n_legs, dtype=np.int64)
    longest = np.zeros(n_legs, dtype=np.int64)
    stepped = np.flatnonzero(count > 0)
    if len(stepped):
        begin, count_s = from_lo[stepped] + 1, count[stepped]
        ends = np.cumsum(count_s)
        rows = np.arange(int(ends[-1])) + np.repeat(begin - (ends - count_s), count_s)
        label = np.repeat(stepped, count_s)
        # pandas' compensated group sum, adding each leg's steps in time order, as it always has
        sums = pd.Series(track.dist_prev[rows]).groupby(label).sum()
        distance[stepped] = sums.to_numpy(dtype=np.float64)
        last_row[stepped] = begin + count_s - 1
        longest[stepped] = np.maximum.reduceat(track.dt_prev[rows], ends - count_s)
    return distance, last_row, np.asarray(count, dtype=np.int64), longest


def voyages(
    positions: pd.DataFrame | Track,
    ports: pd.DataFrame | PortIndex | None = None,
    config: VoyageConfig | None = None,
    *,
    calls: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Port-to-port legs: one row per voyage, in ``schema.VOYAGE_DTYPES``.

    Args:
        positions: canonical POSITION frame (or a `vesselscreen.events.Track`); needs ``mmsi``,
            ``timestamp`` (timezone-aware), ``lat``, ``lon`` and ``sog`` (knots); ``imo`` and
            ``name`` are used when present.
        ports: ports table, `vesselscreen.geo.PortIndex`, or ``None`` for the bundled gazetteer.
        config: `VoyageConfig` (the port-call and stop thresholds); defaults otherwise.
        calls: the port calls of these positions, if already detected with the same ports
            and ``config.port_calls`` (saves detecting them again).

    Returns:
        Voyages sorted by ``mmsi`` and ``departure``. ``origin_*`` is NA for a leg that starts
        at the beginning of the track, ``destination_*`` NA for one that ends with it.
        ``n_stops``/``stop_duration`` count the port-less stops that lie wholly inside the leg.
    """
    config = check_config(config, VoyageConfig)
    track = Track.of(
        positions, ports, required=_REQUIRED, default_radius_m=config.port_calls.default_radius_m
    )
    if calls is None:
        calls = detect_port_calls(track, config.port_calls)
    return detect_voyages(track, calls, detect_stops(track, config.stops))


def detect_voyages(track: Track, calls: pd.DataFrame, stops: pd.DataFrame) -> pd.DataFrame:
    """`voyages` on a track, from its port calls and stops (the screening context detects each once)."""
    if calls.empty or track.empty:
        return empty_frame(VOYAGE_DTYPES)
    # rows are sorted by vessel and time: a vessel's first and last rows hold its first and last time
    first = np.flatnonzero(track.new_vessel)
    last = np.append(first[1:], len(track)) - 1
    first_ts = pd.Series(track.ts[first], index=track.mmsi[first])
    last_ts = pd.Series(track.ts[last], index=track.mmsi[first])
    legs = _legs(calls, first_ts, last_ts)
    if legs.empty:
        return empty_frame(VOYAGE_DTYPES)
    n_legs = len(legs)
    leg_end = legs[_END].to_numpy(dtype=np.int64)

    # Every step between consecutive positions of a vessel goes to the leg that spans it: the
    # vessel's last leg starting at or before the step's first row, if the step's last row is
    # by the leg's end. Rows and legs are both sorted by vessel and time, so each leg's steps
    # are one run of rows, found by a search per leg, not per row.
    distance, last_row, n_steps, longest = _steps_of_legs(track, legs, leg_end)
    # port-less stops wholly inside a leg
    sea_stops = stops[stops[STOP.PORT_ID].isna()]
    stop_leg = _last_leg_at(
        legs,
        sea_stops[STOP.MMSI].to_numpy(dtype=np.int64),
        sea_stops[STOP.START].to_numpy(dtype="datetime64[ns]").view(np.int64),
    )
    inside = _ends_by(stop_leg, sea_stops[STOP.END].to_numpy(dtype="datetime64[ns]").view(np.int64), leg_end)
    stop_count = np.bincount(stop_leg[inside], minlength=n_legs).astype(np.int64)
    stop_time = np.zeros(n_legs, dtype=np.int64)
    np.add.at(
        stop_time,
        stop_leg[inside],
        sea_stops[STOP.DURATION].to_numpy(dtype="timedelta64[ns]").view(np.int64)[inside],
    )

    # identity: the last IMO and name the vessel broadcast up to its arrival
    origin = legs["origin"].to_numpy()
    destination = legs["destination"].to_numpy()
    out = pd.concat(
        [
            pd.DataFrame(
                {
                    VOYAGE.MMSI: legs[VOYAGE.MMSI].to_numpy(),
                    VOYAGE.IMO: track.carried(POSITION.IMO, last_row).to_numpy(),
                    VOYAGE.NAME: track.carried(POSITION.NAME, last_row).to_numpy(),
                }
            ),
            _call_columns(
                calls,
                origin,
                {
                    PORT_CALL.PORT_ID: VOYAGE.ORIGIN_PORT_ID,
                    PORT_CALL.PORT_NAME: VOYAGE.ORIGIN_PORT_NAME,
                    PORT_CALL.COUNTRY: VOYAGE.ORIGIN_COUNTRY,
                },
            ),
            _call_columns(
                calls,
                destination,
                {
                    PORT_CALL.PORT_ID: VOYAGE.DESTINATION_PORT_ID,
                    PORT_CALL.PORT_NAME: VOYAGE.DESTINATION_PORT_NAME,
                    PORT_CALL.COUNTRY: VOYAGE.DESTINATION_COUNTRY,
                },
            ),
            pd.DataFrame(
                {
                    VOYAGE.DEPARTURE: to_utc(legs[_START].to_numpy(dtype=np.int64)),
                    VOYAGE.ARRIVAL: to_utc(legs[_END].to_numpy(dtype=np.int64)),
                    VOYAGE.DISTANCE_M: distance,
                    VOYAGE.LONGEST_GAP: pd.to_timedelta(longest, unit="ns"),
                    VOYAGE.N_STOPS: stop_count,
                    VOYAGE.STOP_DURATION: pd.to_timedelta(stop_time, unit="ns"),
                    VOYAGE.N_POSITIONS: np.where(n_steps > 0, n_steps + 1, 0),
                }
            ),
        ],
        axis=1,
    )
    out[VOYAGE.DURATION] = out[VOYAGE.ARRIVAL] - out[VOYAGE.DEPARTURE]
    return conform(out, VOYAGE_DTYPES)
