"""Encounters: two vessels side by side at sea for hours (possible ship-to-ship transfers).

Following Global Fishing Watch (Miller et al. 2018), two vessels meet when they are
within ``EncounterConfig.max_distance_m`` (500 m) of each other for at least
``min_duration_h`` (2 h), each with a median speed below ``max_median_sog_kn`` (2 kn),
at least ``min_port_distance_m`` (10 km) from every port. The method:

1. **A common time grid.** Each vessel's track is interpolated (great-circle-wise
   linear in lat/lon, across the antimeridian) onto instants every ``grid_minutes`` (10),
   but only between two of its positions at most ``max_interpolation_gap_h`` apart, so
   vessels with different report rates are compared at the same instants and nothing
   is invented across a silence. Speed at a grid point is interpolated from the
   reported speeds (the implied speed where none is reported).
2. **Away from ports.** Grid points within ``min_port_distance_m`` of a port are dropped,
   and so is every stretch of a vessel's consecutive grid points that cannot hold an
   encounter: shorter than ``min_duration_h``, or with no point below ``max_median_sog_kn``
   (the encounters found are the same; there are far fewer points to pair).
3. **Space-time buckets, never all pairs.** Each grid point goes into a cell of a 3-D
   grid over the unit sphere (cells ``max_distance_m`` wide, so there are no seams at the
   antimeridian or the poles) at its instant. Candidate pairs are the points in the same
   or a neighbouring cell at the same instant, found by sorting and binary search; exact
   haversine distances then keep those within ``max_distance_m``.
4. **Runs.** For each pair of vessels, consecutive grid instants together form an
   encounter; it is kept when it lasts ``min_duration_h`` (from the first to the last
   instant) and both vessels' median speeds are below the limit.

Each pair is reported once, with ``mmsi_1 < mmsi_2``; ``lat``/``lon`` is the mean of
the vessels' midpoints.

>>> import pandas as pd
>>> t0 = pd.Timestamp("2024-03-01", tz="UTC")
>>> times = [t0 + pd.Timedelta(minutes=10 * i) for i in range(19)]
>>> a = pd.DataFrame({"mmsi": 273000002, "timestamp": times, "lat": 40.0, "lon": 51.0, "sog": 0.5})
>>> b = a.assign(mmsi=273000001, lat=40.002)
>>> meeting = encounters(pd.concat([a, b])).iloc[0]
>>> int(meeting.mmsi_1), int(meeting.mmsi_2), str(meeting.duration), round(float(meeting.median_distance_m))
(273000001, 273000002, '0 days 03:00:00', 222)
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from vesselscreen._runs import concatenated_ranges, positions_in_runs
from vesselscreen.events._common import HOUR_NS, BoolArray, FloatArray, IntArray, check_config, to_utc
from vesselscreen.events.config import EncounterConfig
from vesselscreen.events.track import BASE_COLUMNS, Track
from vesselscreen.geo.distance import EARTH_RADIUS_M, haversine_m
from vesselscreen.geo.ports import PortIndex, PortProximity
from vesselscreen.limits import M_PER_NM
from vesselscreen.schema import ENCOUNTER, ENCOUNTER_DTYPES, POSITION, conform, empty_frame

__all__ = ["encounters"]

_REQUIRED: Final = (*BASE_COLUMNS, POSITION.SOG)
_MINUTE_NS: Final = 60_000_000_000
_M_PER_DEG: Final = EARTH_RADIUS_M * np.pi / 180.0
# half of the 27-cell neighbourhood, as columns of three cells along z (dx, dy): each unordered
# pair of cells is visited once. The column (0, 0) is the cell itself (its later points) and the
# cell above it; points of one column are contiguous in key order, so two searches find them.
_FORWARD: Final = ((0, 1), (1, -1), (1, 0), (1, 1))


_ROWS_PER_SLICE: Final = 1 << 16
"""Rows per slice of the row-wise pass of `_grid_steps` (its temporaries stay cache-sized)."""


def _grid_steps(track: Track, grid_ns: int, max_gap_ns: int) -> tuple[IntArray, IntArray]:
    """The rows whose step from the previous row holds grid instants, and the chain ends on the grid.

    Row ``i``'s step covers ``[ts[i - 1], ts[i])`` when it is one vessel's, lasts at most
    ``max_gap_ns`` and is not empty; a chain's last position is a point itself when it falls
    on the grid exactly. Reports come seconds apart and instants minutes apart, so few rows
    qualify: the whole track is scanned once, slice by slice, and only those rows go on.
    """
    n = len(track)
    steps: list[IntArray] = []
    tails: list[IntArray] = []
    for a in range(0, n, _ROWS_PER_SLICE):
        b = min(a + _ROWS_PER_SLICE, n)
        hi = min(b + 1, n)  # one row more: whether the step after the slice's last row is valid
        dt = track.dt_prev[a:hi]
        valid = ~track.new_vessel[a:hi] & (dt > 0) & (dt <= max_gap_ns)
        # first instant at or after each time: the step into i holds instants up[i - 1] .. up[i] - 1
        lo = max(a - 1, 0)
        up = -(-track.ts[lo:b] // grid_ns)
        holds = np.zeros(b - a, dtype=bool)
        holds[lo + 1 - a :] = up[1:] > up[:-1]
        steps.append(np.flatnonzero(valid[: b - a] & holds) + a)
        next_valid = np.zeros(b - a, dtype=bool)
        next_valid[: hi - a - 1] = valid[1:]
        ends = np.flatnonzero(valid[: b - a] & ~next_valid) + a
        tails.append(ends[track.ts[ends] % grid_ns == 0])
    return np.concatenate(steps), _uncovered(track, np.concatenate(tails), max_gap_ns)


def _uncovered(track: Track, tails: IntArray, max_gap_ns: int) -> IntArray:
    """The chain ends whose instant no step holds: a step from the same time (after rows that
    share it) starts with that instant, and the step's point is the one kept."""
    n = len(track)
    after = tails + 1
    while True:  # past the rows sharing the time (a few duplicates at most)
        inside = np.flatnonzero(after < n)
        same = inside[~track.new_vessel[after[inside]] & (track.dt_prev[after[inside]] == 0)]
        if len(same) == 0:
            break
        after[same] += 1
    covered = np.zeros(len(tails), dtype=bool)
    inside = np.flatnonzero(after < n)
    dt = track.dt_prev[after[inside]]
    covered[inside] = ~track.new_vessel[after[inside]] & (dt > 0) & (dt <= max_gap_ns)
    return tails[~covered]


def _resample(
    track: Track, grid_ns: int, max_gap_ns: int, config: EncounterConfig
) -> tuple[IntArray, IntArray, FloatArray, FloatArray, FloatArray]:
    """The grid points that can be part of an encounter (`_may_meet`), sorted by vessel and slot:
    (mmsi, slot, lat, lon, speed kn), one point per vessel-slot."""
    sog = track.sog
    step, tail = _grid_steps(track, grid_ns, max_gap_ns)
    t0 = track.ts[step - 1]
    k0 = -(-t0 // grid_ns)
    count = -(-track.ts[step] // grid_ns) - k0
    if bool((count == 1).all()):  # reports more often than the grid: one instant per step
        slot, i1 = k0, step
    else:
        rep = np.repeat(np.arange(len(step)), count)
        slot = k0[rep] + positions_in_runs(count)
        i1 = step[rep]
    i0 = i1 - 1
    dt = track.dt_prev[i1]  # ts[i1] - ts[i0]: one vessel's consecutive rows
    frac = (slot * grid_ns - track.ts[i0]) / dt
    s0, s1 = sog[i0], sog[i1]
    known0, known1 = np.isfinite(s0), np.isfinite(s1)
    speed = np.where(known0 & known1, s0 + frac * (s1 - s0), np.where(known0, s0, s1))
    neither = np.flatnonzero(~known0 & ~known1)  # no speed reported: the implied one
    speed[neither] = track.dist_prev[i1[neither]] / M_PER_NM / (dt[neither] / HOUR_NS)
    row = i1
    between = np.ones(len(slot), dtype=bool)  # a point between two positions, not a chain end
    if len(tail):
        implied_tail = np.where(
            track.dt_prev[tail] > 0, track.dist_prev[tail] / M_PER_NM / (track.dt_prev[tail] / HOUR_NS), 0.0
        )
        # steps hold increasing instants in row order; a chain end's instant follows its own
        # row's step and precedes every later one: inserted there, all stay sorted by vessel and slot
        at = np.searchsorted(i1, tail, side="right")
        row = np.insert(i1, at, tail)
        slot = np.insert(slot, at, track.ts[tail] // grid_ns)
        speed = np.insert(speed, at, np.where(np.isfinite(sog[tail]), sog[tail], implied_tail))
        frac = np.insert(frac, at, 0.0)
        between = np.insert(between, at, False)
    mmsi = track.mmsi[row]
    keep = np.flatnonzero(_may_meet(mmsi, slot, speed, grid_ns, config))
    mmsi, slot, speed, row = mmsi[keep], slot[keep], speed[keep], row[keep]
    frac, between = frac[keep], between[keep]

    r1 = row[between]
    r0 = r1 - 1
    f = frac[between]
    lon0 = track.lon[r0]
    lat_between = track.lat[r0] + f * (track.lat[r1] - track.lat[r0])
    lon_between = _wrap(lon0 + f * _wrap(track.lon[r1] - lon0))
    if len(r1) == len(row):
        lat, lon = lat_between, lon_between
    else:  # chain ends are points at their own position
        lat, lon = track.lat[row], track.lon[row]
        lat[between], lon[between] = lat_between, lon_between
    return mmsi, slot, lat, lon, np.asarray(speed, dtype=np.float64)


def _wrap(lon: FloatArray) -> FloatArray:
    """``(lon + 180) % 360 - 180`` (a longitude difference or sum back into [-180, 180)), with the
    remainder, which is slow, taken only where it changes something.

    >>> _wrap(np.array([10.0, 190.0, -200.0])).tolist()
    [10.0, -170.0, 160.0]
    """
    shifted = lon + 180.0
    outside = np.flatnonzero((shifted < 0.0) | (shifted >= 360.0))
    shifted[outside] %= 360.0
    shifted -= 180.0
    return shifted


def _chain_starts(mmsi: IntArray, slot: IntArray) -> IntArray:
    """The first point of each chain of one vessel's consecutive slots (points sorted by vessel and slot).

    >>> _chain_starts(np.array([1, 1, 1, 2]), np.array([5, 6, 8, 8])).tolist()
    [0, 2, 3]
    """
    new = np.ones(len(slot), dtype=bool)
    new[1:] = (mmsi[1:] != mmsi[:-1]) | (slot[1:] != slot[:-1] + 1)
    return np.asarray(np.flatnonzero(new), dtype=np.int64)


_SETTLED_WITHIN_M: Final = 500.0
"""A grid point this close (m) to the first point of its chain is near a port when that first point
is within ``min_port_distance_m`` less twice this of one (`_near_port`). 500 m: the swing of an
anchored ship; metre-scale jitter at a berth."""


def _near_port(
    ports: PortIndex, mmsi: IntArray, slot: IntArray, lat: FloatArray, lon: FloatArray, max_distance_m: float
) -> BoolArray:
    """Whether a port lies within ``max_distance_m`` of each grid point (sorted by vessel and slot),
    as `PortProximity.any_within` answers.

    Moored and anchored ships, half the points of a day, hardly move: when a chain's first
    point has a port within ``max_distance_m - 2 * _SETTLED_WITHIN_M``, every point of the
    chain within `_SETTLED_WITHIN_M` of it has one within ``max_distance_m`` (triangle
    inequality, with 500 m to spare), so one question settles them all. The other points
    are asked one by one. Only "near" is ever inferred, and only with circle ports (measured
    by haversine; a polygon port is measured on its own projection).
    """
    near = np.zeros(len(lat), dtype=bool)
    inner = max_distance_m - 2 * _SETTLED_WITHIN_M
    ask = np.arange(len(lat))
    if inner > 0 and len(ports.polygon_ports) == 0 and len(lat):
        first = _chain_starts(mmsi, slot)
        length = np.diff(np.append(first, len(lat)))
        lat0, lon0 = np.repeat(lat[first], length), np.repeat(lon[first], length)
        cos0 = np.repeat(np.cos(np.radians(lat[first])), length)
        # at most this far from the chain's first point (cheaper than haversine): along the meridian
        # to its latitude, then along that parallel (no shorter than the great circle; longitude
        # unwrapped, which only lengthens it)
        apart = (np.abs(lat - lat0) + np.abs(lon - lon0) * cos0) * _M_PER_DEG
        first_near = PortProximity(ports, lat[first], lon[first]).any_within(inner)
        near = (apart <= _SETTLED_WITHIN_M) & np.repeat(first_near, length)
        ask = np.flatnonzero(~near)
    near[ask] = PortProximity(ports, lat[ask], lon[ask]).any_within(max_distance_m)
    return near


def _may_meet(
    mmsi: IntArray, slot: IntArray, speed: FloatArray, grid_ns: int, config: EncounterConfig
) -> BoolArray:
    """Which grid points (sorted by vessel and slot) can be part of an encounter.

    An encounter's instants are consecutive for both vessels, so each vessel's points of it
    lie in one chain of its consecutive slots; the chain must span ``min_duration_h`` and,
    for a median below ``max_median_sog_kn``, hold a point below it. Other chains are
    dropped whole: a kept chain keeps all its pairs, so the runs found are unchanged.
    """
    n = len(slot)
    if n == 0:
        return np.zeros(0, dtype=bool)
    first = _chain_starts(mmsi, slot)
    last = np.append(first[1:], n) - 1
    long_enough = (slot[last] - slot[first]) * grid_ns >= config.min_duration_h * HOUR_NS
    slow = np.add.reduceat((speed < config.max_median_sog_kn).astype(np.int64), first) > 0
    return np.asarray(np.repeat(long_enough & slow, last - first + 1), dtype=np.bool_)


def _candidate_pairs(slot: IntArray, cells: IntArray, nx: int) -> tuple[IntArray, IntArray]:
    """Index pairs (i, j), i != j, of points at the same slot in the same or a neighbouring cell."""
    base = slot - slot.min()
    key = ((base * nx + cells[:, 0]) * nx + cells[:, 1]) * nx + cells[:, 2]
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    firsts: list[IntArray] = []
    seconds: list[IntArray] = []
    everyone = np.arange(len(sorted_key))
    columns = [(everyone + 1, np.searchsorted(sorted_key, sorted_key + 1, side="right"))]
    for dx, dy in _FORWARD:
        centre = sorted_key + (dx * nx + dy) * nx
        columns.append(
            (
                np.searchsorted(sorted_key, centre - 1, side="left"),
                np.searchsorted(sorted_key, centre + 1, side="right"),
            )
        )
    for lo, hi in columns:
        count = np.maximum(hi - lo, 0)
        if not count.any():
            continue
        a = np.repeat(everyone, count)
        b = concatenated_ranges(lo, count)
        firsts.append(order[a])
        seconds.append(order[b])
    if not firsts:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(firsts), np.concatenate(seconds)


def _pairs(
    slot: IntArray, lat: FloatArray, lon: FloatArray, max_distance_m: float
) -> tuple[IntArray, IntArray]:
    """Index pairs of points at the same slot within ``max_distance_m`` (haversine)."""
    # cells as wide as the distance (`space_cells`): close points are in neighbouring cells
    reach = int(np.ceil(1.0 / (max_distance_m / EARTH_RADIUS_M))) + 1
    cells = space_cells(lat, lon, max_distance_m) + reach
    nx = 2 * reach + 1
    # the key packs (slot, cell) into one int64; split long periods into windows that fit
    window = max(1, (2**62) // nx**3)
    firsts: list[IntArray] = []
    seconds: list[IntArray] = []
    start = slot.min()
    span = int(slot.max() - start) + 1
    for lo in range(0, span, window):
        part = np.flatnonzero((slot - start >= lo) & (slot - start < lo + window))
        i, j = _candidate_pairs(slot[part], cells[part], nx)
        firsts.append(part[i])
        seconds.append(part[j])
    i, j = np.concatenate(firsts), np.concatenate(seconds)
    close = haversine_m(lat[i], lon[i], lat[j], lon[j]) <= max_distance_m
    return i[close], j[close]


def encounters(
    positions: pd.DataFrame | Track,
    ports: pd.DataFrame | PortIndex | None = None,
    config: EncounterConfig | None = None,
) -> pd.DataFrame:
    """Every encounter between two vessels: one row per meeting, in ``schema.ENCOUNTER_DTYPES``.

    Args:
        positions: canonical POSITION frame (or a `vesselscreen.events.Track`); needs ``mmsi``,
            ``timestamp`` (timezone-aware), ``lat``, ``lon`` and ``sog`` (knots). Not modified.
        ports: ports table, `vesselscreen.geo.PortIndex`, or ``None`` for the bundled gazetteer.
        config: thresholds; `EncounterConfig` defaults otherwise.

    Returns:
        Encounters sorted by ``mmsi_1``, ``mmsi_2`` and ``start`` (``mmsi_1 < mmsi_2``):
        first and last grid instant together, median and smallest distance, mean location,
        each vessel's median speed, and the number of grid instants.
    """
    config = check_config(config, EncounterConfig)
    return detect_encounters(Track.of(positions, ports, required=_REQUIRED), config)


def _empty(columns: tuple[str, ...], *, integers: int) -> pd.DataFrame:
    """A frame with no row: the first ``integers`` columns int64, the others float64."""
    return pd.DataFrame(
        {name: np.empty(0, dtype=np.int64 if i < integers else np.float64) for i, name in enumerate(columns)}
    )


GRID_COLUMNS: Final = ("mmsi", "slot", "lat", "lon", "speed")
"""Columns of a frame of grid points (`grid_points`): vessel, grid instant (time // grid step),
interpolated position (WGS84 degrees) and speed (kn)."""


def grid_points(track: Track, config: EncounterConfig) -> pd.DataFrame:
    """Every vessel's positions on the common time grid, away from ports (steps 1 and 2), that can
    be part of an encounter (in a chain of consecutive instants long enough, with a slow point).

    A function of each vessel's rows alone: on a partition of vessels it gives those
    vessels' points of the whole frame. Sorted by vessel and instant.
    """
    if track.empty:
        return _empty(GRID_COLUMNS, integers=2)
    grid_ns = config.grid_minutes * _MINUTE_NS
    mmsi, slot, lat, lon, speed = _resample(
        track, grid_ns, int(config.max_interpolation_gap_h * HOUR_NS), config
    )
    if config.min_port_distance_m > 0 and len(mmsi):
        far = ~_near_port(track.ports, mmsi, slot, lat, lon, config.min_port_distance_m)
        mmsi, slot, lat, lon, speed = mmsi[far], slot[far], lat[far], lon[far], speed[far]
        # a point near a port cuts its chain: the pieces may be too short now
        ok = _may_meet(mmsi, slot, speed, grid_ns, config)
        mmsi, slot, lat, lon, speed = mmsi[ok], slot[ok], lat[ok], lon[ok], speed[ok]
    # copy=False: the arrays are new; pandas would otherwise copy them into one block per dtype
    return pd.DataFrame(dict(zip(GRID_COLUMNS, (mmsi, slot, lat, lon, speed), strict=True)), copy=False)


def space_cells(lat: FloatArray, lon: FloatArray, max_distance_m: float) -> IntArray:
    """Each point's cell of the 3-D grid over the unit sphere, cells ``max_distance_m`` wide: (n, 3).

    Two points within ``max_distance_m`` differ by at most one cell in each coordinate
    (a chord is never longer than its arc), so a neighbourhood of 27 cells holds every
    point that can be close: how `close_pairs` and the distributed path bucket points.
    """
    cell = max_distance_m / EARTH_RADIUS_M
    phi, lmb = np.radians(lat), np.radians(lon)
    xyz = np.stack((np.cos(phi) * np.cos(lmb), np.cos(phi) * np.sin(lmb), np.sin(phi)), axis=1)
    return np.asarray(np.floor(xyz / cell).astype(np.int64), dtype=np.int64)


PAIR_COLUMNS: Final = ("m1", "m2", "slot", "dist", "s1", "s2", "x", "y", "z")
"""Columns of a frame of close pairs (`close_pairs`)."""


def close_pairs(
    points: pd.DataFrame, max_distance_m: float, *, owned: BoolArray | None = None
) -> pd.DataFrame:
    """Pairs of grid points of two vessels at the same instant within ``max_distance_m`` (step 3).

    One row per pair with ``m1 < m2``: the instant, the distance, both speeds and the sum
    of both positions as unit vectors (for the mean location); order does not matter
    (`encounters_of_pairs` sorts). With ``owned`` (a flag per point), only the pairs whose
    ``m1`` point is owned: a space cell with a halo of its neighbours' points reports the
    pairs of its own points, so each pair is found once over all cells.
    """
    mmsi = points["mmsi"].to_numpy(dtype=np.int64)
    slot = points["slot"].to_numpy(dtype=np.int64)
    lat = points["lat"].to_numpy(dtype=np.float64)
    lon = points["lon"].to_numpy(dtype=np.float64)
    speed = points["speed"].to_numpy(dtype=np.float64)
    empty = _empty(PAIR_COLUMNS, integers=3)
    if len(mmsi) < 2:
        return empty
    i, j = _pairs(slot, lat, lon, max_distance_m)
    i, j = i[mmsi[i] != mmsi[j]], j[mmsi[i] != mmsi[j]]
    if len(i) == 0:
        return empty
    swap = mmsi[i] > mmsi[j]
    i, j = np.where(swap, j, i), np.where(swap, i, j)
    if owned is not None:
        i, j = i[owned[i]], j[owned[i]]
    phi_i, phi_j = np.radians(lat[i]), np.radians(lat[j])
    lmb_i, lmb_j = np.radians(lon[i]), np.radians(lon[j])
    return pd.DataFrame(
        {
            "m1": mmsi[i],
            "m2": mmsi[j],
            "slot": slot[i],
            "dist": haversine_m(lat[i], lon[i], lat[j], lon[j]),
            "s1": speed[i],
            "s2": speed[j],
            "x": np.cos(phi_i) * np.cos(lmb_i) + np.cos(phi_j) * np.cos(lmb_j),
            "y": np.cos(phi_i) * np.sin(lmb_i) + np.cos(phi_j) * np.sin(lmb_j),
            "z": np.sin(phi_i) + np.sin(phi_j),
        },
        copy=False,  # new arrays: a dense harbour has millions of pairs, not worth a second copy
    )


def encounters_of_pairs(pairs: pd.DataFrame, config: EncounterConfig) -> pd.DataFrame:
    """Encounters from every close pair of grid points (step 4): runs of consecutive instants.

    Needs all the pairs of each two vessels (from any number of `close_pairs` calls, each
    pair once); the result does not depend on their order.
    """
    if pairs.empty:
        return empty_frame(ENCOUNTER_DTYPES)
    grid_ns = config.grid_minutes * _MINUTE_NS
    order = np.lexsort((pairs["slot"].to_numpy(), pairs["m2"].to_numpy(), pairs["m1"].to_numpy()))
    pairs = pairs.iloc[order].reset_index(drop=True)
    m1, m2, s = (pairs[c].to_numpy() for c in ("m1", "m2", "slot"))
    new_run = np.ones(len(pairs), dtype=bool)
    new_run[1:] = (m1[1:] != m1[:-1]) | (m2[1:] != m2[:-1]) | (s[1:] != s[:-1] + 1)
    starts = np.flatnonzero(new_run)
    ends = np.append(starts[1:], len(pairs)) - 1
    # the runs' ends read straight from the sorted arrays; medians and sums by pandas' kernels,
    # several columns per call (pandas sums with compensation: kept, so the results do not move)
    grouped = pairs.groupby(np.cumsum(new_run), sort=True)
    medians = grouped[["dist", "s1", "s2"]].median()
    sums = grouped[["x", "y", "z"]].sum()
    first, last = s[starts], s[ends]
    duration = (last - first).astype(np.int64) * grid_ns
    s1, s2 = medians["s1"].to_numpy(), medians["s2"].to_numpy()
    keep = (
        (duration >= config.min_duration_h * HOUR_NS)
        & (s1 < config.max_median_sog_kn)
        & (s2 < config.max_median_sog_kn)
    )
    x, y, z = (sums[c].to_numpy()[keep] for c in ("x", "y", "z"))
    out = pd.DataFrame(
        {
            ENCOUNTER.MMSI_1: m1[starts][keep],
            ENCOUNTER.MMSI_2: m2[starts][keep],
            ENCOUNTER.START: to_utc(first[keep].astype(np.int64) * grid_ns),
            ENCOUNTER.END: to_utc(last[keep].astype(np.int64) * grid_ns),
            ENCOUNTER.DURATION: pd.to_timedelta(duration[keep], unit="ns"),
            ENCOUNTER.MEDIAN_DISTANCE_M: medians["dist"].to_numpy()[keep],
            ENCOUNTER.MIN_DISTANCE_M: np.fmin.reduceat(pairs["dist"].to_numpy(), starts)[keep],  # skips NaN
            ENCOUNTER.LAT: np.degrees(np.arctan2(z, np.hypot(x, y))),
            ENCOUNTER.LON: np.degrees(np.arctan2(y, x)),
            ENCOUNTER.MEDIAN_SOG_1: s1[keep],
            ENCOUNTER.MEDIAN_SOG_2: s2[keep],
            ENCOUNTER.N_POINTS: (ends - starts + 1)[keep],
        }
    )
    return conform(out.reset_index(drop=True), ENCOUNTER_DTYPES)


def detect_encounters(track: Track, config: EncounterConfig) -> pd.DataFrame:
    """`encounters` on a track (the screening context calls this once)."""
    if track.empty:
        return empty_frame(ENCOUNTER_DTYPES)
    return encounters_of_pairs(close_pairs(grid_points(track, config), config.max_distance_m), config)
