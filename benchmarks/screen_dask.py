"""Benchmark: screening an archive with Dask (1 and 2 local workers), locally in bounded memory, and pandas.

Data: ``DAYS`` (3) generated realistic days of ``ROWS_PER_DAY`` (3 M) rows each
(``_realistic_day.py``: continuous tracks that run across midnights, around real US
ports, some vessels broadcasting OFAC-listed IMOs), written as one MarineCadastre CSV,
read back in 1 M-row chunks into a `vs.Archive` (64 MMSI buckets).

Each way of screening runs in a fresh process, so its peak memory is its own:

* ``pandas``: ``archive.read()`` then ``vs.screen`` (the whole period in memory);
* ``local``: ``vs.screen_archive(archive, scheduler="synchronous")``, one piece of
  ``PIECE_ROWS`` rows at a time (the bounded-memory path for one machine);
* ``dask-1``, ``dask-2``: ``vs.screen_archive(archive, client=client)`` on a
  ``LocalCluster`` of 1 and 2 worker processes (one thread each); each worker's memory
  is sampled every 0.2 s while it works.

Prints wall time, peak memory (the process's, and each worker's) and whether every
way's ``to_frame()`` equals the pandas one.

    flock /tmp/heavy.lock .venv/bin/python benchmarks/screen_dask.py [rows_per_day]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from _realistic_day import write_day
from _util import ROOT

import vesselscreen as vs

ROWS_PER_DAY = int(sys.argv[1]) if len(sys.argv) > 1 else 3_000_000
DAYS = 3
PIECE_ROWS = 1_000_000
OFAC = ROOT / "tests" / "data" / "lists" / "ofac" / "sdn.csv"

RUN = """
import json, sys, threading, time
sys.path.insert(0, {bench!r})
from _util import peak_rss_mb
import vesselscreen as vs
archive, watchlist, mode = vs.Archive.open({archive!r}), vs.load_watchlist({ofac!r}), {mode!r}
workers = {{}}
begin = time.perf_counter()
if mode == "pandas":
    result = vs.screen(archive.read(), watchlist)
elif mode == "local":
    result = vs.screen_archive(archive, watchlist, scheduler="synchronous", rows_per_piece={piece})
else:
    import psutil
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=int(mode[-1]), threads_per_worker=1, processes=True,
                      dashboard_address=None, memory_limit="8GiB") as cluster, Client(cluster) as client:
        done = threading.Event()
        def sample():
            while not done.is_set():
                for address, rss in client.run(lambda: psutil.Process().memory_info().rss).items():
                    workers[address] = max(workers.get(address, 0), rss / 2**20)
                time.sleep(0.2)
        watcher = threading.Thread(target=sample)
        watcher.start()
        begin = time.perf_counter()
        try:
            result = vs.screen_archive(archive, watchlist, client=client, rows_per_piece={piece})
        finally:
            done.set()
            watcher.join()
seconds = time.perf_counter() - begin
result.to_frame().to_pickle({out!r})
print(json.dumps({{"seconds": seconds, "peak_mb": peak_rss_mb(), "workers": sorted(workers.values()),
                  "findings": len(result.findings), "positions": result.metadata.positions}}))
"""


def run(mode: str, archive: Path, out: Path) -> dict[str, object]:
    code = RUN.format(
        bench=str(ROOT / "benchmarks"),
        archive=str(archive),
        ofac=str(OFAC),
        mode=mode,
        piece=PIECE_ROWS,
        out=str(out),
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{mode} failed:\n{done.stderr[-3000:]}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        begin = time.perf_counter()
        csv = write_day(Path(folder) / "AIS_2023_01_11.csv", ROWS_PER_DAY * DAYS, days=DAYS)
        print(
            f"{DAYS} days x {ROWS_PER_DAY:,} rows generated in {time.perf_counter() - begin:.0f} s "
            f"({csv.stat().st_size / 2**20:,.0f} MB of CSV)"
        )
        begin = time.perf_counter()
        archive = vs.Archive(Path(folder) / "archive")
        written = archive.write(vs.read_ais(csv, chunksize=1_000_000))
        print(
            f"archived in {time.perf_counter() - begin:.0f} s: {written.rows:,} rows, "
            f"{len(archive.days())} days, {archive.buckets} buckets, "
            f"{len(archive.pieces(rows_per_piece=PIECE_ROWS))} pieces of <= {PIECE_ROWS:,} rows"
        )
        frames = {}
        for mode in ("pandas", "local", "dask-1", "dask-2"):
            out = Path(folder) / f"{mode}.pkl"
            result = run(mode, archive.path, out)
            frames[mode] = pd.read_pickle(out)
            workers = result["workers"]
            per_worker = (
                ", workers " + " / ".join(f"{w:,.0f}" for w in workers) + " MB" if workers else ""  # type: ignore[attr-defined]
            )
            print(
                f"  {mode:7s} {result['seconds']:7.1f} s  peak {result['peak_mb']:7,.0f} MB{per_worker}  "
                f"{result['findings']} findings of {result['positions']:,} positions, "
                f"equal to pandas: {frames[mode].equals(frames['pandas'])}"
            )


if __name__ == "__main__":
    main()
