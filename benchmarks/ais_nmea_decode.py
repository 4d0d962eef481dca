"""Benchmark: read_ais on tag-block NMEA logs against pyais, and chunked reading's memory.

Data: the real Global Fishing Watch tag-block sample in tests/data/ais/nmea/ (10,000
sentences: tag blocks ``\\s:117,c:1668046497*0A\\``, a third satellite type 27, multipart
type 5 messages with group tags, some invalid MMSIs and positions as received), repeated
to 100,000 and 1,000,000 lines. Each repetition moves every time six minutes on, renumbers
the group ids and rewrites two payload characters inside the MMSI field of every first
fragment (checksums recomputed) to one of ``FLEET`` variants: a fleet of about 50,000
vessels, the same for both sizes, reporting over 1 and 10 hours.

Prints, for each size:

1. ``read_ais`` lines/s (best of 3 in one process; with that run's CPU time, which exceeds the
   wall time when the reader's worker threads overlap) and pyais lines/s on the same lines:
   ``pyais.stream.IterMessages`` over the lines (it assembles multipart messages), then
   ``decode()`` and ``asdict()`` per message (best of 2; pyais reads the tag block only on
   request, so it does not date the messages), and the ratio; then pyais again with the
   tag block read for each message's time (``tag_block.init()``), which is what dating the
   positions costs it;
2. the peak RSS of ``read_ais(path, chunksize=CHUNK)`` run over the whole file, each size
   in a fresh process: it should not grow with the file.

Also the vectorised position decoder alone against ``pyais.decode``, as before.

    .venv/bin/python benchmarks/ais_nmea_decode.py [lines ...]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyais
from _util import AIS_DATA, ROOT, checksum, in_subprocess
from pyais.stream import IterMessages

from vesselscreen.ais import fastdecode, nmea, read_ais
from vesselscreen.ingest import ingest_report

SIZES = [int(arg) for arg in sys.argv[1:]] or [100_000, 1_000_000]
SAMPLE = AIS_DATA / "nmea" / "gfw_ais_listener_tagblock_2022-11-10.txt"
ARMOUR = b"0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw"
SHIFT = 360  # seconds between repetitions: the sample spans six minutes
CHUNK = 20_000
FLEET = 8  # MMSI variants of the sample's ~6,600 vessels
PYAIS_SAMPLE = 30_000  # position reports pyais decodes one by one in the decoder comparison


def _varied(line: bytes, repetition: int) -> bytes:
    """A sample line with its times moved, group id renumbered and MMSI characters rewritten."""
    if not line.startswith(b"\\"):
        return line
    end = line.index(b"\\", 1)
    fields = line[1:end].split(b"*")[0].split(b",")
    for index, field in enumerate(fields):
        if field.startswith(b"c:"):
            fields[index] = b"c:%d" % (int(field[2:]) + repetition * SHIFT)
        elif field.startswith(b"g:"):
            number, total, group = field[2:].split(b"-")
            fields[index] = b"g:%s-%s-%d" % (number, total, (int(group) + repetition * 10_000) % 1_000_000)
    tag = b",".join(fields)
    body = line[end + 1 :]
    star = body.find(b"*")
    parts = body[:star].split(b",")
    if len(parts) == 7 and parts[2] == b"1" and len(parts[5]) >= 5:  # a first fragment: its MMSI bits
        payload = bytearray(parts[5])
        variant = repetition % FLEET
        for offset, shift in ((3, 6), (4, 0)):
            value = ARMOUR.index(payload[offset]) ^ ((variant >> shift) % 64)
            payload[offset] = ARMOUR[value]
        parts[5] = bytes(payload)
        data = b",".join(parts)
        body = data + b"*" + checksum(data[1:]) + body[star + 3 :]
    return b"\\" + tag + b"*" + checksum(tag) + b"\\" + body


def write_log(path: Path, lines: int) -> None:
    sample = SAMPLE.read_bytes().splitlines()
    written, repetition = 0, 0
    with path.open("wb") as out:
        while written < lines:
            block = [_varied(line, repetition) for line in sample[: lines - written]]
            out.write(b"\n".join(block) + b"\n")
            written += len(block)
            repetition += 1


def best(runs: int, function: object) -> float:
    return best_with_cpu(runs, function)[0]


def best_with_cpu(runs: int, function: object) -> tuple[float, float]:
    """The shortest wall time of ``runs`` calls, and the CPU time of that call (all threads)."""
    timings = []
    for _ in range(runs):
        begin, begin_cpu = time.perf_counter(), time.process_time()
        function()  # type: ignore[operator]  # a callable
        timings.append((time.perf_counter() - begin, time.process_time() - begin_cpu))
    return min(timings)


def pyais_lines(path: Path, *, tag_blocks: bool) -> None:
    lines = path.read_bytes().splitlines()
    for message in IterMessages(lines):
        if tag_blocks and message.tag_block is not None:
            message.tag_block.init()
        try:
            message.decode().asdict()
        except Exception:  # pyais raises on some payloads; the loop measures, not judges
            continue


def speed(path: Path, lines: int) -> None:
    frames: list[pd.DataFrame] = []

    def read() -> None:
        frames.clear()  # the last run's frame is freed first: each run reuses its memory
        frames.append(read_ais(path))

    ours, cpu = best_with_cpu(3, read)
    report = ingest_report(frames[-1])
    assert report is not None
    theirs = best(2 if lines <= 100_000 else 1, lambda: pyais_lines(path, tag_blocks=False))
    dated = best(1, lambda: pyais_lines(path, tag_blocks=True))
    print(
        f"{lines:,} tag-block lines ({path.stat().st_size / 1e6:.0f} MB), {len(frames[-1]):,} position rows"
    )
    print(
        f"  read_ais                              {lines / ours:>12,.0f} lines/s  ({ours:.2f} s;"
        f" CPU {cpu:.2f} s over its {nmea.WORKERS} reader threads and the main one)"
    )
    print(f"  pyais IterMessages, decode + asdict   {lines / theirs:>12,.0f} lines/s  ({theirs:.2f} s)")
    print(f"  pyais, also reading the tag blocks    {lines / dated:>12,.0f} lines/s  ({dated:.2f} s)")
    print(
        f"  ratio: {theirs / ours:.1f}x pyais decode + asdict; {dated / ours:.1f}x pyais with tag-block times"
    )
    print(f"  {report.summary()}")


def memory(path: Path, lines: int) -> None:
    code = (
        f"import json, sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); from _util import peak_rss_mb\n"
        "from vesselscreen.ais import read_ais\n"
        "imported = peak_rss_mb()\n"
        f"rows = sum(len(chunk) for chunk in read_ais({str(path)!r}, chunksize={CHUNK}))\n"
        "print(json.dumps({'rows': rows, 'peak': peak_rss_mb(), 'imported': imported}))"
    )
    result = in_subprocess(code)
    rows, peak, imported = result["rows"], result["peak"], result["imported"]
    print(
        f"  chunks of {CHUNK:,} over {lines:,} lines: {rows:,.0f} rows, peak RSS {peak:,.0f} MB"
        f" (of which {imported:,.0f} MB before reading: Python, pandas, pyarrow)"
    )


def decoder() -> None:
    sentences = []
    for line in SAMPLE.read_bytes().splitlines():
        body = line[line.find(b"!") :]
        fields = body.split(b"*")[0].split(b",")
        if len(fields) == 7 and fields[1] == b"1" and len(fields[5]) == 28 and fields[5][:1] in b"123B":
            sentences.append(body)
    sentences = (sentences * (PYAIS_SAMPLE // len(sentences) + 1))[:PYAIS_SAMPLE]
    payloads = [sentence.split(b",")[5] for sentence in sentences]
    fills = [int(sentence.split(b",")[6][:1]) for sentence in sentences]
    theirs = best(1, lambda: [pyais.decode(sentence) for sentence in sentences])
    ours = best(3, lambda: fastdecode.decode_positions(payloads, fills))
    count = len(sentences)
    print(f"position reports alone ({count:,} of the sample's type 1/2/3/18 sentences)")
    print(f"  pyais.decode, one by one       {count / theirs:>12,.0f}/s")
    print(f"  fastdecode.decode_positions    {count / ours:>12,.0f}/s  ({theirs / ours:.0f}x)")


def main() -> None:
    decoder()
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for lines in SIZES:
            paths[lines] = Path(folder) / f"tagblock_{lines}.nmea"
            write_log(paths[lines], lines)
        for lines in SIZES:
            speed(paths[lines], lines)
        print("chunked reading, each size in a fresh process")
        for lines in SIZES:
            memory(paths[lines], lines)


if __name__ == "__main__":
    main()
