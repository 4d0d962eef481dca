"""Position spoofing and manipulation: tracks that cannot be one honest ship's.

Kinds of event (``kind`` column), all from the positions of one MMSI:

* ``two_places``: one MMSI in two places at once: at least ``min_repeats`` impossible
  jumps, each within ``repeat_window_h`` of the previous one, between two streams of
  positions that each persist (``min_stream_reports`` reports over ``min_stream_h``):
  two transmitters sharing an MMSI, or a false track interleaved with the real one.
  ``value``: the number of jumps.
* ``jump``: an impossible jump after which the track stays where it jumped to, the
  streams before and after it both persisting (a relocated transponder, or a spoofed
  position held for hours). ``value``: the implied speed (kn).
* ``on_land``: a run of positions on land and more than ``land_port_buffer_m`` from any
  port, when the optional package ``global-land-mask`` is installed (its 1 km GLOBE mask
  ships inside the package, so the check is offline); skipped without it, and inside
  ``inland_seas``, which the mask counts as land. ``value``: positions in the run.
* ``draught_change``: the reported draught changed by at least ``draught_change_m`` across
  an AIS gap (`gaps`) that started away from port: loaded or discharged while dark.
  ``value``: the change in metres (positive: deeper, i.e. loaded).

A jump is an impossible step between consecutive positions (`vesselscreen.MotionLimits`:
above 50 kn) longer than ``min_displacement_m`` (10 km). One position that disagrees with
a track (a lone bad fix, a stale row at the start of a daily file, a duplicate reception)
is a data-quality matter for `vesselscreen.clean_ais`, never evidence of spoofing.
Identity changes (name, IMO, flag) are not covered here: they come from the AIS
identity timeline.

>>> import pandas as pd
>>> t0 = pd.Timestamp("2024-03-01", tz="UTC")
>>> lats = [40.0 + 0.01 * i for i in range(8)] + [43.0 + 0.01 * i for i in range(8)]
>>> track = pd.DataFrame({"mmsi": 273000001, "lat": lats, "lon": 51.0,
...     "timestamp": [t0 + pd.Timedelta(minutes=10 * i) for i in range(16)]})
>>> event = spoofing(track).iloc[0]
>>> event.kind, str(event.start)
('jump', '2024-03-01 01:10:00+00:00')
>>> event.detail
'325.8 km in 0.17 h, and stayed: 8 reports over 1.2 h before, 8 over 1.2 h after'
>>> spoofing(track.drop(index=range(9, 16))).empty  # one far fix at the end: no spoofing
True
"""

from __future__ import annotations

import importlib
import importlib.util

import numpy as np
import pandas as pd

from vesselscreen.events._common import HOUR_NS, BoolArray, FloatArray, IntArray, check_config, runs, to_utc
from vesselscreen.events._gaps import detect_gaps
from vesselscreen.events.config import GapConfig, SpoofingConfig
from vesselscreen.events.track import Track
from vesselscreen.geo.ports import PortIndex
from vesselscreen.schema import GAP, POSITION, SPOOFING, SPOOFING_DTYPES, conform, empty_frame

__all__ = ["land_mask_available", "spoofing"]


def land_mask_available() -> bool:
    """Whether the optional ``global-land-mask`` package is installed (the ``on_land`` check).

    >>> isinstance(land_mask_available(), bool)
    True
    """
    return importlib.util.find_spec("global_land_mask") is not None


def _on_land(lat: np.ndarray, lon: np.ndarray, config: SpoofingConfig) -> BoolArray:
    # optional dependency (checked by land_mask_available), imported by name: it has no type stubs
    globe = importlib.import_module("global_land_mask.globe")
    land = np.asarray(globe.is_land(lat, lon), dtype=bool)
    for lat_min, lat_max, lon_min, lon_max in config.inland_seas:  # a handful of boxes
        land &= ~((lat >= lat_min) & (lat <= lat_max) & (lon >= lon_min) & (lon <= lon_max))
    return land


def _events(
    track: Track,
    rows_first: np.ndarray,
    rows_last: np.ndarray,
    kind: str,
    value: np.ndarray,
    detail: list[str],
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": rows_last,
            SPOOFING.MMSI: track.mmsi[rows_last],
            SPOOFING.KIND: kind,
            SPOOFING.START: track.ts[rows_first],
            SPOOFING.END: track.ts[rows_last],
            SPOOFING.LAT: track.lat[rows_last],
            SPOOFING.LON: track.lon[rows_last],
            SPOOFING.VALUE: value.astype(np.float64),
            SPOOFING.N_POSITIONS: rows_last - rows_first + 1,
            SPOOFING.DETAIL: detail,
        }
    )


def _streams(track: Track, jump_rows: IntArray) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """The track cut at its jumps: per row its stream (a run between jumps); per stream its
    first row, last row and number of reports."""
    cut = track.new_vessel.copy()
    cut[jump_rows] = True
    stream = np.cumsum(cut) - 1
    first = np.flatnonzero(cut)
    last = np.append(first[1:], len(track)) - 1
    return stream, first, last, last - first + 1


def _persists(
    track: Track, first: IntArray, last: IntArray, count: IntArray, config: SpoofingConfig
) -> BoolArray:
    """Whether a stream of reports persists: enough reports over a long enough stretch."""
    hours = (track.ts[last] - track.ts[first]) / HOUR_NS
    return np.asarray((count >= config.min_stream_reports) & (hours >= config.min_stream_h), dtype=np.bool_)


def _near(track: Track, row: int) -> str:
    return f"{track.lat[row]:.3f}, {track.lon[row]:.3f}"


def _jump_events(
    track: Track, rows: IntArray, speed: FloatArray, config: SpoofingConfig
) -> list[pd.DataFrame]:
    """``two_places`` and ``jump`` events: impossible jumps between position streams that persist.

    Jumps of one vessel each within ``repeat_window_h`` of the previous form an episode. With
    ``min_repeats`` jumps or more, the streams between them alternate between two places:
    both places' reports must persist (``min_stream_reports`` over ``min_stream_h``). With
    fewer, each jump is an event when the streams before and after it both persist (a track
    that jumps and stays). A burst of stale rows or a lone bad fix never qualifies.
    """
    stream, first, last, count = _streams(track, rows)
    persists = _persists(track, first, last, count, config)
    window = int(config.repeat_window_h * HOUR_NS)
    new_episode = np.ones(len(rows), dtype=bool)
    new_episode[1:] = (track.mmsi[rows[1:]] != track.mmsi[rows[:-1]]) | (
        track.ts[rows[1:]] - track.ts[rows[:-1]] > window
    )
    starts = np.flatnonzero(new_episode)
    ends = np.append(starts[1:], len(rows)) - 1
    events: list[pd.DataFrame] = []
    two_first, two_last, two_value, two_detail = [], [], [], []
    single: list[int] = []
    for e_start, e_end in zip(starts, ends, strict=True):  # one loop step per episode of jumps, not per row
        jumps = rows[e_start : e_end + 1]
        if len(jumps) < config.min_repeats:
            single.extend(int(j) for j in jumps)
            continue
        involved = np.arange(stream[jumps[0] - 1], stream[jumps[-1]] + 1)
        sides = [involved[0::2], involved[1::2]]
        counts = [int(count[side].sum()) for side in sides]
        hours = [float((track.ts[last[side[-1]]] - track.ts[first[side[0]]]) / HOUR_NS) for side in sides]
        if min(counts) < config.min_stream_reports or min(hours) < config.min_stream_h:
            continue
        two_first.append(int(first[involved[0]]))
        two_last.append(int(last[involved[-1]]))
        two_value.append(len(jumps))
        places = [_near(track, int(first[side[0]])) for side in sides]
        two_detail.append(
            f"{len(jumps)} impossible jumps (up to {float(speed[jumps].max()):,.0f} kn) between two position "
            f"streams that each persist: {counts[0]} reports over {hours[0]:.1f} h near {places[0]} and "
            f"{counts[1]} reports over {hours[1]:.1f} h near {places[1]}"
        )
    events.append(
        _events(track, np.array(two_first, dtype=np.int64), np.array(two_last, dtype=np.int64), "two_places",
                np.array(two_value, dtype=np.float64), two_detail)
    )  # fmt: skip
    lone = np.array(single, dtype=np.int64)
    if len(lone):
        before, after = stream[lone - 1], stream[lone]
        stays = persists[before] & persists[after]
        lone, before, after = lone[stays], before[stays], after[stays]
        detail = [
            f"{track.dist_prev[j] / 1000:.1f} km in {track.dt_prev[j] / HOUR_NS:.2f} h, and stayed: "
            f"{count[b]} reports over {(track.ts[last[b]] - track.ts[first[b]]) / HOUR_NS:.1f} h before, "
            f"{count[a]} over {(track.ts[last[a]] - track.ts[first[a]]) / HOUR_NS:.1f} h after"
            for j, b, a in zip(lone, before, after, strict=True)
        ]
        events.append(_events(track, lone - 1, lone, "jump", speed[lone], detail))
    return events


def spoofing(
    positions: pd.DataFrame | Track,
    ports: pd.DataFrame | PortIndex | None = None,
    config: SpoofingConfig | None = None,
    *,
    gaps: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every spoofing event: one row per event, in ``schema.SPOOFING_DTYPES``.

    Args:
        positions: canonical POSITION frame (or a `vesselscreen.events.Track`); needs ``mmsi``,
            ``timestamp`` (timezone-aware), ``lat`` and ``lon``; ``imo``, ``name`` and ``draught``
            are used when present.
        ports: ports table, `vesselscreen.geo.PortIndex`, or ``None`` for the bundled gazetteer.
        config: thresholds; `SpoofingConfig` defaults otherwise.
        gaps: the AIS gaps of these positions (`vesselscreen.events.gaps`), for the draught
            check; detected with `GapConfig` defaults when not given.

    Returns:
        Events sorted by ``mmsi``, ``start`` and ``kind``; ``lat``/``lon`` is the offending
        position (the last of the event).
    """
    config = check_config(config, SpoofingConfig)
    track = Track.of(positions, ports)
    return detect_spoofing(track, config, gaps if gaps is not None else detect_gaps(track, GapConfig()))


def detect_spoofing(track: Track, config: SpoofingConfig, gaps: pd.DataFrame) -> pd.DataFrame:
    """`spoofing` on a track, with its gaps (the screening context detects each once)."""
    if track.empty:
        return empty_frame(SPOOFING_DTYPES)
    speed = track.implied_speed_kn()
    jump = track.impossible_step & (track.dist_prev > config.min_displacement_m)
    parts: list[pd.DataFrame] = []
    rows = np.flatnonzero(jump)
    if len(rows):
        parts += _jump_events(track, rows, speed, config)

    if config.check_land and land_mask_available():
        land = _on_land(track.lat, track.lon, config)
        if land.any():
            land &= ~track.near_port(config.land_port_buffer_m, rows=land)
        run = runs(land, track.new_vessel)
        rows = np.flatnonzero(land)
        if len(rows):
            ids = run[rows]
            starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
            first = rows[starts]
            last = rows[np.concatenate((starts[1:], [len(rows)])) - 1]
            count = last - first + 1
            parts.append(
                _events(track, first, last, "on_land", count, [f"{k} positions on land" for k in count])
            )

    found = gaps
    change = (found[GAP.DRAUGHT_END] - found[GAP.DRAUGHT_START]).to_numpy(dtype=np.float64, na_value=np.nan)
    moved = found[GAP.START_PORT_ID].isna().to_numpy() & (np.abs(change) >= config.draught_change_m)
    if moved.any():
        picked = found[moved]
        start_ns = picked[GAP.START].to_numpy(dtype="datetime64[ns]").view(np.int64)
        end_ns = picked[GAP.END].to_numpy(dtype="datetime64[ns]").view(np.int64)
        # rows are sorted by (mmsi, time): the row that ends a gap is the vessel's first row at the
        # gap's end (rows sharing that time follow it), and the row before it starts the gap
        vessels = picked[GAP.MMSI].to_numpy(dtype=np.int64)
        lo = np.searchsorted(track.mmsi, vessels, "left")
        hi = np.searchsorted(track.mmsi, vessels, "right")
        after = np.array(
            [a + np.searchsorted(track.ts[a:b], t, "left") for a, b, t in zip(lo, hi, end_ns, strict=True)],
            dtype=np.int64,
        )  # one search per gap with a draught change: few
        before = after - 1
        parts.append(
            _events(
                track,
                before,
                after,
                "draught_change",
                change[moved],
                [
                    f"draught {a:.1f} m -> {b:.1f} m across a {(e - s) / HOUR_NS:.1f} h gap"
                    for a, b, s, e in zip(
                        picked[GAP.DRAUGHT_START], picked[GAP.DRAUGHT_END], start_ns, end_ns, strict=True
                    )
                ],
            )
        )

    events = (
        pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else None
    )
    if events is None:
        return empty_frame(SPOOFING_DTYPES)
    row = events.pop("row").to_numpy()
    events[SPOOFING.IMO] = track.carried(POSITION.IMO, row).to_numpy()
    events[SPOOFING.NAME] = track.carried(POSITION.NAME, row).to_numpy()
    events[SPOOFING.START] = to_utc(events[SPOOFING.START].to_numpy(dtype=np.int64))
    events[SPOOFING.END] = to_utc(events[SPOOFING.END].to_numpy(dtype=np.int64))
    events = events.sort_values([SPOOFING.MMSI, SPOOFING.START, SPOOFING.KIND], kind="mergesort")
    return conform(events.reset_index(drop=True), SPOOFING_DTYPES)
