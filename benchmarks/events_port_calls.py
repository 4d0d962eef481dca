"""Benchmark: port calls and stops against MovingPandas' TrajectoryStopDetector.

Synthetic fleet of 1,000 vessels x 1,000 positions (1 million), reporting every 5 minutes
(with 5 m position noise), generated into a temporary Parquet file and read back. Each
vessel starts stopped for 3 h at a real gazetteer port, then alternates 6 h sailing at
10-14 kn with 1.5-4 h stopped at sea. Measured:

* vesselscreen `port_calls` and `stops` on all 1 million positions;
* MovingPandas ``TrajectoryStopDetector.get_stop_segments`` (max_diameter 300 m,
  min_duration 1 h) on a subset of vessels, extrapolated per position to 1 million (it runs
  vessel by vessel in Python; the output says so);
* agreement of the stops, side by side on the subset: a stop "agrees" when the other tool
  has a stop of the same vessel overlapping it in time; plus the median difference of
  start and end times.

Skips MovingPandas with a message when it is not installed (``pip install movingpandas
geopandas``, the ``bench`` extra).

    .venv/bin/python benchmarks/events_port_calls.py
"""

from __future__ import annotations

import importlib.util
import resource
import sys
import tempfile
import time
import warnings
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from vesselscreen.events import port_calls, stops
from vesselscreen.geo import load_ports
from vesselscreen.schema import POSITION

VESSELS = 1_000
PER_VESSEL = 1_000
STEP_S = 300
SUBSET = 15  # vessels given to MovingPandas
M_PER_DEG = 111_195.0


def fleet(seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ports = load_ports()
    ports = ports[ports["harbor_size"].notna()].reset_index(drop=True)
    home = ports.iloc[rng.choice(len(ports), VESSELS)]
    vessel = np.repeat(np.arange(VESSELS), PER_VESSEL)
    i = np.tile(np.arange(PER_VESSEL), VESSELS)
    t = i * STEP_S + rng.uniform(0, 30, vessel.size)
    # schedule: 3 h in port, then cycles of 6 h sailing + a stop of 1.5-4 h (per vessel)
    stop_h = rng.uniform(1.5, 4.0, VESSELS)[vessel]
    hours = t / 3600.0
    cycle = 6.0 + stop_h
    in_cycle = np.maximum(hours - 3.0, 0.0) % cycle
    n_cycles = np.floor(np.maximum(hours - 3.0, 0.0) / cycle)
    moving = (hours >= 3.0) & (in_cycle < 6.0)
    speed = rng.uniform(10.0, 14.0, VESSELS)[vessel]
    sailed_h = n_cycles * 6.0 + np.where(moving, in_cycle, np.where(hours >= 3.0, 6.0, 0.0))
    dist = sailed_h * speed * 1852.0
    course = rng.uniform(0, 2 * np.pi, VESSELS)[vessel]
    lat0 = home["lat"].to_numpy()[vessel]
    lon0 = home["lon"].to_numpy()[vessel]
    lat = np.clip(
        lat0 + dist * np.cos(course) / M_PER_DEG + rng.normal(0, 5, vessel.size) / M_PER_DEG, -85, 85
    )
    lon = lon0 + (dist * np.sin(course) + rng.normal(0, 5, vessel.size)) / (
        M_PER_DEG * np.cos(np.radians(lat))
    )
    lon = (lon + 180.0) % 360.0 - 180.0
    sog = np.where(moving, speed + rng.normal(0, 0.3, vessel.size), rng.uniform(0.0, 0.15, vessel.size))
    return pd.DataFrame(
        {
            POSITION.MMSI: pd.array(200_000_000 + vessel, dtype="Int64"),
            POSITION.TIMESTAMP: pd.Timestamp("2024-06-01", tz="UTC") + pd.to_timedelta(t, unit="s"),
            POSITION.LAT: lat,
            POSITION.LON: lon,
            POSITION.SOG: sog,
            POSITION.IMO: pd.array([None] * vessel.size, dtype="Int64"),
            POSITION.NAME: pd.array(["V"] * vessel.size, dtype="string"),
        }
    )


def peak_rss_mb() -> float:
    scale = 1024 if sys.platform != "darwin" else 1024 * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def movingpandas_stops(positions: pd.DataFrame) -> pd.DataFrame:
    import geopandas as gpd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Missing optional dependencies" (Stone Soup)
        import movingpandas as mpd

    gdf = gpd.GeoDataFrame(
        {"mmsi": positions[POSITION.MMSI].astype("int64").to_numpy()},
        geometry=gpd.points_from_xy(positions[POSITION.LON], positions[POSITION.LAT]),
        index=positions[POSITION.TIMESTAMP]
        .dt.tz_localize(None)
        .dt.floor("s"),  # MovingPandas keeps whole seconds
        crs="EPSG:4326",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # MovingPandas: "Discarding nonzero nanoseconds"
        collection = mpd.TrajectoryCollection(gdf, traj_id_col="mmsi")
        detector = mpd.TrajectoryStopDetector(collection)
        segments = detector.get_stop_segments(min_duration=timedelta(hours=1), max_diameter=300)
    return pd.DataFrame(
        {
            "mmsi": [int(str(s.id).split("_")[0]) for s in segments],
            "start": [pd.Timestamp(s.get_start_time(), tz="UTC") for s in segments],
            "end": [pd.Timestamp(s.get_end_time(), tz="UTC") for s in segments],
        }
    )


def agreement(ours: pd.DataFrame, theirs: pd.DataFrame) -> tuple[float, float, float, float]:
    """(share of ours matched, share of theirs matched, median |start diff| min, median |end diff| min)."""
    pairs = (
        ours.reset_index(drop=True)
        .reset_index()
        .merge(theirs.reset_index(drop=True).reset_index(), on="mmsi", suffixes=("_a", "_b"))
    )
    pairs = pairs[(pairs["start_a"] <= pairs["end_b"]) & (pairs["start_b"] <= pairs["end_a"])]
    a = pairs["index_a"].nunique() / max(len(ours), 1)
    b = pairs["index_b"].nunique() / max(len(theirs), 1)
    ds = (pairs["start_a"] - pairs["start_b"]).abs().median() / pd.Timedelta("1min")
    de = (pairs["end_a"] - pairs["end_b"]).abs().median() / pd.Timedelta("1min")
    return a, b, ds, de


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fleet.parquet"
        fleet().to_parquet(path)
        positions = pd.read_parquet(path)
    n = len(positions)
    print(f"port calls and stops: {VESSELS:,} vessels, {n:,} positions every {STEP_S // 60} min")
    start = time.perf_counter()
    calls = port_calls(positions)
    t_calls = time.perf_counter() - start
    start = time.perf_counter()
    found = stops(positions)
    t_stops = time.perf_counter() - start
    print(
        f"  vesselscreen port_calls: {t_calls:6.2f} s ({n / t_calls:>10,.0f} rows/s), "
        f"{len(calls):,} calls, {calls['mmsi'].nunique():,} vessels with a call"
    )
    print(
        f"  vesselscreen stops:      {t_stops:6.2f} s ({n / t_stops:>10,.0f} rows/s), {len(found):,} stops "
        f"({found['port_id'].notna().sum():,} in port)"
    )
    print(f"  peak RSS {peak_rss_mb():,.0f} MB")

    if importlib.util.find_spec("movingpandas") is None or importlib.util.find_spec("geopandas") is None:
        print("  MovingPandas not installed: comparison skipped (pip install movingpandas geopandas)")
        return
    mmsi = positions[POSITION.MMSI]
    subset = positions[mmsi.isin(mmsi.unique()[:SUBSET])]
    start = time.perf_counter()
    theirs = movingpandas_stops(subset)
    t_mp = time.perf_counter() - start
    mp_per_m = t_mp / len(subset) * 1_000_000
    ours = stops(subset)[["mmsi", "start", "end"]].astype({"mmsi": "int64"})
    a, b, ds, de = agreement(ours, theirs)
    ours_per_m = t_stops / n * 1_000_000
    print(
        f"  MovingPandas TrajectoryStopDetector on {SUBSET} vessels ({len(subset):,} positions): "
        f"{t_mp:.1f} s, {len(theirs)} stops; extrapolated to 1 million positions: {mp_per_m:,.0f} s"
    )
    both_per_m = (t_stops + t_calls) / n * 1_000_000
    print(
        f"  speed-up per position: stops {mp_per_m / ours_per_m:,.0f}x, port calls "
        f"{mp_per_m / (t_calls / n * 1_000_000):,.0f}x, both together {mp_per_m / both_per_m:,.0f}x"
    )
    print(
        f"  agreement on the subset: vesselscreen {len(ours)} stops, {a:.1%} overlap a MovingPandas stop; "
        f"MovingPandas {len(theirs)} stops, {b:.1%} overlap a vesselscreen stop; median |start diff| "
        f"{ds:.1f} min, |end diff| {de:.1f} min"
    )


if __name__ == "__main__":
    main()
