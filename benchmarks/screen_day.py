"""Benchmark: read and screen a realistic AIS day, against a bare pyarrow read of the same file.

Data: generated days in MarineCadastre's layout (`_realistic_day.py`: continuous tracks,
about 400 reports per vessel, ships moored and anchored at real gazetteer ports, transits
with gaps, slow vessels and meetings at sea), of 1 and 3 million rows, screened against
the bundled OFAC sdn.csv excerpt (some generated ships broadcast listed IMO numbers).

Printed, each measured in this run:

* ``pyarrow.csv.read_csv`` of the file (the reference: all columns, default options);
* ``vs.read_ais`` and ``vs.screen``, each at its best of three runs, and their sum as a
  multiple of the reference (with the first screening's time and ratio beside it);
* screening time per row at 3 M against 1 M (work done once: it should stay flat);
* peak memory of reading and screening 3 M rows, in a fresh process;
* a one-shot job at 1 M rows: a fresh process that reads and screens once, against a fresh
  process's pyarrow read, with glibc's defaults and with glibc told to keep the memory it
  frees (``MALLOC_ARENA_MAX=1`` and high trim and mmap thresholds: see docs/screening.md);
* ``vs.screen`` on 10,000 positions after a warm-up (embedded use: many small screens);
* ``import vesselscreen`` against ``import pandas``, each in a fresh interpreter, and the
  imports a first screening needs.

    .venv/bin/python benchmarks/screen_day.py [rows ...]
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.csv as pacsv
from _realistic_day import write_day
from _util import ROOT, in_subprocess

import vesselscreen as vs

SIZES = [int(arg) for arg in sys.argv[1:]] or [1_000_000, 3_000_000]
WATCHLIST = ROOT / "tests" / "data" / "lists" / "ofac" / "sdn.csv"

PEAK = """
import json, sys
sys.path.insert(0, {benchmarks!r})
from _util import peak_rss_mb
import vesselscreen as vs
ais = vs.read_ais({path!r})
result = vs.screen(ais, vs.load_watchlist({watchlist!r}))
print(json.dumps({{"rows": len(ais), "findings": len(result.findings), "peak_mb": peak_rss_mb()}}))
"""


def best_of(runs: int, function: object, *args: object) -> tuple[float, object]:
    times, value = [], None
    for _ in range(runs):
        begin = time.perf_counter()
        value = function(*args)  # type: ignore[operator]
        times.append(time.perf_counter() - begin)
    return min(times), value


def timed(function: object, *args: object) -> tuple[float, object]:
    begin = time.perf_counter()
    value = function(*args)  # type: ignore[operator]
    return time.perf_counter() - begin, value


def day(folder: Path, rows: int, watchlist: vs.Watchlist) -> float:
    path = write_day(folder / f"AIS_day_{rows}.csv", rows)
    # each at its best of several runs (on a shared machine single runs spread widely, and a
    # slow reference would flatter the ratio): the reference of five, read_ais and screen of
    # three; the first screening, which pays for fresh memory pages, is printed beside them
    reference, _ = best_of(5, pacsv.read_csv, path)
    read_s, ais = best_of(3, vs.read_ais, path)
    screens = [timed(vs.screen, ais, watchlist) for _ in range(3)]
    screen_s, result = min(screens, key=lambda run: run[0])
    first_s = screens[0][0]
    n = len(ais)  # type: ignore[arg-type]
    total = read_s + screen_s
    print(
        f"{n:>10,} rows, {ais['mmsi'].nunique():,} vessels: pyarrow read {reference:5.2f} s | "  # type: ignore[index]
        f"read_ais {read_s:5.2f} s + screen {screen_s:5.2f} s = {total:5.2f} s = "
        f"{total / reference:4.1f}x the reference; {len(result.findings)} findings; "  # type: ignore[attr-defined]
        f"screen {screen_s / n * 1e6:.2f} us/row; first screen {first_s:.2f} s "
        f"({(read_s + first_s) / reference:.1f}x)"
    )
    return screen_s / n


def peak(folder: Path, rows: int) -> None:
    path = folder / f"AIS_day_{rows}.csv"
    code = PEAK.format(benchmarks=str(Path(__file__).parent), path=str(path), watchlist=str(WATCHLIST))
    result = in_subprocess(code)
    rows_read, peak_mb = int(result["rows"]), result["peak_mb"]
    print(f"peak RSS, read_ais + screen of {rows_read:,} rows in a fresh process: {peak_mb:,.0f} MB")


ONE_SHOT = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
import pyarrow.csv as pacsv
import vesselscreen as vs
watchlist = vs.load_watchlist({watchlist!r})
read_ais, screen = vs.read_ais, vs.screen  # the modules imported (as pyarrow's is): the work is timed
begin = time.perf_counter()
if sys.argv[1] == "pyarrow":
    pacsv.read_csv({path!r})
else:
    screen(read_ais({path!r}), watchlist)
print(json.dumps({{"seconds": time.perf_counter() - begin}}))
"""
KEEP_FREED_MEMORY = {
    "MALLOC_ARENA_MAX": "1",
    "MALLOC_TRIM_THRESHOLD_": str(1 << 32),
    "MALLOC_MMAP_THRESHOLD_": str(1 << 30),
}
"""glibc settings that keep freed memory for reuse instead of handing it back to the system."""


def one_shot(folder: Path, rows: int, rounds: int = 3) -> None:
    """A job that reads and screens once in a fresh process: it pays for every first touch of
    memory, and for first-use work (the bundled gazetteer's port index) that a warm process keeps."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return
    path = folder / f"AIS_day_{rows}.csv"
    code = ONE_SHOT.format(path=str(path), watchlist=str(WATCHLIST))

    def run(what: str, env: dict[str, str]) -> float:
        done = subprocess.run(
            [sys.executable, "-c", code, what], capture_output=True, text=True, check=True, env=env
        )
        return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])

    default, kept = dict(os.environ), {**os.environ, **KEEP_FREED_MEMORY}
    times: dict[str, list[float]] = {"reference": [], "default": [], "kept": []}
    for _ in range(rounds):  # alternated, so that a slow spell of the machine falls on all three
        times["reference"].append(run("pyarrow", default))
        times["default"].append(run("screen", default))
        times["kept"].append(run("screen", kept))
    med = {name: statistics.median(values) for name, values in times.items()}
    print(
        f"one-shot job, fresh processes (median of {rounds}): pyarrow read {med['reference']:.2f} s | "
        f"read_ais + screen {med['default']:.2f} s ({med['default'] / med['reference']:.1f}x); "
        f"with glibc keeping freed memory {med['kept']:.2f} s ({med['kept'] / med['reference']:.1f}x, "
        f"{med['kept'] / med['default']:.2f}x the default)"
    )


def small(folder: Path, watchlist: vs.Watchlist) -> None:
    path = write_day(folder / "AIS_small.csv", 10_000, seed=7)
    ais = vs.read_ais(path)
    vs.screen(ais, watchlist)  # warm-up: gazetteer parsed, port index built, modules imported
    times = []
    for _ in range(7):
        begin = time.perf_counter()
        vs.screen(ais, watchlist)
        times.append(time.perf_counter() - begin)
    median_ms = statistics.median(times) * 1000
    print(f"vs.screen on {len(ais):,} positions after warm-up: median {median_ms:.0f} ms")


def import_times() -> None:
    def fresh(code: str) -> float:
        runs = []
        for _ in range(5):
            done = subprocess.run(
                [sys.executable, "-c", f"import time; t = time.perf_counter(); {code}; "
                 "print(time.perf_counter() - t)"],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            runs.append(float(done.stdout.strip().splitlines()[-1]))
        return statistics.median(runs)

    pandas_s = fresh("import pandas")
    package_s = fresh("import vesselscreen")
    working_s = fresh("import vesselscreen as vs; vs.read_ais, vs.load_watchlist, vs.screen")
    print(
        f"import pandas {pandas_s * 1000:.0f} ms; import vesselscreen {package_s * 1000:.0f} ms "
        f"({package_s / pandas_s:.2f}x); with what a first screening imports (read_ais, load_watchlist, "
        f"screen) {working_s * 1000:.0f} ms ({working_s / pandas_s:.2f}x)"
    )


def main() -> None:
    watchlist = vs.load_watchlist(WATCHLIST)
    vs.screen(vs.read_ais(vs.demo.ais_path()), watchlist)  # warm-up
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        per_row = [day(folder, rows, watchlist) for rows in SIZES]
        if len(per_row) > 1:
            ratio = per_row[-1] / per_row[0]
            print(f"screen time per row at {SIZES[-1]:,} rows: {ratio:.2f}x that at {SIZES[0]:,}")
        peak(folder, SIZES[-1])
        one_shot(folder, SIZES[0])
        small(folder, watchlist)
    import_times()


if __name__ == "__main__":
    main()
