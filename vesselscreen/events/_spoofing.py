"""Position spoofing and manipulation: tracks that cannot be one honest ship's.

Kinds of event (``kind`` column), all from the positions of one MMSI:

* ``off_track``: one position far off an otherwise consistent track: reaching it and
  leaving it both need an impossible speed, while the positions on either side are
  consistent with each other and reached without jumps. ``value``: its distance from the nearer neighbour (m).
* ``two_places``: one MMSI in two places at once: at least ``min_repeats`` impossible
  jumps, each within ``repeat_window_h`` of the previous one (two transmitters sharing
  an MMSI, or a false track interleaved with the real one). ``value``: the number of jumps.
* ``jump``: a single impossible jump that is neither of the above (a relocated
  transponder, or a spoofed position held for a while). ``value``: the implied speed (kn).
* ``on_land``: a run of positions on land and more than ``land_port_buffer_m`` from any
  port, when the optional package ``global-land-mask`` is installed (its 1 km GLOBE mask
  ships inside the package, so the check is offline); skipped without it, and inside
  ``inland_seas``, which the mask counts as land. ``value``: positions in the run.
* ``draught_change``: the reported draught changed by at least ``draught_change_m`` across
  an AIS gap (`gaps`) that started away from port: loaded or discharged while dark.
  ``value``: the change in metres (positive: deeper, i.e. loaded).

A jump is an impossible step between consecutive positions (`vesselscreen.MotionLimits`:
above 50 kn) longer than ``min_displacement_m`` (10 km). Identity changes (name, IMO,
flag) are not covered here: they come from the AIS identity timeline.

>>> import pandas as pd
>>> t0 = pd.Timestamp("2024-03-01", tz="UTC")
>>> track = pd.DataFrame({"mmsi": 273000001, "lat": [40.0, 40.01, 43.0, 40.03, 40.04],
...     "lon": 51.0, "timestamp": [t0 + pd.Timedelta(minutes=10 * i) for i in range(5)]})
>>> event = spoofing(track).iloc[0]
>>> event.kind, str(event.start), round(float(event.value))
('off_track', '2024-03-01 00:20:00+00:00', 330249)
"""

from __future__ import annotations

import importlib
import importlib.util

import numpy as np
import pandas as pd

from vesselscreen.events._common import HOUR_NS, BoolArray, check_config, runs, to_utc
from vesselscreen.events._gaps import detect_gaps
from vesselscreen.events.config import GapConfig, SpoofingConfig
from vesselscreen.events.track import Track
from vesselscreen.geo.distance import haversine_m
from vesselscreen.geo.ports import PortIndex
from vesselscreen.limits import M_PER_NM
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
    n = len(track)
    speed = track.implied_speed_kn()
    jump = track.impossible_step & (track.dist_prev > config.min_displacement_m)
    parts: list[pd.DataFrame] = []

    # off_track: jump in and jump out of row i, while i-1 -> i+1 is plausible
    inner = np.zeros(n, dtype=bool)
    inner[1:-1] = jump[1:-1] & jump[2:] & ~track.new_vessel[2:]
    # ...and isolated: the neighbours are reached without a jump (else it is a pattern)
    isolated = np.ones(n, dtype=bool)
    isolated[1:] &= ~jump[:-1]
    later = np.zeros(n, dtype=bool)
    later[:-2] = jump[2:] & ~track.new_vessel[2:] & ~track.new_vessel[1:-1]
    inner &= isolated & ~later
    rows = np.flatnonzero(inner)
    if len(rows):
        bridge = haversine_m(
            track.lat[rows - 1], track.lon[rows - 1], track.lat[rows + 1], track.lon[rows + 1]
        )
        hours = (track.ts[rows + 1] - track.ts[rows - 1]) / HOUR_NS
        with np.errstate(divide="ignore", invalid="ignore"):
            plausible = (bridge <= config.min_displacement_m) | (
                bridge / M_PER_NM / hours <= track.limits.max_speed_kn
            )
        rows = rows[plausible]
    off = rows
    off_m = np.minimum(track.dist_prev[off], track.dist_prev[off + 1]) if len(off) else np.empty(0)
    parts.append(
        _events(track, off, off, "off_track", off_m, [f"{d / 1000:.1f} km off the track" for d in off_m])
    )

    # the remaining impossible jumps: repeated ones are two places at once, single ones jumps
    explained = np.zeros(n, dtype=bool)
    explained[off] = True
    explained[off + 1] = True
    rest = np.flatnonzero(jump & ~explained)
    if len(rest):
        window = int(config.repeat_window_h * HOUR_NS)
        new_episode = np.ones(len(rest), dtype=bool)
        new_episode[1:] = (track.mmsi[rest[1:]] != track.mmsi[rest[:-1]]) | (
            track.ts[rest[1:]] - track.ts[rest[:-1]] > window
        )
        episode = np.cumsum(new_episode)
        count = np.bincount(episode)[episode]
        per = pd.DataFrame({"row": rest, "episode": episode, "speed": speed[rest]}).groupby("episode")
        first = per["row"].min().to_numpy()
        last = per["row"].max().to_numpy()
        fastest = per["speed"].max().to_numpy()
        jumps = per["row"].size().to_numpy()
        many = jumps >= config.min_repeats
        parts.append(
            _events(
                track,
                first[many] - 1,
                last[many],
                "two_places",
                jumps[many],
                [
                    f"{k} impossible jumps, up to {s:,.0f} kn"
                    for k, s in zip(jumps[many], fastest[many], strict=True)
                ],
            )
        )
        single = rest[count < config.min_repeats]
        parts.append(
            _events(
                track,
                single - 1,
                single,
                "jump",
                speed[single],
                [
                    f"{d / 1000:.1f} km in {dt / HOUR_NS:.2f} h"
                    for d, dt in zip(track.dist_prev[single], track.dt_prev[single], strict=True)
                ],
            )
        )

    if config.check_land and land_mask_available():
        land = _on_land(track.lat, track.lon, config)
        if land.any():
            land &= ~track.near_port(config.land_port_buffer_m)
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
        # rows are sorted by (mmsi, time): find the row that ends each gap
        key = pd.MultiIndex.from_arrays([track.mmsi, track.ts])
        after = key.get_indexer(
            pd.MultiIndex.from_arrays([picked[GAP.MMSI].to_numpy(dtype=np.int64), end_ns])
        )
        before = key.get_indexer(
            pd.MultiIndex.from_arrays([picked[GAP.MMSI].to_numpy(dtype=np.int64), start_ns])
        )
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
