"""Benchmark: read_marinecadastre against a plain pyarrow CSV read, and chunked-mode memory.

Data: the real 1000-row sample in tests/data/ais/csv/ repeated to 2 million rows (and 4
million for the memory check) with varied MMSIs (shifted per repetition, kept 9 digits)
and times (spread over the day), written to a temporary folder in the real layouts: the
2015-2024 CSV, the 2025+ snake_case CSV compressed with zstd, and the 2024 GeoParquet.

A second, realistic shape (:func:`daily`): rows in time order from ``VESSELS`` (20,000)
vessels, as MarineCadastre publishes a day, in the 2015-2024 CSV layout.

Prints rows/s and MB/s of ``read_marinecadastre`` for each layout, the same for
``pyarrow.csv.read_csv`` of the same CSV (all columns, default options: the reference)
and the ratio; then the peak RSS of ``iter_marinecadastre`` (chunks of 250,000 rows)
over 1x and 2x the rows, each in a fresh process: it should not grow with the file.

    .venv/bin/python benchmarks/ais_marinecadastre.py [rows]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import shapely
from _util import AIS_DATA, ROOT, in_subprocess

from vesselscreen.ais import marinecadastre
from vesselscreen.ingest import ingest_report

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
SAMPLE = AIS_DATA / "csv" / "marinecadastre_2023-01-11_sample.csv"
CHUNK = 250_000
VESSELS = 20_000


def repeated(rows: int) -> pa.Table:
    """The sample's rows repeated to ``rows``, as text columns in the 2015-2024 layout."""
    text = pacsv.ConvertOptions(column_types=dict.fromkeys(marinecadastre.COLUMNS, pa.string()))
    sample = pacsv.read_csv(SAMPLE, convert_options=text)
    repetitions = -(-rows // sample.num_rows)
    table = pa.concat_tables([sample] * repetitions).slice(0, rows)
    repetition = np.arange(rows) // sample.num_rows
    mmsi = pc.cast(table["MMSI"], pa.int64()).to_numpy()
    mmsi = (mmsi - 100_000_000 + repetition * 1009) % 899_999_999 + 100_000_000
    seconds = (repetition * 86_400 // repetitions).astype("int64")
    base = np.datetime64("2023-01-11T00:00:00", "s")
    times = (base + seconds.astype("timedelta64[s]")).astype(str)
    table = table.set_column(0, "MMSI", pa.array(mmsi.astype(str)))
    return table.set_column(1, "BaseDateTime", pa.array(times))


def daily(rows: int) -> pa.Table:
    """A realistic day: ``rows`` reports of ``VESSELS`` vessels in time order, as published.

    Each vessel keeps the static fields (name, IMO, call sign...) of one sample row; its
    MMSI is that row's, shifted per group of vessels.
    """
    text = pacsv.ConvertOptions(column_types=dict.fromkeys(marinecadastre.COLUMNS, pa.string()))
    sample = pacsv.read_csv(SAMPLE, convert_options=text)
    random = np.random.default_rng(20230111)
    vessel = random.integers(0, VESSELS, rows)
    table = sample.take(pa.array(vessel % sample.num_rows))
    mmsi = pc.cast(table["MMSI"], pa.int64()).to_numpy()
    mmsi = (mmsi - 100_000_000 + vessel // sample.num_rows * 1009) % 899_999_999 + 100_000_000
    seconds = np.sort(random.integers(0, 86_400, rows))
    times = (np.datetime64("2023-01-11T00:00:00", "s") + seconds.astype("timedelta64[s]")).astype(str)
    table = table.set_column(0, "MMSI", pa.array(mmsi.astype(str)))
    return table.set_column(1, "BaseDateTime", pa.array(times))


def write_files(folder: Path, rows: int) -> dict[str, Path]:
    table = repeated(rows)
    options = pacsv.WriteOptions(quoting_style="none")
    csv_path = folder / "AIS_2023_01_11.csv"
    pacsv.write_csv(table, csv_path, write_options=options)
    snake = table.rename_columns(list(marinecadastre.SNAKE_COLUMNS))
    snake = snake.set_column(1, "base_date_time", pc.replace_substring(snake["base_date_time"], "T", " "))
    zst_path = folder / "ais-2025-01-11.csv.zst"
    with pa.CompressedOutputStream(str(zst_path), "zstd") as out:
        pacsv.write_csv(snake, out, write_options=options)
    lat = pc.cast(table["LAT"], pa.float64()).to_numpy()
    lon = pc.cast(table["LON"], pa.float64()).to_numpy()
    geometry = shapely.to_wkb(shapely.points(lon, lat))
    parquet = snake.drop_columns(["latitude", "longitude"]).append_column("geometry", pa.array(geometry))
    parquet_path = folder / "ais-2024-01-11.parquet"
    pq.write_table(parquet, parquet_path)
    return {"csv (2015-2024)": csv_path, "csv.zst (2025+)": zst_path, "geoparquet (2024)": parquet_path}


def timed(function: object, *args: object) -> tuple[float, object]:
    begin = time.perf_counter()
    result = function(*args)  # type: ignore[operator]
    return time.perf_counter() - begin, result


def speed(files: dict[str, Path], rows: int, shape: str) -> None:
    csv_path = files["csv (2015-2024)"]
    size_mb = csv_path.stat().st_size / 1e6
    reference = min(timed(pacsv.read_csv, csv_path)[0] for _ in range(2))
    print(f"{shape}: {rows:,} rows; CSV {size_mb:.0f} MB")
    label = "pyarrow.csv.read_csv (reference)"
    print(f"  {label} {rows / reference:>13,.0f} rows/s {size_mb / reference:4.0f} MB/s")
    for label, path in files.items():
        runs = [timed(marinecadastre.read_marinecadastre, path) for _ in range(2)]
        seconds, frame = min(runs, key=lambda run: run[0])
        report = ingest_report(frame)  # type: ignore[arg-type]
        assert report is not None
        assert report.accepted == rows, report
        ratio = seconds / reference
        print(
            f"  read_marinecadastre {label:<18} {rows / seconds:>10,.0f} rows/s  "
            f"{size_mb / seconds:6.0f} MB/s  {ratio:4.1f}x the reference's time"
        )


MEMORY = """
import json, sys
sys.path.insert(0, {benchmarks!r})
from _util import peak_rss_mb
from vesselscreen.ais.marinecadastre import iter_marinecadastre
rows = sum(len(chunk) for chunk in iter_marinecadastre({path!r}, chunksize={chunk}))
print(json.dumps({{"rows": rows, "peak_mb": peak_rss_mb()}}))
"""


def memory(folder: Path, rows: int) -> None:
    print(f"iter_marinecadastre(chunksize={CHUNK:,}) peak RSS, each in a fresh process:")
    for factor in (1, 2):
        path = folder / f"chunked_{factor}.csv"
        pacsv.write_csv(repeated(rows * factor), path, write_options=pacsv.WriteOptions(quoting_style="none"))
        code = MEMORY.format(benchmarks=str(Path(__file__).parent), path=str(path), chunk=CHUNK)
        result = in_subprocess(code)
        size = path.stat().st_size / 1e6
        print(f"  {int(result['rows']):>10,} rows ({size:5.0f} MB): peak RSS {result['peak_mb']:6.0f} MB")
        path.unlink()


def main() -> None:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        begin = time.perf_counter()
        files = write_files(folder, ROWS)
        print(f"generated in {time.perf_counter() - begin:.1f} s")
        speed(files, ROWS, "sample repeated (worst case: ~1.6M MMSIs, not in time order)")
        for path in files.values():
            path.unlink()
        path = folder / "AIS_2023_01_11_daily.csv"
        pacsv.write_csv(daily(ROWS), path, write_options=pacsv.WriteOptions(quoting_style="none"))
        speed({"csv (2015-2024)": path}, ROWS, f"daily shape (time order, {VESSELS:,} vessels)")
        path.unlink()
        memory(folder, ROWS)


if __name__ == "__main__":
    main()
