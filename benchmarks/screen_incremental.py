"""Benchmark: the incremental ``vs.Screener``: what a feed costs, and that it finds what a batch finds.

1. **The demo, fed hourly** (481 feeds) and six-hourly (81 feeds), then flushed: wall
   time, and whether the findings equal ``vs.screen`` on the whole demo (``to_frame()``).
2. **A realistic day** of ``ROWS`` (default 10 M) rows (``_realistic_day.py``: continuous
   tracks around real US ports, 25,000 vessels, some broadcasting OFAC-listed IMOs),
   read from its MarineCadastre CSV and fed in time order in 1 M-row chunks: seconds per
   feed, the last feed against the first (target: at most 1.5x) and, with ``--batch``,
   the findings against ``vs.screen`` of the whole day.
3. **Steady state on one core**: the process pinned to one CPU (and Arrow to one thread),
   the same day fed in 100,000-row chunks after its first two hours; median rows per
   second (target: at least 50,000; the world's AIS is about 3,500 reports a second).

Peak RSS is printed after each part. Run it alone (the machine's other work skews it):

    flock /tmp/heavy.lock .venv/bin/python benchmarks/screen_incremental.py [rows] [--batch]
"""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
from _realistic_day import write_day
from _util import ROOT

import vesselscreen as vs
from vesselscreen.screening.live import finding_key

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
ROWS = int(ARGS[0]) if ARGS else 10_000_000
CHUNK = 1_000_000
STEADY_CHUNK = 100_000
OFAC = ROOT / "tests" / "data" / "lists" / "ofac" / "sdn.csv"


def demo(hours: int) -> None:
    ais = vs.read_ais(vs.demo.ais_path())
    watchlist = vs.load_watchlist(vs.demo.watchlist_path())
    expected = vs.screen(ais, watchlist).to_frame()
    screener = vs.Screener(watchlist, window=timedelta(days=30))
    t = ais["timestamp"]
    edges = pd.date_range(t.min().floor("h"), t.max() + pd.Timedelta(hours=hours), freq=f"{hours}h")
    begin = time.perf_counter()
    for low, high in itertools.pairwise(edges):
        screener.feed(ais[(t >= low) & (t < high)])
    screener.flush()
    seconds = time.perf_counter() - begin
    got = screener.to_frame()
    feeds = len(edges) - 1
    print(
        f"  demo, {feeds} feeds of {hours} h: {seconds:5.1f} s ({seconds / feeds * 1000:.0f} ms a feed); "
        f" {len(got)} findings, batch {len(expected)}, equal: {got.equals(expected)}; "
        f"reported once each: {len(screener.reported) == len({finding_key(f) for f in screener.reported})}"
    )


def rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def day(path: Path, *, batch: bool) -> None:
    ais = vs.read_ais(path).sort_values("timestamp", kind="stable").reset_index(drop=True)
    watchlist = vs.load_watchlist(OFAC)
    print(f"  {len(ais):,} rows of {ais['mmsi'].nunique():,} vessels, fed in {CHUNK:,}-row chunks:")
    before = rss_mb()
    screener = vs.Screener(watchlist)
    cpu = []
    for start in range(0, len(ais), CHUNK):
        part = ais.iloc[start : start + CHUNK]
        begin, begin_cpu = time.perf_counter(), time.process_time()
        new = screener.feed(part)
        seconds = time.perf_counter() - begin
        cpu.append(time.process_time() - begin_cpu)
        print(
            f"    feed {len(cpu):2d}: {len(part):>9,} rows {seconds:6.2f} s ({cpu[-1]:5.2f} s CPU) "
            f"{len(part) / seconds:>9,.0f} rows/s  {len(new):3d} new findings"
        )
    begin = time.perf_counter()
    screener.flush()
    print(f"    flush: {time.perf_counter() - begin:.2f} s; {len(screener.findings)} findings")
    full = [c for c, start in zip(cpu, range(0, len(ais), CHUNK), strict=True) if start + CHUNK <= len(ais)]
    print(
        f"  CPU time of the last full feed / the first: {full[-1] / full[0]:.2f}x, of the slowest: "
        f"{max(full) / full[0]:.2f}x (target <= 1.5x); the Screener holds {rss_mb() - before:,.0f} MB "
        f"(evidence window 3 days: every row of the day)"
    )
    if batch:
        begin = time.perf_counter()
        expected = vs.screen(ais, watchlist).to_frame()
        print(
            f"  vs.screen of the whole day: {time.perf_counter() - begin:.1f} s; "
            f"findings equal: {screener.to_frame().equals(expected)} ({len(expected)})"
        )


def steady(path: Path) -> None:
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    ais = vs.read_ais(path).sort_values("timestamp", kind="stable").reset_index(drop=True)
    screener = vs.Screener(vs.load_watchlist(OFAC))
    warm = ais["timestamp"] < ais["timestamp"].min() + pd.Timedelta(hours=2)
    screener.feed(ais[warm])
    rest = ais[~warm]
    rates = []
    for start in range(0, len(rest) - STEADY_CHUNK + 1, STEADY_CHUNK):
        part = rest.iloc[start : start + STEADY_CHUNK]
        begin = time.perf_counter()
        screener.feed(part)
        rates.append(len(part) / (time.perf_counter() - begin))
    print(
        f"  one core, {len(rates)} feeds of {STEADY_CHUNK:,} rows after the first two hours: median "
        f"{statistics.median(rates):,.0f} rows/s (min {min(rates):,.0f}; target >= 50,000)"
    )


def main() -> None:
    print("== the demo, fed as it happened")
    for hours in (1, 6):
        demo(hours)
    with tempfile.TemporaryDirectory() as folder:
        begin = time.perf_counter()
        path = write_day(Path(folder) / "AIS_2023_01_11.csv", ROWS)
        print(f"== a realistic day ({ROWS:,} rows generated in {time.perf_counter() - begin:.0f} s)")
        day(path, batch="--batch" in sys.argv)
        print("== steady state")
        steady(path)


if __name__ == "__main__":
    main()
