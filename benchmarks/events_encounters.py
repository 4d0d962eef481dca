"""Benchmark: `vesselscreen.events.encounters` on 0.25-2 million positions of 2,000 vessels.

Synthetic traffic in the open central Pacific (no port within 10 km), generated in memory
and written to a temporary Parquet file that is read back, so the run starts from data on
disk like a real one. 2,000 vessels report every 2-10 minutes (irregular, so the 10-minute
resampling is exercised); 1 in 20 vessels is paired with a partner that drifts 300 m
beside it at 0.5 kn for the whole track: a planted encounter. Everyone else steams at
10-15 kn on a random course. Prints the time per size, rows/s, peak RSS and the planted
encounters found. Target: 1 million positions in under 30 s.

    .venv/bin/python benchmarks/events_encounters.py
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from vesselscreen.events import encounters
from vesselscreen.schema import POSITION

VESSELS = 2_000
SIZES = (250_000, 500_000, 1_000_000, 2_000_000)
M_PER_DEG = 111_195.0


def traffic(n_positions: int, seed: int = 7) -> pd.DataFrame:
    """``n_positions`` positions of VESSELS vessels (equal counts), with planted pairs."""
    rng = np.random.default_rng(seed)
    per = n_positions // VESSELS
    vessel = np.repeat(np.arange(VESSELS), per)
    step_s = rng.uniform(120, 600, size=vessel.size)
    step_s[np.arange(VESSELS) * per] = rng.uniform(0, 600, size=VESSELS)
    t = pd.Series(step_s).groupby(vessel).cumsum().to_numpy()
    lat0 = rng.uniform(0.0, 15.0, VESSELS)
    lon0 = rng.uniform(-150.0, -130.0, VESSELS)
    course = rng.uniform(0, 2 * np.pi, VESSELS)
    speed = rng.uniform(10.0, 15.0, VESSELS)
    leader = np.arange(0, VESSELS, 40)  # every 40th vessel leads a pair with the next one
    follower = leader + 1
    speed[leader] = speed[follower] = 0.5
    course[follower] = course[leader]
    lat0[follower] = lat0[leader] + 300.0 / M_PER_DEG
    lon0[follower] = lon0[leader]
    dist_m = speed[vessel] * 1852.0 / 3600.0 * t
    lat = lat0[vessel] + dist_m * np.cos(course[vessel]) / M_PER_DEG
    lon = lon0[vessel] + dist_m * np.sin(course[vessel]) / (M_PER_DEG * np.cos(np.radians(lat)))
    return pd.DataFrame(
        {
            POSITION.MMSI: pd.array(273_000_000 + vessel, dtype="Int64"),
            POSITION.TIMESTAMP: pd.Timestamp("2024-05-01", tz="UTC") + pd.to_timedelta(t, unit="s"),
            POSITION.LAT: lat,
            POSITION.LON: lon,
            POSITION.SOG: speed[vessel] + rng.normal(0, 0.1, vessel.size).clip(-0.4, 0.4),
        }
    )


def peak_rss_mb() -> float:
    scale = 1024 if sys.platform != "darwin" else 1024 * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def main() -> None:
    print(f"encounters: {VESSELS:,} vessels, open sea, 1 in 40 vessels paired (planted encounters)")
    with tempfile.TemporaryDirectory() as tmp:
        timings = []
        for size in SIZES:
            path = Path(tmp) / f"traffic_{size}.parquet"
            traffic(size).to_parquet(path)
            positions = pd.read_parquet(path)
            start = time.perf_counter()
            found = encounters(positions)
            elapsed = time.perf_counter() - start
            timings.append(elapsed)
            planted = len(range(0, VESSELS, 40))
            hits = found[(found["mmsi_2"] - found["mmsi_1"] == 1) & (found["mmsi_1"] % 40 == 0)]
            print(
                f"  {size:>9,} positions: {elapsed:6.2f} s  {size / elapsed:>12,.0f} rows/s  "
                f"encounters {len(found):>4} (planted pairs found {hits['mmsi_1'].nunique()}/{planted})  "
                f"peak RSS {peak_rss_mb():,.0f} MB"
            )
        per_row = [t / s for t, s in zip(timings, SIZES, strict=True)]
        print(f"  time per row, 2M vs 0.25M: {per_row[-1] / per_row[0]:.2f}x (1.0 = linear)")
        verdict = "meets" if timings[SIZES.index(1_000_000)] < 30 else "MISSES"
        print(f"  1M positions in {timings[SIZES.index(1_000_000)]:.1f} s: {verdict} the 30 s target")


if __name__ == "__main__":
    main()
