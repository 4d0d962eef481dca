"""Benchmark: the vectorised position decoder against pyais one by one, and read_nmea end to end.

Data: the real logs in tests/data/ais/nmea/ (the Danish Maritime Authority feed with its
``$PGHP`` times, and pyais' sample behind NMEA 4.0 tag blocks), repeated with varied
MMSIs (two payload characters inside the MMSI field rewritten per repetition, checksum
recomputed) and times (one hour later per repetition), written to a temporary file.

Prints:

1. position reports (types 1/2/3/18, one sentence each) decoded per second: pyais one by
   one (``pyais.decode`` of the sentence, and pyais' decoder on the payload alone) and
   :func:`vesselscreen.ais.fastdecode.decode_positions`, with the ratios;
2. ``read_nmea`` lines per second on the whole log, against the same reader with every
   line taken by the one-by-one reference rule (``scan=False``: what read_nmea did before),
   and the ratio; rows and the ingest report's counts, which must be the same.

    .venv/bin/python benchmarks/ais_nmea_decode.py [lines]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pyais
from _util import AIS_DATA, checksum, peak_rss_mb
from pyais.bit_vector import bit_vector
from pyais.messages import MSG_CLASS

from vesselscreen.ais import fastdecode, nmea
from vesselscreen.ingest import ingest_report

LINES = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
ARMOUR = b"0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw"
PYAIS_SAMPLE = 30_000  # messages decoded by pyais one by one (about a second)


def _vary_sentence(body: bytes, repetition: int) -> bytes:
    """An AIS sentence with payload characters 3-4 (inside the MMSI bits) set from ``repetition``."""
    star = body.find(b"*")
    fields = body[:star].split(b",")
    if len(fields) != 7 or len(fields[5]) < 7:
        return body
    code = bytes([ARMOUR[(repetition >> 6) % 64], ARMOUR[repetition % 64]])
    fields[5] = fields[5][:3] + code + fields[5][5:]
    data = b",".join(fields)
    return data + b"*" + checksum(data[1:]) + body[star + 3 :]


def _vary_pghp(line: bytes, repetition: int) -> bytes:
    data, _, rest = line[1:].partition(b"*")
    fields = data.split(b",")
    year, month, day, hour, minute, second, millis = (int(item) for item in fields[2:9])
    moment = datetime(year, month, day, hour, minute, second) + timedelta(hours=repetition)
    values = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second, millis)
    fields[2:9] = [str(value).encode() for value in values]
    data = b",".join(fields)
    return b"$" + data + b"*" + checksum(data) + rest[2:]


def write_log(path: Path, lines: int) -> None:
    """About ``lines`` lines of the two real logs, repeated with varied MMSIs and times."""
    dma = (AIS_DATA / "nmea" / "dma_aislib_stream_example.txt").read_bytes().splitlines()
    sample = (AIS_DATA / "nmea" / "pyais_nmea_data_sample.txt").read_bytes().splitlines()
    start = int(datetime(2024, 1, 1).timestamp())
    written, repetition = 0, 0
    with path.open("wb") as out:
        while written < lines:
            block = []
            for line in dma:
                if line.startswith(b"$PGHP"):
                    block.append(_vary_pghp(line, repetition))
                else:
                    bang = line.find(b"!")
                    block.append(line if bang < 0 else line[:bang] + _vary_sentence(line[bang:], repetition))
            for offset, line in enumerate(sample):
                tag = b"s:r%d,c:%d" % (repetition % 50, start + repetition * 3600 + offset)
                body = _vary_sentence(line.strip(), repetition)
                block.append(b"\\" + tag + b"*" + checksum(tag) + b"\\" + body)
            out.write(b"\n".join(block) + b"\n")
            written += len(block)
            repetition += 1


def position_sentences(path: Path) -> list[bytes]:
    """Single-sentence type 1/2/3/18 messages of 168 bits in the log, without tag block or wrapper."""
    found = []
    for line in path.read_bytes().splitlines():
        bang = line.find(b"!")
        if bang < 0 or line[bang + 7 : bang + 11] != b"1,1,":
            continue
        sentence = line[bang:].split(b"*")[0]
        fields = sentence.split(b",")
        if len(fields) == 7 and len(fields[5]) == 28 and fields[5][:1] in (b"1", b"2", b"3", b"B"):
            found.append(line[bang:])
    return found


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>12,.0f}/s"


def decoder(sentences: list[bytes]) -> None:
    payloads = [sentence.split(b",")[5] for sentence in sentences]
    fills = [int(sentence.split(b",")[6][:1]) for sentence in sentences]
    sample = sentences[:PYAIS_SAMPLE]
    begin = time.perf_counter()
    for sentence in sample:
        pyais.decode(sentence)
    pyais_sentence = time.perf_counter() - begin
    begin = time.perf_counter()
    for payload, fill in zip(payloads[:PYAIS_SAMPLE], fills, strict=False):
        vector = bit_vector(payload, fill)
        MSG_CLASS[vector.get(0, 6)].from_vector(vector)
    pyais_payload = time.perf_counter() - begin
    begin = time.perf_counter()
    frame = fastdecode.decode_positions(payloads, fills)
    ours = time.perf_counter() - begin
    assert frame["decoded"].all()
    n = len(sample)
    print(f"position reports decoded ({len(payloads):,} messages; pyais on the first {n:,})")
    print(f"  pyais.decode(sentence), one by one    {rate(n, pyais_sentence)}")
    print(f"  pyais decoder on the payload, 1 by 1  {rate(n, pyais_payload)}")
    print(f"  fastdecode.decode_positions           {rate(len(payloads), ours)}")
    ratio_sentence = (len(payloads) / ours) / (n / pyais_sentence)
    ratio_payload = (len(payloads) / ours) / (n / pyais_payload)
    print(f"  ratio: {ratio_sentence:.0f}x pyais.decode, {ratio_payload:.0f}x pyais' payload decoder")


def end_to_end(path: Path) -> None:
    lines = sum(1 for _ in path.open("rb"))
    size_mb = path.stat().st_size / 1e6

    def read(scan: bool) -> tuple[float, pd.DataFrame]:
        reader = nmea._Reader(str(path), None, True, scan=scan)  # the one-by-one baseline
        begin = time.perf_counter()
        frame = reader.read(path.read_bytes())
        return time.perf_counter() - begin, frame

    fast_seconds, fast = read(scan=True)
    fast_rss = peak_rss_mb()
    print(f"read_nmea end to end: {lines:,} lines, {size_mb:.0f} MB, {len(fast):,} position rows")
    print(f"  vectorised reader        {rate(lines, fast_seconds)}  {size_mb / fast_seconds:6.1f} MB/s")
    baseline_lines = min(lines, 100_000)
    baseline_path = path.with_name("baseline.nmea")
    with path.open("rb") as source, baseline_path.open("wb") as out:
        for _ in range(baseline_lines):
            out.write(source.readline())
    reader = nmea._Reader(str(baseline_path), None, True, scan=False)
    begin = time.perf_counter()
    slow = reader.read(baseline_path.read_bytes())
    slow_seconds = time.perf_counter() - begin
    print(f"  one by one (before)      {rate(baseline_lines, slow_seconds)}  ({baseline_lines:,} lines)")
    print(f"  ratio: {(lines / fast_seconds) / (baseline_lines / slow_seconds):.0f}x")
    fast_part = nmea._Reader(str(baseline_path), None, True).read(baseline_path.read_bytes())
    same = fast_part.equals(slow) and ingest_report(fast_part) == ingest_report(slow)
    print(f"  same rows and report as the one-by-one reader on those lines: {same}")
    report = ingest_report(fast)
    assert report is not None
    print(f"  {report.summary()}")
    print(f"  peak RSS {fast_rss:,.0f} MB")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "feed.nmea"
        begin = time.perf_counter()
        write_log(path, LINES)
        print(f"generated {path.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - begin:.1f} s")
        decoder(position_sentences(path))
        end_to_end(path)


if __name__ == "__main__":
    main()
